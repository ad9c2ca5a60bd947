import {
  DEFAULT_PROJECT_CONFIG,
  MetaEventStatus,
  MetaEventType,
  ProjectType,
  RetryStrategyType,
  SourceType,
  VerifierType,
} from '@caravan/domain';
import {
  createTestDatabase,
  insertDeliveryWorld,
  insertEndpoint,
  insertProject,
  insertSubscription,
  TestDatabase,
} from '@caravan/testing';
import { Test, TestingModule } from '@nestjs/testing';
import { createHash, randomBytes } from 'node:crypto';
import { PersistenceModule } from './persistence.module';
import { PostgresReadinessCheck } from './postgres-readiness.check';
import { ApiKeysRepository } from './repositories/api-keys.repository';
import { DeliveryAttemptsRepository } from './repositories/delivery-attempts.repository';
import { MetaEventsRepository } from './repositories/meta-events.repository';
import { ProjectsRepository } from './repositories/projects.repository';
import { SourcesRepository } from './repositories/sources.repository';
import { SubscriptionsRepository } from './repositories/subscriptions.repository';

describe('PersistenceModule and its repositories', () => {
  let db: TestDatabase;
  let moduleRef: TestingModule;

  beforeAll(async () => {
    db = await createTestDatabase();
    moduleRef = await Test.createTestingModule({
      imports: [PersistenceModule.forRoot({ url: db.url, poolSize: 3 })],
    }).compile();
    await moduleRef.init();
  });

  afterAll(async () => {
    await moduleRef?.close();
    await db.drop();
  });

  it('provides a Postgres readiness check that answers through the pool', async () => {
    const readiness = moduleRef.get(PostgresReadinessCheck);
    expect(readiness.name).toBe('postgres');
    await expect(readiness.check()).resolves.toBeUndefined();
  });

  describe('ProjectsRepository', () => {
    it('stores a full config, merging the given sections over the defaults', async () => {
      const projects = moduleRef.get(ProjectsRepository);
      const project = await projects.create({
        name: 'acme',
        type: ProjectType.Outgoing,
        config: { strategy: { type: RetryStrategyType.Exponential }, disable_endpoint: true },
      });
      expect(project.config).toEqual({
        ...DEFAULT_PROJECT_CONFIG,
        strategy: { ...DEFAULT_PROJECT_CONFIG.strategy, type: RetryStrategyType.Exponential },
        disable_endpoint: true,
        // Generated when none is given: meta events are never signed with an empty key.
        meta_event: { ...DEFAULT_PROJECT_CONFIG.meta_event, secret: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/) },
      });
      const [{ config }] = await db.dataSource.query(`SELECT config FROM projects WHERE id = $1`, [project.id]);
      expect(config).toEqual(project.config); // stored full, not just the overrides

      const updated = await projects.update(project.id, { config: { ratelimit: { count: 5 } } });
      expect(updated?.config.ratelimit).toEqual({ count: 5, duration: DEFAULT_PROJECT_CONFIG.ratelimit.duration });
      expect(updated?.config.strategy.type).toBe(RetryStrategyType.Exponential);
      expect(updated?.config.meta_event.secret).toBe(project.config.meta_event.secret);
      const blank = await projects.update(project.id, { config: { meta_event: { secret: '' } } });
      expect(blank?.config.meta_event.secret).toBe(project.config.meta_event.secret);
      const given = await projects.update(project.id, { config: { meta_event: { secret: 'chosen' } } });
      expect(given?.config.meta_event.secret).toBe('chosen');

      expect(await projects.softDelete(project.id)).toBe(true);
      expect(await projects.findById(project.id)).toBeNull();
      expect(await projects.softDelete(project.id)).toBe(false);
    });
  });

  describe('ApiKeysRepository.findActiveByMask', () => {
    const hash = (secret: string) => createHash('sha256').update(secret).digest('hex');
    const mask = () => randomBytes(8).toString('hex');

    it('finds a live key and refuses revoked, expired and deleted-project keys', async () => {
      const keys = moduleRef.get(ApiKeysRepository);
      const project = await insertProject(db.dataSource);
      const live = await keys.insert({ projectId: project.id, name: 'k', maskId: mask(), keyHash: hash('s1') });
      const revoked = await keys.insert({ projectId: project.id, name: 'k', maskId: mask(), keyHash: hash('s2') });
      const expired = await keys.insert({
        projectId: project.id,
        name: 'k',
        maskId: mask(),
        keyHash: hash('s3'),
        expiresAt: new Date(Date.now() - 60_000),
      });
      expect(await keys.revoke(project.id, revoked.id)).toBe(true);

      expect(await keys.findActiveByMask(live.maskId)).toMatchObject({
        id: live.id,
        projectId: project.id,
        keyHash: hash('s1'),
        role: 'admin',
        keyType: 'project',
      });
      expect(await keys.findActiveByMask(revoked.maskId)).toBeNull();
      expect(await keys.findActiveByMask(expired.maskId)).toBeNull();
      expect(await keys.findActiveByMask('nope')).toBeNull();

      await moduleRef.get(ProjectsRepository).softDelete(project.id);
      expect(await keys.findActiveByMask(live.maskId)).toBeNull();
    });

    it('rejects a key hash that is not hex SHA-256 (the plain key must never be stored)', async () => {
      const project = await insertProject(db.dataSource);
      await expect(
        moduleRef
          .get(ApiKeysRepository)
          .insert({ projectId: project.id, name: 'k', maskId: mask(), keyHash: 'CO.abc.plaintext' }),
      ).rejects.toMatchObject({ driverError: { code: '23514' } });
    });
  });

  describe('SourcesRepository.findByMaskId', () => {
    it('finds live sources by mask across projects, with their JSON config intact', async () => {
      const sources = moduleRef.get(SourcesRepository);
      const project = await insertProject(db.dataSource, { type: ProjectType.Incoming });
      const verifier = {
        type: VerifierType.Hmac,
        hmac: { header: 'X-Hub-Signature-256', hash: 'SHA256', secret: 's', encoding: 'hex' as const },
      };
      const source = await sources.insert({
        projectId: project.id,
        name: 'github',
        type: SourceType.Http,
        maskId: randomBytes(8).toString('hex'),
        verifier,
        idempotencyKeys: ['header.X-GitHub-Delivery'],
      });
      expect(await sources.findByMaskId(source.maskId)).toMatchObject({
        id: source.id,
        verifier,
        idempotencyKeys: ['header.X-GitHub-Delivery'],
        forwardHeaders: [],
        isDisabled: false,
        pubSub: null,
      });
      await db.dataSource.query(`UPDATE sources SET deleted_at = now() WHERE id = $1`, [source.id]);
      expect(await sources.findByMaskId(source.maskId)).toBeNull();
    });
  });

  describe('SubscriptionsRepository.findForEventType', () => {
    it('matches the exact type and the catch-all, within the project, skipping deleted ones', async () => {
      const subscriptions = moduleRef.get(SubscriptionsRepository);
      const project = await insertProject(db.dataSource);
      const endpointA = await insertEndpoint(db.dataSource, project.id);
      const endpointB = await insertEndpoint(db.dataSource, project.id);
      const exact = await insertSubscription(db.dataSource, project.id, endpointA.id, {
        eventTypes: ['invoice.paid', 'invoice.void'],
      });
      const catchAll = await insertSubscription(db.dataSource, project.id, endpointB.id); // default ['*']
      await insertSubscription(db.dataSource, project.id, endpointA.id, { eventTypes: ['user.created'] });
      const deleted = await insertSubscription(db.dataSource, project.id, endpointA.id, { eventTypes: ['*'] });
      await db.dataSource.query(`UPDATE subscriptions SET deleted_at = now() WHERE id = $1`, [deleted.id]);
      const elsewhere = await insertProject(db.dataSource);
      const foreignEndpoint = await insertEndpoint(db.dataSource, elsewhere.id);
      await insertSubscription(db.dataSource, elsewhere.id, foreignEndpoint.id);

      const found = await subscriptions.findForEventType(project.id, 'invoice.paid');
      expect(found.map((s) => s.id)).toEqual([exact.id, catchAll.id]);
      expect(catchAll.eventTypes).toEqual(['*']);

      const forA = await subscriptions.findForEventType(project.id, 'invoice.paid', [endpointA.id]);
      expect(forA.map((s) => s.id)).toEqual([exact.id]);
      expect(await subscriptions.findForEventType(project.id, 'invoice.paid', [])).toEqual([]);
    });
  });

  describe('DeliveryAttemptsRepository.insertMany', () => {
    it('writes a batch in one call and lists it per delivery, in order', async () => {
      const attempts = moduleRef.get(DeliveryAttemptsRepository);
      const world = await insertDeliveryWorld(db.dataSource, { eventCount: 1, subscriptionCount: 2 });
      const [first, second] = world.deliveryIds;
      const base = { projectId: world.project.id, endpointId: world.endpoint.id, url: world.endpoint.url };
      const ids = await attempts.insertMany([
        { ...base, eventDeliveryId: first, success: false, latencyMs: 30, httpStatus: 500, responseData: 'oops' },
        { ...base, eventDeliveryId: first, success: true, latencyMs: 12, httpStatus: 200 },
        { ...base, eventDeliveryId: second, success: false, latencyMs: 5000, error: 'timeout' },
      ]);
      expect(ids).toHaveLength(3);

      const listed = await attempts.listForDelivery(world.project.id, first);
      expect(listed.map((a) => [a.httpStatus, a.success, a.responseData])).toEqual([
        [500, false, 'oops'],
        [200, true, ''],
      ]);
      expect(listed[0]).toMatchObject({ method: 'POST', requestHttpHeader: {}, error: null });
      expect(await attempts.listForDelivery(world.project.id, second)).toHaveLength(1);
      expect(await attempts.listForDelivery('01H3FRSZYKNYWGPVV46RN98PM5', first)).toEqual([]);
    });
  });

  describe('MetaEventsRepository', () => {
    it('stores the exact payload and claims due meta events once', async () => {
      const metaEvents = moduleRef.get(MetaEventsRepository);
      const project = await insertProject(db.dataSource);
      const payload = Buffer.from('{\n  "event_type": "endpoint.created",\n  "data": {"title": "Zoë"}\n}');
      const due = await metaEvents.insert({
        projectId: project.id,
        eventType: MetaEventType.EndpointCreated,
        payload,
        retryLimit: 3,
      });
      const later = await metaEvents.insert({
        projectId: project.id,
        eventType: MetaEventType.EndpointUpdated,
        payload,
        retryLimit: 3,
        nextSendTime: new Date(Date.now() + 3_600_000),
      });
      expect(due.status).toBe(MetaEventStatus.Scheduled);
      expect((await metaEvents.findById(project.id, due.id))?.payload.equals(payload)).toBe(true);

      const claimed = await metaEvents.claimDue([due.id, later.id], 30);
      expect(claimed.map((m) => [m.id, m.status])).toEqual([[due.id, MetaEventStatus.Processing]]);
      expect(await metaEvents.claimDue([due.id, later.id], 30)).toEqual([]);

      const page = await metaEvents.list(project.id);
      expect(page.content.map((m) => m.id)).toEqual([later.id, due.id]);
    });
  });
});
