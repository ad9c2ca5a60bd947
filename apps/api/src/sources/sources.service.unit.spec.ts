import { NotFoundException } from '@nestjs/common';
import { PROVIDER_RULES, PubSubType, SourceProvider, SourceType, VerifierType } from '@caravan/domain';
import { ApiWorld } from '../testing/api-world.helper';
import type { CreateSourceDto } from './dto/create-source.dto';
import { refusedFields } from '../testing/refused-fields.helper';

const SERVICE_ACCOUNT = { type: 'service_account', project_id: 'p' };
const SERVICE_ACCOUNT_BASE64 = Buffer.from(JSON.stringify(SERVICE_ACCOUNT)).toString('base64');

describe('SourcesService (in memory)', () => {
  function world() {
    const w = new ApiWorld();
    const project = w.project();
    const create = (fields: Partial<CreateSourceDto> & { type: SourceType }) =>
      w.sources.create(project.id, { name: 'src', ...fields } as CreateSourceDto);
    return Object.assign(w, { p: project, create });
  }

  describe('http sources', () => {
    it('a provider implies its hmac preset and keeps the given secret (the ingester verifies with the same preset)', async () => {
      const w = world();
      const source = await w.create({
        type: SourceType.Http,
        provider: SourceProvider.GitHub,
        verifier: { type: VerifierType.Hmac, hmac: { secret: 'gh-secret' } } as never,
      });
      const { header, hash, encoding } = PROVIDER_RULES[SourceProvider.GitHub];
      expect(source.verifier).toEqual({
        type: VerifierType.Hmac,
        hmac: { header, hash, encoding, secret: 'gh-secret' },
      });
      expect(source.provider).toBe(SourceProvider.GitHub);
    });

    it('a provider needs the secret and an hmac verifier; every problem is named at once', async () => {
      const w = world();
      expect(
        await refusedFields(
          w.create({
            type: SourceType.Http,
            provider: SourceProvider.Shopify,
            verifier: { type: VerifierType.ApiKey } as never,
          }),
        ),
      ).toEqual(['verifier.type', 'verifier.hmac.secret']);
      expect(w.store.sources.size).toBe(0);
    });

    it('an hmac verifier without a preset needs header, hash and encoding', async () => {
      const w = world();
      expect(
        await refusedFields(
          w.create({ type: SourceType.Http, verifier: { type: VerifierType.Hmac, hmac: { secret: 's' } } as never }),
        ),
      ).toEqual(['verifier.hmac.header', 'verifier.hmac.hash', 'verifier.hmac.encoding']);
    });

    it('keeps only the block of the verifier type; no verifier is noop', async () => {
      const w = world();
      const basic = await w.create({
        type: SourceType.Http,
        verifier: {
          type: VerifierType.BasicAuth,
          basic_auth: { username: 'u', password: 'p' },
          api_key: { header_name: 'x', header_value: 'y' },
        } as never,
      });
      expect(basic.verifier).toEqual({ type: VerifierType.BasicAuth, basic_auth: { username: 'u', password: 'p' } });
      expect((await w.create({ type: SourceType.Http })).verifier).toEqual({ type: VerifierType.Noop });
    });

    it('a custom response without a body means none', async () => {
      const w = world();
      const none = await w.create({ type: SourceType.Http, custom_response: { body: '', content_type: '' } });
      expect(none.customResponse).toBeNull();
      const given = await w.create({
        type: SourceType.Http,
        custom_response: { body: 'ok', content_type: 'text/plain' },
      });
      expect(given.customResponse).toEqual({ body: 'ok', content_type: 'text/plain' });
    });
  });

  it('refuses db_change_stream sources and a provider on a non-http source', async () => {
    const w = world();
    expect(await refusedFields(w.create({ type: SourceType.DbChangeStream }))).toEqual(['type']);
    expect(await refusedFields(w.create({ type: SourceType.RestApi, provider: SourceProvider.GitHub }))).toEqual([
      'provider',
    ]);
  });

  describe('pub_sub sources', () => {
    it('need a pub_sub config, verify nothing, and keep only the sub-config of their broker type', async () => {
      const w = world();
      expect(await refusedFields(w.create({ type: SourceType.PubSub }))).toEqual(['pub_sub']);
      const source = await w.create({
        type: SourceType.PubSub,
        verifier: { type: VerifierType.Hmac, hmac: { secret: 'ignored' } } as never,
        pub_sub: {
          type: PubSubType.Kafka,
          kafka: { brokers: ['k:9092'], topic_name: 'orders', consumer_group_id: '' },
          sqs: { queue_name: 'left-out' },
        } as never,
      });
      expect(source.verifier).toEqual({ type: VerifierType.Noop });
      expect(source.pubSub).toEqual({
        type: PubSubType.Kafka,
        workers: 1,
        kafka: { brokers: ['k:9092'], topic_name: 'orders' },
      });
    });

    it('kafka authentication needs a username and password', async () => {
      const w = world();
      const kafka = (auth: object) =>
        w.create({
          type: SourceType.PubSub,
          pub_sub: { type: PubSubType.Kafka, kafka: { brokers: ['k:9092'], topic_name: 't', auth } } as never,
        });
      expect(await refusedFields(kafka({ type: 'scram', username: 'u' }))).toEqual(['pub_sub.kafka.auth']);
      const source = await kafka({ type: 'scram', hash: 'SHA512', username: 'u', password: 'p' });
      expect(source.pubSub?.kafka?.auth).toEqual({
        type: 'scram',
        hash: 'SHA512',
        tls: false,
        username: 'u',
        password: 'p',
      });
    });

    it('stores a Google service account as base64 of its JSON, from base64, an object or bytes', async () => {
      const w = world();
      const google = (service_account: unknown) =>
        w.create({
          type: SourceType.PubSub,
          pub_sub: {
            type: PubSubType.Google,
            google: { project_id: 'p', subscription_id: 's', service_account },
          } as never,
        });
      const bytes = [...Buffer.from(JSON.stringify(SERVICE_ACCOUNT))];
      for (const given of [SERVICE_ACCOUNT_BASE64, SERVICE_ACCOUNT, bytes]) {
        expect((await google(given)).pubSub?.google?.service_account).toBe(SERVICE_ACCOUNT_BASE64);
      }
      for (const bad of ['not base64!', Buffer.from('[1]').toString('base64'), [256]]) {
        expect(await refusedFields(google(bad))).toEqual(['pub_sub.google.service_account']);
      }
    });
  });

  describe('mask ids', () => {
    it('are 16 URL-safe alphanumerics, a fresh one per source', async () => {
      const w = world();
      const a = await w.create({ type: SourceType.Http });
      const b = await w.create({ type: SourceType.Http });
      expect(a.maskId).toMatch(/^[A-Za-z0-9]{16}$/);
      expect(b.maskId).not.toBe(a.maskId);
    });

    it('a collision is retried with a new mask id, up to five attempts', async () => {
      const w = world();
      w.sourceRows.collideNext = 2;
      const source = await w.create({ type: SourceType.Http });
      expect(w.sourceRows.triedMaskIds).toHaveLength(3);
      expect(new Set(w.sourceRows.triedMaskIds).size).toBe(3);
      expect(source.maskId).toBe(w.sourceRows.triedMaskIds[2]);

      w.sourceRows.collideNext = 5;
      await expect(w.create({ type: SourceType.Http })).rejects.toThrow(/sources_mask_id_key/);
      expect(w.sourceRows.triedMaskIds).toHaveLength(8);
    });

    it('another failure is not retried', async () => {
      const w = world();
      w.sourceRows.insert = () => Promise.reject(new Error('connection terminated'));
      await expect(w.create({ type: SourceType.Http })).rejects.toThrow('connection terminated');
    });
  });

  describe('update', () => {
    it('re-checks the stored (noop) verifier against a new provider, and clears the provider with ""', async () => {
      const w = world();
      const source = await w.create({ type: SourceType.Http });
      expect(await refusedFields(w.sources.update(w.p.id, source.id, { provider: SourceProvider.GitHub }))).toEqual([
        'verifier.type',
        'verifier.hmac.secret',
      ]);
      const withProvider = await w.sources.update(w.p.id, source.id, {
        provider: SourceProvider.GitHub,
        verifier: { type: VerifierType.Hmac, hmac: { secret: 'gh' } } as never,
      });
      expect(withProvider.verifier.hmac?.header).toBe(PROVIDER_RULES[SourceProvider.GitHub].header);
      const cleared = await w.sources.update(w.p.id, source.id, {
        provider: '',
        verifier: { type: VerifierType.Noop } as never,
      });
      expect(cleared).toMatchObject({ provider: null, verifier: { type: VerifierType.Noop } });
      expect(cleared.name).toBe('src');
    });

    it("another project's source is not found", async () => {
      const w = world();
      const source = await w.create({ type: SourceType.Http });
      await expect(w.sources.update(w.project().id, source.id, { name: 'x' })).rejects.toThrow(NotFoundException);
      expect(source.name).toBe('src');
    });
  });

  it('remove soft-deletes the source and the subscriptions bound to it; twice is a 404', async () => {
    const w = world();
    const source = await w.create({ type: SourceType.Http });
    const endpoint = w.endpoint(w.p);
    const { subscription } = await w.subscriptions.create(w.p.id, {
      name: 's',
      endpoint_id: endpoint.id,
      source_id: source.id,
    });
    await w.sources.remove(w.p.id, source.id);
    expect(source.deletedAt).not.toBeNull();
    expect(subscription.deletedAt).not.toBeNull();
    await expect(w.sources.remove(w.p.id, source.id)).rejects.toThrow(NotFoundException);
  });
});
