import { createServer } from 'node:net';
import { createTestDatabase, eventually, ServiceProcess, spawnService, TestDatabase } from '@caravan/testing';

/** A port nothing listens on: bound, noted and closed. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** What a newcomer sees when Postgres or Kafka is not running: which one, and what to run. */
describe('start-up with a dependency missing', () => {
  jest.setTimeout(180_000);
  let database: TestDatabase;
  const running: ServiceProcess[] = [];

  beforeAll(async () => {
    database = await createTestDatabase({ poolSize: 1 });
  });

  afterAll(async () => {
    await Promise.all(running.map((service) => service.stop('SIGKILL')));
    await database?.drop();
  });

  it('Postgres unreachable: the service exits, naming Postgres, CARAVAN_DATABASE_URL and the command to run', async () => {
    const port = await closedPort();
    const api = spawnService('api', await closedPort(), {
      CARAVAN_DATABASE_URL: `postgres://postgres:hunter2@127.0.0.1:${port}/caravan`,
    });
    running.push(api);
    expect(await api.exited).toBe(1);
    expect(api.output()).toContain(
      `caravan api: cannot reach Postgres at 127.0.0.1:${port}/caravan (CARAVAN_DATABASE_URL): connect ECONNREFUSED 127.0.0.1:${port}. ` +
        'On a development machine run ./scripts/infra.sh up postgres',
    );
    expect(api.output()).not.toContain('hunter2');
  });

  it('Kafka unreachable: the service stays up, not ready, and says once what to run', async () => {
    const port = await closedPort();
    const dispatcher = spawnService('dispatcher', await closedPort(), {
      CARAVAN_DATABASE_URL: database.url,
      CARAVAN_KAFKA_BROKERS: `127.0.0.1:${port}`,
      CARAVAN_LOG_LEVEL: 'warn',
    });
    running.push(dispatcher);
    const said = await eventually(
      async () => dispatcher.output(),
      (output) => output.includes('./scripts/infra.sh up kafka'),
      120_000,
    );
    expect(said).toContain(`cannot reach Kafka at 127.0.0.1:${port} (CARAVAN_KAFKA_BROKERS)`);
    expect(dispatcher.child.exitCode).toBeNull();
    expect((await fetch(`${dispatcher.url}/readyz`)).status).toBe(503);
  });
});
