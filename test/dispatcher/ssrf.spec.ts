import { ProjectEntity } from '@caravan/persistence';
import { insertEndpoint, insertProject, insertSubscription } from '@caravan/testing';
import { DispatcherHarness } from './support/dispatcher-harness';
import { defined } from './support/webhook-receiver';

/**
 * The SSRF guard as a plain `node dist/apps/dispatcher/main.js` runs it (CARAVAN_SSRF_ALLOW_CIDRS
 * absent): nothing loopback or private is reached.
 */
describe('dispatcher: SSRF guard', () => {
  jest.setTimeout(90_000);
  let h: DispatcherHarness;
  let project: ProjectEntity;

  beforeAll(async () => {
    h = await DispatcherHarness.start('ssrf', { CARAVAN_SSRF_ALLOW_CIDRS: undefined });
    project = await insertProject(h.dataSource);
  });

  afterAll(async () => {
    await h?.stop();
  });

  it.each([
    [
      'a host name resolving to loopback',
      (port: number) => `http://localhost:${port}/ssrf`,
      /destination (127\.0\.0\.1|::1) is a loopback address; not allowed/,
    ],
    [
      'a private address literal',
      () => 'http://10.0.0.5/hook',
      /^SSRF guard: destination 10\.0\.0\.5 is a private address; not allowed \(.*CARAVAN_SSRF_ALLOW_CIDRS, e\.g\. 10\.0\.0\.5\/32\)$/,
    ],
    ['the metadata address', () => 'http://169.254.169.254/latest/meta-data', /cloud metadata address; not allowed/],
    [
      'an IPv4-mapped IPv6 loopback',
      (port: number) => `http://[::ffff:127.0.0.1]:${port}/ssrf`,
      /127\.0\.0\.1 is a loopback address/,
    ],
  ])('refuses %s, failing the delivery at once with a clear description', async (_name, url, description) => {
    const endpoint = await insertEndpoint(h.dataSource, project.id, {
      url: url(h.receiver.port),
      secrets: [
        {
          uid: 's1',
          value: 'secret',
          created_at: '2024-01-01T00:00:00Z',
          expires_at: null,
        },
      ],
    });
    await insertSubscription(h.dataSource, project.id, endpoint.id);
    const event = await h.publish(project.id, {
      routing: 'direct',
      endpointIds: [endpoint.id],
    });
    const [delivery] = await h.settled(event.id);
    expect(delivery?.status).toBe('Failure');
    expect(delivery?.description).toMatch(description);
    const attempts = await h.attemptsOf(defined(delivery).id);
    expect(attempts).toHaveLength(1);
    expect(attempts[0]?.error).toMatch(description);
    expect(h.receiver.requests).toHaveLength(0);
  });
});
