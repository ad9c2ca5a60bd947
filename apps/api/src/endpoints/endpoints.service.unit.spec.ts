import { ConflictException, Logger, NotFoundException } from '@nestjs/common';
import {
  EndpointStatus,
  isStandardWebhooksSecret,
  MASKED_CREDENTIAL,
  MetaEventType,
  SignatureFormat,
} from '@caravan/domain';
import { ApiWorld } from '../testing/api-world.helper';
import type { CreateEndpointDto } from './dto/create-endpoint.dto';
import { refusedFields } from '../testing/refused-fields.helper';

const WHSEC = `whsec_${Buffer.alloc(32, 7).toString('base64')}`;

function createInput(fields: Partial<CreateEndpointDto> = {}): CreateEndpointDto {
  return { name: 'orders', url: 'https://receiver.example/hook', ...fields } as CreateEndpointDto;
}

describe('EndpointsService (in memory, manual clock)', () => {
  beforeAll(() => Logger.overrideLogger(false));

  describe('create', () => {
    it("stores Convoy's defaults and a generated secret signing from now, and announces endpoint.created", async () => {
      const w = new ApiWorld();
      const project = w.project();
      await w.clock.advance(60_000);
      const endpoint = await w.endpoints.create(project.id, createInput({ owner_id: '' }));

      expect(w.store.endpoints.get(endpoint.id)).toBe(endpoint);
      expect(endpoint).toMatchObject({
        projectId: project.id,
        ownerId: null,
        status: EndpointStatus.Active,
        advancedSignatures: true,
        signatureFormat: SignatureFormat.Convoy,
        contentType: 'application/json',
        authentication: null,
        mtlsClientCert: null,
      });
      expect(endpoint.secrets).toHaveLength(1);
      expect(endpoint.secrets[0]).toMatchObject({
        created_at: new Date(w.clock.now()).toISOString(),
        expires_at: null,
      });
      expect(endpoint.secrets[0]?.value).toMatch(/^[A-Za-z0-9_-]{43}$/);

      expect(w.store.metaEvents).toEqual([
        {
          projectId: project.id,
          type: MetaEventType.EndpointCreated,
          data: expect.objectContaining({
            uid: endpoint.id,
            target_url: 'https://receiver.example/hook',
            secrets: [expect.objectContaining({ value: endpoint.secrets[0]?.value })],
          }),
        },
      ]);
    });

    it('keeps a given secret and a disabled endpoint inactive', async () => {
      const w = new ApiWorld();
      const project = w.project();
      const endpoint = await w.endpoints.create(project.id, createInput({ secret: 'mine', is_disabled: true }));
      expect(endpoint.secrets.map((s) => s.value)).toEqual(['mine']);
      expect(endpoint.status).toBe(EndpointStatus.Inactive);
    });

    it('refuses a plain http URL when the project enforces secure endpoints, storing and announcing nothing', async () => {
      const w = new ApiWorld();
      const strict = w.project({ ssl: { enforce_secure_endpoints: true } });
      expect(
        await refusedFields(w.endpoints.create(strict.id, createInput({ url: 'http://receiver.example/' }))),
      ).toEqual(['url']);
      expect(w.store.endpoints.size).toBe(0);
      expect(w.store.metaEvents).toEqual([]);
      // A project that does not enforce it takes the same URL.
      const lax = w.project({ ssl: { enforce_secure_endpoints: false } });
      await expect(w.endpoints.create(lax.id, createInput({ url: 'http://receiver.example/' }))).resolves.toBeDefined();
    });

    it('standard-webhooks endpoints take only whsec_ secrets and get a whsec_ one generated', async () => {
      const w = new ApiWorld();
      const project = w.project();
      const format = { signature_format: SignatureFormat.StandardWebhooks };
      expect(await refusedFields(w.endpoints.create(project.id, createInput({ ...format, secret: 'plain' })))).toEqual([
        'secret',
      ]);
      const generated = await w.endpoints.create(project.id, createInput(format));
      expect(isStandardWebhooksSecret(generated.secrets[0]?.value)).toBe(true);
      const given = await w.endpoints.create(project.id, createInput({ ...format, secret: WHSEC }));
      expect(given.secrets[0]?.value).toBe(WHSEC);
    });

    it('refuses an mTLS certificate and key that are not PEM, naming both', async () => {
      const w = new ApiWorld();
      const project = w.project();
      const refused = w.endpoints.create(
        project.id,
        createInput({ mtls_client_cert: { client_cert: 'not a cert', client_key: 'not a key' } }),
      );
      await expect(refused).rejects.toThrow(
        /client_cert: must be a PEM certificate.*client_key: must be a PEM private key/,
      );
    });

    it('an unknown project is a 404', async () => {
      const w = new ApiWorld();
      await expect(w.endpoints.create('nope', createInput())).rejects.toThrow(NotFoundException);
    });

    it('a meta event that cannot be recorded is logged, not thrown: the endpoint is committed', async () => {
      const w = new ApiWorld();
      const project = w.project();
      w.metaEvents.failing = true;
      const endpoint = await w.endpoints.create(project.id, createInput());
      expect(w.store.endpoints.has(endpoint.id)).toBe(true);
    });
  });

  describe('update', () => {
    it('changes only the given fields, replaces every secret with a given one, and announces endpoint.updated', async () => {
      const w = new ApiWorld();
      const project = w.project();
      const endpoint = w.endpoint(project, { name: 'before', description: 'kept' });
      await w.clock.advance(1_000);
      const updated = await w.endpoints.update(project.id, endpoint.id, { name: 'after', secret: 'rotated' });
      expect(updated).toMatchObject({ name: 'after', description: 'kept' });
      expect(updated.secrets).toEqual([
        expect.objectContaining({ value: 'rotated', created_at: new Date(w.clock.now()).toISOString() }),
      ]);
      expect(w.metaEventsOf(MetaEventType.EndpointUpdated).map((m) => m.data['title'])).toEqual(['after']);
    });

    it('is_disabled moves to inactive, and back to active only from inactive', async () => {
      const w = new ApiWorld();
      const project = w.project();
      const endpoint = w.endpoint(project);
      expect((await w.endpoints.update(project.id, endpoint.id, { is_disabled: true })).status).toBe(
        EndpointStatus.Inactive,
      );
      expect((await w.endpoints.update(project.id, endpoint.id, { is_disabled: false })).status).toBe(
        EndpointStatus.Active,
      );
      endpoint.status = EndpointStatus.Paused;
      expect((await w.endpoints.update(project.id, endpoint.id, { is_disabled: false })).status).toBe(
        EndpointStatus.Paused,
      );
    });

    it('keeps the stored oauth2 client secret when the masked one read back is sent again', async () => {
      const w = new ApiWorld();
      const project = w.project();
      const oauth2 = {
        url: 'https://auth.example/token',
        client_id: 'id',
        client_secret: 'the-real-secret',
        grant_type: 'client_credentials' as const,
      };
      const endpoint = w.endpoint(project, { authentication: { type: 'oauth2', oauth2 } });
      const updated = await w.endpoints.update(project.id, endpoint.id, {
        authentication: { type: 'oauth2', oauth2: { ...oauth2, client_secret: MASKED_CREDENTIAL } },
      });
      expect(updated.authentication).toMatchObject({ type: 'oauth2', oauth2: { client_secret: 'the-real-secret' } });
      const replaced = await w.endpoints.update(project.id, endpoint.id, {
        authentication: { type: 'oauth2', oauth2: { ...oauth2, client_secret: 'new-secret' } },
      });
      expect(replaced.authentication).toMatchObject({ oauth2: { client_secret: 'new-secret' } });
    });

    it('switching to standard-webhooks needs every live secret to be whsec_; an expired one no longer counts', async () => {
      const w = new ApiWorld();
      const project = w.project();
      const now = w.clock.now();
      const endpoint = w.endpoint(project, {
        secrets: [
          { uid: 'old', value: 'convoy-style', created_at: new Date(0).toISOString(), expires_at: null },
          { uid: 'new', value: WHSEC, created_at: new Date(now).toISOString(), expires_at: null },
        ],
      });
      const toStandard = { signature_format: SignatureFormat.StandardWebhooks };
      expect(await refusedFields(w.endpoints.update(project.id, endpoint.id, toStandard))).toEqual(['secret']);
      expect(endpoint.signatureFormat).toBe(SignatureFormat.Convoy);

      // The convoy-style secret expires in an hour: refused until then, allowed after.
      endpoint.secrets[0] = {
        ...(endpoint.secrets[0] as (typeof endpoint.secrets)[number]),
        expires_at: new Date(now + 3_600_000).toISOString(),
      };
      expect(await refusedFields(w.endpoints.update(project.id, endpoint.id, toStandard))).toEqual(['secret']);
      await w.clock.advance(3_600_001);
      const switched = await w.endpoints.update(project.id, endpoint.id, toStandard);
      expect(switched.signatureFormat).toBe(SignatureFormat.StandardWebhooks);
    });

    it("another project's endpoint is not found", async () => {
      const w = new ApiWorld();
      const mine = w.project();
      const theirs = w.endpoint(w.project());
      await expect(w.endpoints.update(mine.id, theirs.id, { name: 'taken' })).rejects.toThrow(NotFoundException);
      expect(theirs.name).toBe('receiver');
    });
  });

  describe('expireSecret', () => {
    it('the current secret keeps signing for `expiration` seconds from now; the new one signs from now', async () => {
      const w = new ApiWorld();
      const project = w.project();
      const endpoint = w.endpoint(project);
      const current = endpoint.secrets[0]?.value;
      await w.clock.advance(10_000);

      const rotated = await w.endpoints.expireSecret(project.id, endpoint.id, { expiration: 3_600, secret: 'next' });
      expect(rotated.secrets).toEqual([
        expect.objectContaining({ value: current, expires_at: new Date(w.clock.now() + 3_600_000).toISOString() }),
        expect.objectContaining({ value: 'next', created_at: new Date(w.clock.now()).toISOString(), expires_at: null }),
      ]);
      expect(w.metaEventsOf(MetaEventType.EndpointUpdated)).toHaveLength(1);
    });

    it('a later rotation drops the secrets already expired and keeps the one still in its window', async () => {
      const w = new ApiWorld();
      const project = w.project();
      const endpoint = w.endpoint(project);
      const first = endpoint.secrets[0]?.value;
      await w.endpoints.expireSecret(project.id, endpoint.id, { expiration: 60, secret: 'second' });
      await w.clock.advance(61_000);
      const rotated = await w.endpoints.expireSecret(project.id, endpoint.id, { expiration: 60, secret: 'third' });
      expect(rotated.secrets.map((s) => s.value)).toEqual(['second', 'third']);
      expect(rotated.secrets.map((s) => s.value)).not.toContain(first);
    });

    it('a generated secret follows the endpoint format', async () => {
      const w = new ApiWorld();
      const project = w.project();
      const endpoint = w.endpoint(project, {
        signatureFormat: SignatureFormat.StandardWebhooks,
        secrets: [{ uid: 'a', value: WHSEC, created_at: new Date(0).toISOString(), expires_at: null }],
      });
      const rotated = await w.endpoints.expireSecret(project.id, endpoint.id, { expiration: 60 });
      expect(isStandardWebhooksSecret(rotated.secrets[1]?.value)).toBe(true);
    });
  });

  describe('status moves', () => {
    it('pause toggles active and paused; other statuses are refused naming status', async () => {
      const w = new ApiWorld();
      const project = w.project();
      const endpoint = w.endpoint(project);
      expect((await w.endpoints.togglePause(project.id, endpoint.id)).status).toBe(EndpointStatus.Paused);
      expect((await w.endpoints.togglePause(project.id, endpoint.id)).status).toBe(EndpointStatus.Active);
      endpoint.status = EndpointStatus.Inactive;
      expect(await refusedFields(w.endpoints.togglePause(project.id, endpoint.id))).toEqual(['status']);
      expect(w.metaEventsOf(MetaEventType.EndpointUpdated).map((m) => m.data['status'])).toEqual(['paused', 'active']);
    });

    it('toggle_status: active to inactive, inactive or paused to active; activate only from inactive or paused', async () => {
      const w = new ApiWorld();
      const project = w.project();
      const endpoint = w.endpoint(project);
      expect((await w.endpoints.toggleStatus(project.id, endpoint.id)).status).toBe(EndpointStatus.Inactive);
      expect((await w.endpoints.toggleStatus(project.id, endpoint.id)).status).toBe(EndpointStatus.Active);
      endpoint.status = EndpointStatus.Paused;
      expect((await w.endpoints.toggleStatus(project.id, endpoint.id)).status).toBe(EndpointStatus.Active);
      expect(await refusedFields(w.endpoints.activate(project.id, endpoint.id))).toEqual(['status']);
      endpoint.status = EndpointStatus.Inactive;
      expect((await w.endpoints.activate(project.id, endpoint.id)).status).toBe(EndpointStatus.Active);
    });

    it('a status changed by someone else meanwhile is a conflict, not a silent overwrite', async () => {
      const w = new ApiWorld();
      const project = w.project();
      const endpoint = w.endpoint(project);
      const transition = w.endpointRows.transitionStatus.bind(w.endpointRows);
      w.endpointRows.transitionStatus = (...args) => {
        endpoint.status = EndpointStatus.Inactive; // another request got there first
        return transition(...args);
      };
      await expect(w.endpoints.togglePause(project.id, endpoint.id)).rejects.toThrow(ConflictException);
      expect(endpoint.status).toBe(EndpointStatus.Inactive);
      expect(w.store.metaEvents).toEqual([]);
    });
  });

  it('remove soft-deletes the endpoint with its subscriptions and announces endpoint.deleted; twice is a 404', async () => {
    const w = new ApiWorld();
    const project = w.project();
    const endpoint = w.endpoint(project);
    const { subscription } = await w.subscriptions.create(project.id, { name: 's', endpoint_id: endpoint.id });
    await w.endpoints.remove(project.id, endpoint.id);
    expect(endpoint.deletedAt).toEqual(new Date(w.clock.now()));
    expect(subscription.deletedAt).toEqual(new Date(w.clock.now()));
    expect(w.metaEventsOf(MetaEventType.EndpointDeleted).map((m) => m.data['uid'])).toEqual([endpoint.id]);
    await expect(w.endpoints.remove(project.id, endpoint.id)).rejects.toThrow(NotFoundException);
  });

  describe('ensureForUrl (dynamic events)', () => {
    it('creates the endpoint once per URL under the create rules, subscribed to the given event types', async () => {
      const w = new ApiWorld();
      const project = w.project();
      const input = { url: 'https://dynamic.example/', eventTypes: ['order.created'] };
      const first = await w.endpoints.ensureForUrl(project.id, input);
      const again = await w.endpoints.ensureForUrl(project.id, input);
      expect(again.endpoint.id).toBe(first.endpoint.id);
      expect(first.endpoint).toMatchObject({ advancedSignatures: true, signatureFormat: SignatureFormat.Convoy });
      expect(w.metaEventsOf(MetaEventType.EndpointCreated).map((m) => m.data['uid'])).toEqual([first.endpoint.id]);
      expect([...w.store.subscriptions.values()].map((s) => [s.endpointId, s.eventTypes])).toEqual([
        [first.endpoint.id, ['order.created']],
      ]);
    });

    it('refuses an http URL when the project enforces secure endpoints', async () => {
      const w = new ApiWorld();
      const project = w.project({ ssl: { enforce_secure_endpoints: true } });
      expect(
        await refusedFields(w.endpoints.ensureForUrl(project.id, { url: 'http://dynamic.example/', eventTypes: [] })),
      ).toEqual(['url']);
      expect(w.store.endpoints.size).toBe(0);
    });
  });
});
