import { createServer, Server, Socket, connect } from 'node:net';
import { Logger } from '@nestjs/common';
import { createTestDatabase, eventually, TestDatabase } from '@caravan/testing';
import { ApiHarness, startApiHarness } from '../testing/api-harness';
import { EventFixtures, waitFor } from '../testing/event-fixtures.helper';

/** A TCP relay in front of Postgres that the test can cut, making the database unreachable. */
async function startRelay(target: { host: string; port: number }): Promise<{ port: number; cut(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((client) => {
    const upstream = connect(target.port, target.host);
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
      socket.on('error', () => undefined);
    }
    client.pipe(upstream).pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as { port: number }).port,
    cut: async () => {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const socket of sockets) socket.destroy();
      await closed;
    },
  };
}

describe('events when Kafka or Postgres is down', () => {
  jest.setTimeout(120_000);

  describe('Kafka unreachable', () => {
    let api: ApiHarness;
    let warn: jest.SpyInstance;

    beforeAll(async () => {
      api = await startApiHarness({ CARAVAN_KAFKA_BROKERS: '127.0.0.1:1' });
      warn = jest.spyOn(Logger.prototype, 'warn');
    });

    afterAll(async () => {
      warn?.mockRestore();
      await api?.close();
    });

    it('still answers 201 and leaves the event Pending in Postgres for the scheduler', async () => {
      const { projectId, apiKey } = await api.createProject();
      const endpoint = await new EventFixtures(api.app).endpoint(projectId);
      const started = Date.now();
      const response = await api.request('POST', `/api/v1/projects/${projectId}/events`, {
        key: apiKey,
        body: { endpoint_id: endpoint.id, event_type: 'kafka.down', data: { safe: true } },
      });
      expect(response.status).toBe(201);
      // The request does not wait for Kafka's connection retries.
      expect(Date.now() - started).toBeLessThan(2_000);
      const rows = await api.database.dataSource.query('SELECT status, raw FROM events WHERE id = $1', [
        response.body.data.uid,
      ]);
      expect(rows).toHaveLength(1);
      expect(rows[0].status).toBe('Pending');
      expect(rows[0].raw.toString()).toBe('{"safe":true}');
      // The lost doorbell is logged with the project and event ids (fields) once Kafka's retries give up.
      const logged = await waitFor(
        () =>
          warn.mock.calls.find((call) => {
            const fields = call[0] as { project_id?: string; event_ids?: string[] } | undefined;
            return fields?.project_id === projectId && !!fields.event_ids?.includes(response.body.data.uid);
          }),
        90_000,
        'the doorbell failure log line',
      );
      expect(logged?.[1]).toBe('event doorbells for committed rows failed; the scheduler will ring them again');
      expect(logged?.[0]).toMatchObject({ doorbells: 1, err: expect.any(Error) });
    });
  });

  describe('Postgres unreachable', () => {
    let api: ApiHarness;
    let database: TestDatabase;
    let relay: { port: number; cut(): Promise<void> };

    beforeAll(async () => {
      database = await createTestDatabase();
      const url = new URL(database.url);
      relay = await startRelay({ host: url.hostname, port: Number(url.port || 5432) });
      url.host = `127.0.0.1:${relay.port}`;
      api = await startApiHarness({ CARAVAN_DATABASE_URL: url.toString() });
    });

    afterAll(async () => {
      await api?.close();
      await database?.drop();
    });

    it('answers 503 (never 201) and stores nothing', async () => {
      const { projectId } = await api.createProject();
      const endpoint = await new EventFixtures(api.app).endpoint(projectId);
      const body = { endpoint_id: endpoint.id, event_type: 'pg.down', data: { lost: false } };
      const before = await api.request('POST', `/api/v1/projects/${projectId}/events`, { body });
      expect(before.status).toBe(201);

      await relay.cut();
      // Readiness queries Postgres through the same pool: once it fails, the cut is seen.
      await eventually(
        () => api.request('GET', '/readyz'),
        (response) => response.status === 503,
      );
      for (let i = 0; i < 3; i += 1) {
        const response = await api.request('POST', `/api/v1/projects/${projectId}/events`, { body });
        expect(response.status).toBe(503);
        expect(response.body).toEqual({ status: false, message: 'the database is unavailable; retry later' });
        expect(response.headers.get('retry-after')).toBe('5');
      }
      const rows = await database.dataSource.query(`SELECT id FROM events WHERE event_type = 'pg.down'`);
      expect(rows.map((row: { id: string }) => row.id)).toEqual([before.body.data.uid]);
    });
  });
});
