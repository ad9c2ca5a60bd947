import { Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { MetricsRegistry } from '@caravan/observability';
import type { EndpointEntity, EventDeliveryEntity, NewDeliveryAttempt, ProjectEntity } from '@caravan/persistence';
import { Counter } from 'prom-client';
import { WebhookClient } from '../sender/webhook.client';
import { NotificationMailer } from './notification.mailer';

/** An endpoint the sender just set inactive, with what made it so. */
export interface DisabledEndpoint {
  endpoint: EndpointEntity;
  project: ProjectEntity;
  delivery: EventDeliveryEntity;
  /** The failing attempt that disabled it. */
  attempt: NewDeliveryAttempt | null;
}

type Channel = 'slack' | 'email';
type Outcome = 'sent' | 'failed' | 'skipped';

const SLACK_TIMEOUT_MS = 10_000;
/** Response bytes quoted in a notification. */
const RESPONSE_EXCERPT = 500;

/**
 * Tells an endpoint's owner it was disabled (410 Gone, or a breaker that kept tripping): a
 * Slack-compatible POST to its `slack_webhook_url` (through the delivery client, so the SSRF
 * guard applies) and a mail to its `support_email`. The caller calls once per transition to
 * inactive (the status update that made it succeeded), so each channel gets at most one
 * notification per transition. Sending runs in the background: a slow mail server never holds
 * up delivery outcomes; shutdown waits for what is in flight.
 */
@Injectable()
export class EndpointFailureNotifier implements OnApplicationShutdown {
  private readonly logger = new Logger(EndpointFailureNotifier.name);
  private readonly notifications: Counter<'channel' | 'outcome'>;
  private readonly inFlight = new Set<Promise<void>>();

  constructor(
    private readonly webhooks: WebhookClient,
    private readonly mailer: NotificationMailer,
    metrics: MetricsRegistry,
  ) {
    this.notifications = new Counter({
      name: 'caravan_notifications_total',
      help: 'Endpoint failure notifications (endpoint disabled), by channel and outcome',
      labelNames: ['channel', 'outcome'],
      registers: [metrics.registry],
    });
  }

  /** Starts the notifications of one disabled endpoint; never throws. */
  endpointDisabled(disabled: DisabledEndpoint): void {
    const work = this.notify(disabled).finally(() => this.inFlight.delete(work));
    this.inFlight.add(work);
  }

  /** Resolves when every notification started so far has settled (tests, shutdown). */
  async settled(): Promise<void> {
    await Promise.all(this.inFlight);
  }

  async onApplicationShutdown(): Promise<void> {
    await this.settled();
  }

  private async notify(disabled: DisabledEndpoint): Promise<void> {
    const { endpoint } = disabled;
    const summary = describe(disabled);
    await Promise.all([
      endpoint.slackWebhookUrl
        ? this.attempt('slack', disabled, () => this.postToSlack(endpoint.slackWebhookUrl, summary))
        : Promise.resolve(),
      endpoint.supportEmail
        ? this.mailer.enabled
          ? this.attempt('email', disabled, () =>
              this.mailer.send({ to: endpoint.supportEmail, subject: summary.subject, text: summary.text }),
            )
          : Promise.resolve(this.record('email', 'skipped', disabled, 'no SMTP server configured (CARAVAN_SMTP_HOST)'))
        : Promise.resolve(),
    ]);
  }

  private async attempt(channel: Channel, disabled: DisabledEndpoint, send: () => Promise<void>): Promise<void> {
    try {
      await send();
      this.record(channel, 'sent', disabled);
    } catch (error) {
      this.record(channel, 'failed', disabled, (error as Error).message);
    }
  }

  private async postToSlack(url: string, summary: Summary): Promise<void> {
    const response = await this.webhooks.post({
      url,
      body: Buffer.from(JSON.stringify({ text: `${summary.subject}\n${summary.text}` })),
      headers: { 'content-type': 'application/json', 'user-agent': 'Caravan' },
      timeoutMs: SLACK_TIMEOUT_MS,
    });
    if (response.statusCode === null || response.statusCode < 200 || response.statusCode >= 300) {
      throw new Error(response.error ?? `the Slack webhook answered ${response.statusCode}`);
    }
  }

  private record(channel: Channel, outcome: Outcome, { endpoint, project }: DisabledEndpoint, error?: string): void {
    this.notifications.inc({ channel, outcome });
    const fields = { channel, outcome, project_id: project.id, endpoint_id: endpoint.id, error };
    if (outcome === 'sent') this.logger.log(fields, 'endpoint failure notification sent');
    else this.logger.warn(fields, `endpoint failure notification ${outcome}`);
  }
}

interface Summary {
  subject: string;
  text: string;
}

/** The notification's words: the endpoint, why it was disabled, the last failing attempt. */
function describe({ endpoint, project, delivery, attempt }: DisabledEndpoint): Summary {
  const reason =
    attempt?.httpStatus === 410
      ? 'it answered 410 Gone, which asks senders to stop'
      : 'its circuit breaker kept tripping and the project disables such endpoints';
  const lines = [
    `Caravan set endpoint "${endpoint.name}" (${endpoint.id}) of project "${project.name}" (${project.id}) inactive: ${reason}.`,
    `URL: ${endpoint.url}`,
    '',
    'Last failing attempt:',
    `  delivery: ${delivery.id} (event ${delivery.eventId}, type ${delivery.eventType})`,
    `  at: ${new Date().toISOString()}`,
    `  HTTP status: ${attempt?.httpStatus ?? 'no response'}`,
  ];
  if (attempt?.error) lines.push(`  error: ${attempt.error}`);
  if (attempt?.responseData) lines.push(`  response: ${attempt.responseData.slice(0, RESPONSE_EXCERPT)}`);
  lines.push('', 'No more deliveries are sent to it until it is activated again (POST …/endpoints/{id}/activate).');
  return { subject: `[Caravan] endpoint "${endpoint.name}" disabled`, text: lines.join('\n') };
}
