import { RetryStrategyType } from '@caravan/domain';
import { EndpointEntity } from '@caravan/persistence';
import { eventually, insertEndpoint, insertProject, insertSubscription } from '@caravan/testing';
import { SMTPServer } from 'smtp-server';
import { DispatcherHarness } from './support/dispatcher-harness';
import { defined } from './support/webhook-receiver';

const SECRETS = [{ uid: 's1', value: 'secret', created_at: '2024-01-01T00:00:00Z', expires_at: null }];

interface ReceivedMail {
  to: string[];
  data: string;
}

/** A real SMTP server on 127.0.0.1 (the npm smtp-server), recording every message. */
async function startSmtp(): Promise<{ server: SMTPServer; port: number; mails: ReceivedMail[] }> {
  const mails: ReceivedMail[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        // The body as read: quoted-printable soft line breaks joined, =XX escapes decoded.
        const data = Buffer.concat(chunks)
          .toString('latin1')
          .replace(/=\r?\n/g, '')
          .replace(/=([0-9A-F]{2})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));
        mails.push({
          to: session.envelope.rcptTo.map((rcpt) => rcpt.address),
          data: Buffer.from(data, 'latin1').toString('utf8'),
        });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.server.address() as { port: number }).port;
  return { server, port, mails };
}

/**
 * An endpoint disabled by 410 Gone or by a breaker that keeps tripping notifies its
 * slack_webhook_url (a real local HTTP receiver) and its support_email (a real local SMTP
 * server), once per transition, with the endpoint, the reason and the last failing attempt.
 */
describe('dispatcher: endpoint failure notifications', () => {
  jest.setTimeout(180_000);
  let h: DispatcherHarness;
  let smtp: Awaited<ReturnType<typeof startSmtp>>;

  beforeAll(async () => {
    smtp = await startSmtp();
    h = await DispatcherHarness.start('notify', {
      CARAVAN_SMTP_HOST: '127.0.0.1',
      CARAVAN_SMTP_PORT: String(smtp.port),
      CARAVAN_SMTP_FROM: 'Caravan <alerts@caravan.test>',
      CARAVAN_BREAKER_SAMPLE_SECONDS: '30',
      CARAVAN_BREAKER_FAILURE_THRESHOLD: '50',
      CARAVAN_BREAKER_MIN_REQUESTS: '3',
      CARAVAN_BREAKER_ERROR_TIMEOUT_SECONDS: '2',
      CARAVAN_BREAKER_DISABLE_AFTER_TRIPS: '2',
    });
  });

  afterAll(async () => {
    await h?.stop();
    await new Promise<void>((resolve) => smtp?.server.close(() => resolve()));
  });

  const mailsTo = (address: string) => smtp.mails.filter((mail) => mail.to.includes(address));
  const slackPosts = (path: string) => h.receiver.at(path);

  async function metric(pattern: RegExp): Promise<number> {
    const text = await (await fetch(`${defined(h.dispatchers[0]).url}/metrics`)).text();
    const line = text.split('\n').find((l) => pattern.test(l));
    return line ? Number(line.split(' ').pop()) : 0;
  }

  it('410 Gone: one Slack post and one mail naming the endpoint, the reason and the last attempt; one per transition', async () => {
    h.receiver.script('/gone', { status: 410, body: 'unsubscribed' });
    const project = await insertProject(h.dataSource);
    const endpoint = await insertEndpoint(h.dataSource, project.id, {
      secrets: SECRETS,
      name: 'gone-endpoint',
      url: h.receiver.url('/gone'),
      supportEmail: 'owner-gone@example.com',
      slackWebhookUrl: h.receiver.url('/slack-gone'),
    });
    await insertSubscription(h.dataSource, project.id, endpoint.id);
    const event = await h.publish(project.id, { routing: 'direct', endpointIds: [endpoint.id] });
    const [delivery] = await h.settled(event.id);

    const [mail] = await eventually(
      async () => mailsTo('owner-gone@example.com'),
      (found) => found.length === 1,
      30_000,
    );
    expect(mail.data).toContain('alerts@caravan.test');
    expect(mail.data).toContain('gone-endpoint');
    expect(mail.data).toContain(endpoint.id);
    expect(mail.data).toContain('410 Gone');
    expect(mail.data).toContain(defined(delivery).id);
    expect(mail.data).toContain('unsubscribed');

    const [post] = await eventually(
      async () => slackPosts('/slack-gone'),
      (found) => found.length === 1,
      30_000,
    );
    expect(post.headers['content-type']).toBe('application/json');
    const payload = JSON.parse(post.body.toString('utf8')) as { text: string };
    expect(payload.text).toContain('gone-endpoint');
    expect(payload.text).toContain('410 Gone');
    expect(payload.text).toContain(project.id);

    // Still inactive: a later event is discarded, and no second notification follows.
    const later = await h.publish(project.id, { routing: 'direct', endpointIds: [endpoint.id] });
    await h.settled(later.id);
    // Activated and gone again: a second transition, a second notification.
    await h.dataSource.query(`UPDATE endpoints SET status = 'active' WHERE id = $1`, [endpoint.id]);
    const again = await h.publish(project.id, { routing: 'direct', endpointIds: [endpoint.id] });
    await h.settled(again.id);
    await eventually(
      async () => mailsTo('owner-gone@example.com'),
      (found) => found.length === 2,
      30_000,
    );
    await eventually(
      async () => slackPosts('/slack-gone'),
      (found) => found.length === 2,
      30_000,
    );
    expect(await metric(/^caravan_notifications_total\{.*channel="email".*outcome="sent"/)).toBeGreaterThanOrEqual(2);
    expect(await metric(/^caravan_notifications_total\{.*channel="slack".*outcome="sent"/)).toBeGreaterThanOrEqual(2);
  });

  it('a breaker that keeps tripping under disable_endpoint: one notification for the one transition', async () => {
    h.receiver.script('/tripping', { status: 500 });
    const project = await insertProject(h.dataSource, {
      config: {
        strategy: { type: RetryStrategyType.Linear, duration: 1, retry_count: 20 },
        disable_endpoint: true,
      },
    });
    const endpoint = await insertEndpoint(h.dataSource, project.id, {
      secrets: SECRETS,
      name: 'tripping-endpoint',
      url: h.receiver.url('/tripping'),
      supportEmail: 'owner-trip@example.com',
      slackWebhookUrl: h.receiver.url('/slack-trip'),
    });
    await insertSubscription(h.dataSource, project.id, endpoint.id);
    for (let i = 0; i < 3; i++) {
      await h.publish(project.id, { routing: 'direct', endpointIds: [endpoint.id], body: `{"n":${i}}` });
    }
    await eventually(
      () => h.dataSource.getRepository(EndpointEntity).findOneByOrFail({ id: endpoint.id }),
      (found) => found.status === 'inactive',
      60_000,
    );
    const [mail] = await eventually(
      async () => mailsTo('owner-trip@example.com'),
      (found) => found.length >= 1,
      30_000,
    );
    expect(mail.data).toContain('circuit breaker');
    expect(mail.data).toContain('HTTP status: 500');
    await eventually(
      async () => slackPosts('/slack-trip'),
      (found) => found.length >= 1,
      30_000,
    );
    // Every delivery settles with the endpoint inactive; still one notification per channel.
    await eventually(
      async () =>
        (await h.dataSource.query(
          `SELECT count(*)::int AS n FROM event_deliveries WHERE endpoint_id = $1 AND status IN ('Scheduled','Processing','Retry')`,
          [endpoint.id],
        )) as Array<{ n: number }>,
      (rows) => rows[0].n === 0,
      60_000,
    );
    expect(mailsTo('owner-trip@example.com')).toHaveLength(1);
    expect(slackPosts('/slack-trip')).toHaveLength(1);
  });
});
