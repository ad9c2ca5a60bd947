import { apiKeySecretMatches, ManualClock, parseApiKey } from '@caravan/domain';
import type { ProjectDirectory } from '@caravan/intake';
import type { ApiKeysRepository, ProjectsRepository } from '@caravan/persistence';
import type { ApiKeyAuthenticator } from '../common/auth/api-key-authenticator.service';
import { ApiStore, asRepository, InMemoryApiKeys } from '../testing/in-memory-api.fake';
import { ProjectsService } from './projects.service';

describe('ProjectsService keys (in memory, manual clock)', () => {
  function world() {
    const clock = new ManualClock();
    const store = new ApiStore(clock);
    const forgotten: string[] = [];
    const service = new ProjectsService(
      asRepository<ProjectsRepository>({}),
      asRepository<ApiKeysRepository>(new InMemoryApiKeys(store)),
      asRepository<ProjectDirectory>({ forget: (id: string) => void forgotten.push(`project ${id}`) }),
      asRepository<ApiKeyAuthenticator>({ forgetKey: (id: string) => void forgotten.push(`key ${id}`) }),
      clock,
    );
    return { clock, store, service, forgotten };
  }

  it('stores only the hash of an issued key; the key itself is given once', async () => {
    const { service, store } = world();
    const issued = await service.issueKey('p1', { name: 'ci' }, null);
    const parsed = parseApiKey(issued.key);
    expect(parsed?.maskId).toBe(issued.record.maskId);
    const stored = store.apiKeys.get(issued.record.id);
    expect(JSON.stringify(stored)).not.toContain(parsed?.secret);
    expect(apiKeySecretMatches(parsed?.secret ?? '', stored?.keyHash ?? '')).toBe(true);
  });

  it('a key with an expiration expires that many seconds after issue; without one it never does', async () => {
    const { service, clock } = world();
    await clock.advance(5_000);
    const expiring = await service.issueKey('p1', { name: 'short', expiration: 3_600 }, null);
    expect(expiring.record.expiresAt).toEqual(new Date(clock.now() + 3_600_000));
    const lasting = await service.issueKey('p1', { name: 'forever' }, null);
    expect(lasting.record.expiresAt).toBeNull();
  });

  it('a key that expires creates keys expiring no later than itself: by default with it, a later expiry refused', async () => {
    const { service, clock } = world();
    const issuerExpiresAt = new Date(clock.now() + 3_600_000);
    const inherited = await service.issueKey('p1', { name: 'child' }, issuerExpiresAt);
    expect(inherited.record.expiresAt).toEqual(issuerExpiresAt);
    const shorter = await service.issueKey('p1', { name: 'shorter', expiration: 60 }, issuerExpiresAt);
    expect(shorter.record.expiresAt).toEqual(new Date(clock.now() + 60_000));
    await expect(service.issueKey('p1', { name: 'longer', expiration: 7_200 }, issuerExpiresAt)).rejects.toThrow(
      /expiration/,
    );
  });

  it('revoking is scoped to the project and forgets the cached key at once', async () => {
    const { service, forgotten, store } = world();
    const issued = await service.issueKey('p1', { name: 'ci' }, null);
    await expect(service.revokeKey('p2', issued.record.id)).rejects.toThrow(`api key ${issued.record.id} not found`);
    expect(store.apiKeys.get(issued.record.id)?.revokedAt).toBeNull();
    await service.revokeKey('p1', issued.record.id);
    expect(store.apiKeys.get(issued.record.id)?.revokedAt).not.toBeNull();
    expect(forgotten).toEqual([`key ${issued.record.id}`]);
  });
});
