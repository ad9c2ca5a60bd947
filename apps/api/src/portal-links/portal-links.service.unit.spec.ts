import { hashApiKeySecret, ManualClock } from '@caravan/domain';
import type { EndpointsRepository, PortalLinksRepository } from '@caravan/persistence';
import { anEndpoint } from '@caravan/testing';
import { ApiStore, asRepository, InMemoryApiEndpoints, InMemoryPortalLinks } from '../testing/in-memory-api.fake';
import { PortalLinksService } from './portal-links.service';

describe('PortalLinksService (in memory)', () => {
  function world() {
    const store = new ApiStore(new ManualClock());
    const service = new PortalLinksService(
      asRepository<PortalLinksRepository>(new InMemoryPortalLinks(store)),
      asRepository<EndpointsRepository>(new InMemoryApiEndpoints(store)),
    );
    const endpoint = (projectId: string, fields: Parameters<typeof anEndpoint>[1] = {}) => {
      const created = anEndpoint({ id: projectId }, fields);
      store.endpoints.set(created.id, created);
      return created;
    };
    return { store, service, endpoint };
  }

  it("scopes a link to its owner's endpoints and the listed ones, of its own project only", async () => {
    const { service, endpoint } = world();
    const owned = endpoint('p1', { ownerId: 'acme' });
    const listed = endpoint('p1');
    endpoint('p1', { ownerId: 'other' });
    endpoint('p2', { ownerId: 'acme' });
    const view = await service.create('p1', { owner_id: 'acme', endpoints: [listed.id] });
    expect(view.endpoints.map((e) => e.id).sort()).toEqual([owned.id, listed.id].sort());
  });

  it("refuses another project's endpoint by name, and a link with neither owner nor endpoints", async () => {
    const { service, endpoint } = world();
    const foreign = endpoint('p2');
    await expect(service.create('p1', { endpoints: [foreign.id] })).rejects.toMatchObject({
      response: expect.objectContaining({ message: expect.stringContaining('endpoints') }),
    });
    await expect(service.create('p1', {})).rejects.toMatchObject({
      response: expect.objectContaining({ message: expect.stringContaining('owner_id') }),
    });
  });

  it('stores only the hash of its token; a refreshed token replaces it', async () => {
    const { service, store, endpoint } = world();
    const view = await service.create('p1', { endpoints: [endpoint('p1').id] });
    const stored = store.links.get(view.link.id);
    expect(stored?.tokenHash).toBe(hashApiKeySecret(view.token ?? ''));
    expect(JSON.stringify(stored)).not.toContain(view.token);
    const refreshed = await service.refreshToken('p1', view.link.id);
    expect(store.links.get(view.link.id)?.tokenHash).toBe(hashApiKeySecret(refreshed));
    await expect(service.refreshToken('p2', view.link.id)).rejects.toThrow('not found');
  });

  it('an update keeps the scope rules: dropping the owner needs endpoints', async () => {
    const { service, endpoint } = world();
    endpoint('p1', { ownerId: 'acme' });
    const view = await service.create('p1', { owner_id: 'acme' });
    await expect(service.update('p1', view.link.id, { owner_id: '' })).rejects.toMatchObject({
      response: expect.objectContaining({ message: expect.stringContaining('owner_id') }),
    });
    await expect(service.get('p2', view.link.id)).rejects.toThrow('not found');
  });
});
