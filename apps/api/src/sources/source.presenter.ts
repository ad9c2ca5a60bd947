import { SourceType } from '@caravan/domain';
import type { PubSubConfig, VerifierConfig } from '@caravan/domain';
import type { SourceEntity } from '@caravan/persistence';

const iso = (date: Date | null | undefined): string | null => (date ? date.toISOString() : null);

function presentVerifier(verifier: VerifierConfig) {
  return {
    type: verifier.type,
    hmac: verifier.hmac ?? null,
    basic_auth: verifier.basic_auth ?? null,
    api_key: verifier.api_key ?? null,
  };
}

/** Convoy's response form: the amqp exchange binding is flattened to bindedExchange/routingKey. */
function presentPubSub(pubSub: PubSubConfig | null) {
  if (!pubSub) return null;
  const { amqp } = pubSub;
  return {
    type: pubSub.type,
    workers: pubSub.workers,
    sqs: pubSub.sqs ?? null,
    google: pubSub.google ?? null,
    kafka: pubSub.kafka ? { consumer_group_id: '', auth: null, ...pubSub.kafka } : null,
    amqp: amqp
      ? {
          schema: amqp.schema ?? 'amqp',
          host: amqp.host,
          port: amqp.port,
          queue: amqp.queue,
          vhost: amqp.vhost ?? '',
          auth: amqp.auth ?? null,
          bindedExchange: amqp.bindExchange?.exchange ?? '',
          routingKey: amqp.bindExchange?.routingKey ?? '',
          deadLetterExchange: amqp.deadLetterExchange ?? '',
        }
      : null,
  };
}

/**
 * A source as Convoy shows it (docs/architecture.md#convoy-compatibility). Verifier secrets and broker credentials are shown,
 * as Convoy shows them, to the project's own key. `url` is the ingest URL of http sources.
 */
export function presentSource(source: SourceEntity, ingestBaseUrl: string) {
  return {
    uid: source.id,
    project_id: source.projectId,
    mask_id: source.maskId,
    name: source.name,
    type: source.type,
    provider: source.provider ?? '',
    url: source.type === SourceType.Http ? `${ingestBaseUrl}/${source.maskId}` : '',
    is_disabled: source.isDisabled,
    verifier: presentVerifier(source.verifier),
    custom_response: source.customResponse ?? { body: '', content_type: '' },
    idempotency_keys: source.idempotencyKeys,
    event_type_location: source.eventTypeLocation ?? '',
    forward_headers: source.forwardHeaders,
    pub_sub: presentPubSub(source.pubSub),
    provider_config: source.providerConfig,
    body_function: source.bodyFunction ?? '',
    header_function: source.headerFunction ?? '',
    created_at: iso(source.createdAt),
    updated_at: iso(source.updatedAt),
    deleted_at: iso(source.deletedAt),
  };
}
