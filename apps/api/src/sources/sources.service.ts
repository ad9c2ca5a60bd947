import { randomInt } from 'node:crypto';
import { Injectable, NotFoundException } from '@nestjs/common';
import {
  PROVIDER_RULES,
  PubSubConfig,
  PubSubType,
  SourceProvider,
  SourceType,
  VerifierConfig,
  VerifierType,
} from '@caravan/domain';
import { isUniqueViolation, Page, PageQuery, SourceEntity, SourcesRepository } from '@caravan/persistence';
import type { FieldError } from '../common/validation.pipe';
import { InvalidFieldsException } from '../common/invalid-fields.exception';
import type { CustomResponseDto } from './dto/custom-response.dto';
import type { CreateSourceDto } from './dto/create-source.dto';
import type { PubSubDto } from './dto/pub-sub.dto';
import type { UpdateSourceDto } from './dto/update-source.dto';
import type { VerifierDto } from './dto/verifier.dto';

const MASK_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const MASK_LENGTH = 16;
const MASK_ATTEMPTS = 5;
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

/** What decides a source's verifier and broker config: the request's, or the stored one's. */
interface SourceShape {
  type: SourceType;
  provider: SourceProvider | null;
  verifier: VerifierDto | VerifierConfig | null | undefined;
  pubSub: PubSubDto | PubSubConfig | null | undefined;
}

/** Source rules: per-type configs, provider presets, unique URL-safe mask ids. */
@Injectable()
export class SourcesService {
  constructor(private readonly sources: SourcesRepository) {}

  async create(projectId: string, input: CreateSourceDto): Promise<SourceEntity> {
    const resolved = this.resolve({
      type: input.type,
      provider: input.provider || null,
      verifier: input.verifier,
      pubSub: input.pub_sub,
    });
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.sources.insert({
          projectId,
          name: input.name,
          type: input.type,
          maskId: this.newMaskId(),
          ...resolved,
          customResponse: customResponseOf(input.custom_response) ?? null,
          idempotencyKeys: input.idempotency_keys,
          eventTypeLocation: input.event_type_location || null,
          forwardHeaders: input.forward_headers,
          bodyFunction: input.body_function ?? null,
          headerFunction: input.header_function ?? null,
          isDisabled: input.is_disabled,
        });
      } catch (error) {
        if (attempt >= MASK_ATTEMPTS || !this.isMaskCollision(error)) throw error;
      }
    }
  }

  async get(projectId: string, id: string): Promise<SourceEntity> {
    const source = await this.sources.findById(projectId, id);
    if (!source) throw new NotFoundException(`source ${id} not found`);
    return source;
  }

  list(
    projectId: string,
    filter: { type?: SourceType; provider?: SourceProvider },
    page: PageQuery,
  ): Promise<Page<SourceEntity>> {
    return this.sources.listFiltered(projectId, filter, page);
  }

  /** The given fields change; type, provider, verifier and pub_sub are re-checked together. */
  async update(projectId: string, id: string, input: UpdateSourceDto): Promise<SourceEntity> {
    const existing = await this.get(projectId, id);
    const type = input.type ?? existing.type;
    const resolved = this.resolve({
      type,
      provider: input.provider === undefined ? existing.provider : input.provider || null,
      verifier: input.verifier ?? existing.verifier,
      pubSub: input.pub_sub !== undefined ? input.pub_sub : existing.pubSub,
    });
    const changes = {
      name: input.name,
      type: input.type,
      ...resolved,
      customResponse: customResponseOf(input.custom_response),
      idempotencyKeys: input.idempotency_keys,
      eventTypeLocation: input.event_type_location === undefined ? undefined : input.event_type_location || null,
      forwardHeaders: input.forward_headers,
      bodyFunction: input.body_function,
      headerFunction: input.header_function,
      isDisabled: input.is_disabled,
    };
    const defined = Object.fromEntries(Object.entries(changes).filter(([, value]) => value !== undefined));
    const updated = await this.sources.applyChanges(projectId, id, defined);
    if (!updated) throw new NotFoundException(`source ${id} not found`);
    return updated;
  }

  /** Soft delete; the subscriptions bound to the source go with it. */
  async remove(projectId: string, id: string): Promise<void> {
    if (!(await this.sources.softDeleteWithSubscriptions(projectId, id))) {
      throw new NotFoundException(`source ${id} not found`);
    }
  }

  /** The stored verifier, provider and broker config, or a 400 naming every problem. */
  private resolve(shape: SourceShape): {
    provider: SourceProvider | null;
    verifier: VerifierConfig;
    pubSub: PubSubConfig | null;
  } {
    const problems: FieldError[] = [];
    const problem = (field: string, message: string) => problems.push({ field, message: `${field}: ${message}` });
    if (shape.type === SourceType.DbChangeStream) {
      problem('type', 'db_change_stream sources are not supported by Caravan');
    }
    if (shape.provider && shape.type !== SourceType.Http) {
      problem('provider', 'only http sources take a provider');
    }
    const verifier =
      shape.type === SourceType.Http
        ? this.resolveVerifier(shape.provider, shape.verifier, problem)
        : { type: VerifierType.Noop };
    const pubSub = shape.type === SourceType.PubSub ? this.resolvePubSub(shape.pubSub, problem) : null;
    if (problems.length > 0) throw new InvalidFieldsException(problems);
    return { provider: shape.type === SourceType.Http ? shape.provider : null, verifier, pubSub };
  }

  /** A provider implies its hmac preset and needs the secret; otherwise the verifier's own type decides. */
  private resolveVerifier(
    provider: SourceProvider | null,
    verifier: VerifierDto | VerifierConfig | null | undefined,
    problem: (field: string, message: string) => void,
  ): VerifierConfig {
    if (provider) {
      if (verifier && verifier.type !== VerifierType.Hmac) {
        problem('verifier.type', `the ${provider} provider verifies with hmac`);
      }
      const secret = verifier?.hmac?.secret;
      if (!secret) problem('verifier.hmac.secret', `the ${provider} provider needs the webhook secret`);
      // The ingester verifies with the same preset (PROVIDER_RULES); it is stored so reads show it.
      const { header, hash, encoding } = PROVIDER_RULES[provider];
      return { type: VerifierType.Hmac, hmac: { header, hash, encoding, secret: secret ?? '' } };
    }
    switch (verifier?.type ?? VerifierType.Noop) {
      case VerifierType.Hmac: {
        const hmac = verifier?.hmac;
        for (const field of ['header', 'hash', 'encoding'] as const) {
          if (!hmac?.[field]) problem(`verifier.hmac.${field}`, 'is required when no provider preset applies');
        }
        return {
          type: VerifierType.Hmac,
          hmac: {
            header: hmac?.header ?? '',
            hash: hmac?.hash ?? '',
            encoding: hmac?.encoding ?? 'hex',
            secret: hmac?.secret ?? '',
          },
        };
      }
      case VerifierType.BasicAuth: {
        const { username = '', password = '' } = verifier?.basic_auth ?? {};
        return { type: VerifierType.BasicAuth, basic_auth: { username, password } };
      }
      case VerifierType.ApiKey: {
        const { header_name = '', header_value = '' } = verifier?.api_key ?? {};
        return { type: VerifierType.ApiKey, api_key: { header_name, header_value } };
      }
      default:
        return { type: VerifierType.Noop };
    }
  }

  /** Keeps only the sub-config of the broker type, in the stored form. */
  private resolvePubSub(
    pubSub: PubSubDto | PubSubConfig | null | undefined,
    problem: (field: string, message: string) => void,
  ): PubSubConfig | null {
    if (!pubSub) {
      problem('pub_sub', 'is required for a pub_sub source');
      return null;
    }
    const base = { type: pubSub.type, workers: pubSub.workers ?? 1 };
    switch (pubSub.type) {
      case PubSubType.Sqs: {
        const { access_key_id, secret_key, default_region, queue_name, endpoint } = pubSub.sqs ?? ({} as never);
        return {
          ...base,
          sqs: { access_key_id, secret_key, default_region, queue_name, ...(endpoint ? { endpoint } : {}) },
        };
      }
      case PubSubType.Google: {
        const { project_id, subscription_id, service_account, endpoint } = pubSub.google ?? ({} as never);
        const encoded = this.serviceAccount(service_account);
        if (encoded === null) {
          problem(
            'pub_sub.google.service_account',
            'must be the service account key JSON (base64 of it, the object, or its bytes)',
          );
        }
        return {
          ...base,
          google: { project_id, subscription_id, service_account: encoded ?? '', ...(endpoint ? { endpoint } : {}) },
        };
      }
      case PubSubType.Kafka: {
        const { brokers, topic_name, consumer_group_id, auth } = pubSub.kafka ?? ({} as never);
        if (auth?.type && (!auth.username || !auth.password)) {
          problem('pub_sub.kafka.auth', `${auth.type} authentication needs username and password`);
        }
        return {
          ...base,
          kafka: {
            brokers,
            topic_name,
            ...(consumer_group_id ? { consumer_group_id } : {}),
            ...(auth?.type
              ? {
                  auth: {
                    type: auth.type,
                    hash: auth.hash ?? '',
                    tls: auth.tls ?? false,
                    username: auth.username ?? '',
                    password: auth.password ?? '',
                  },
                }
              : {}),
          },
        };
      }
      case PubSubType.Amqp: {
        const amqp = (pubSub.amqp ?? {}) as NonNullable<PubSubDto['amqp']>;
        const bindExchange =
          amqp.bindExchange ??
          (amqp.bindedExchange ? { exchange: amqp.bindedExchange, routingKey: amqp.routingKey ?? '' } : undefined);
        return {
          ...base,
          amqp: {
            schema: amqp.schema || 'amqp',
            host: amqp.host,
            port: amqp.port,
            queue: amqp.queue,
            ...(amqp.vhost ? { vhost: amqp.vhost } : {}),
            ...(amqp.auth ? { auth: { user: amqp.auth.user, password: amqp.auth.password } } : {}),
            ...(bindExchange
              ? { bindExchange: { exchange: bindExchange.exchange, routingKey: bindExchange.routingKey ?? '' } }
              : {}),
            ...(amqp.deadLetterExchange ? { deadLetterExchange: amqp.deadLetterExchange } : {}),
          },
        };
      }
    }
  }

  /**
   * A Google service account key as Convoy stores it (Go []byte: base64 on the wire), from
   * base64, a JSON object or a byte array; null unless it holds a JSON object.
   */
  private serviceAccount(value: unknown): string | null {
    let bytes: Buffer | null = null;
    if (typeof value === 'string') {
      const trimmed = value.trim();
      bytes = trimmed.startsWith('{')
        ? Buffer.from(trimmed, 'utf8')
        : BASE64.test(trimmed)
          ? Buffer.from(trimmed, 'base64')
          : null;
    } else if (Array.isArray(value)) {
      bytes = value.every((byte) => Number.isInteger(byte) && byte >= 0 && byte <= 255) ? Buffer.from(value) : null;
    } else if (typeof value === 'object' && value !== null) {
      bytes = Buffer.from(JSON.stringify(value), 'utf8');
    }
    if (!bytes) return null;
    try {
      const parsed: unknown = JSON.parse(bytes.toString('utf8'));
      return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) ? bytes.toString('base64') : null;
    } catch {
      return null;
    }
  }

  /** 16 random alphanumerics (URL-safe, unbiased); the unique index settles the rare collision. */
  private newMaskId(): string {
    return Array.from({ length: MASK_LENGTH }, () => MASK_ALPHABET[randomInt(MASK_ALPHABET.length)]).join('');
  }

  private isMaskCollision(error: unknown): boolean {
    return isUniqueViolation(error, 'sources_mask_id_key');
  }
}

/**
 * A custom response only when it has a body: Convoy's clients send `{"body":"","content_type":""}`
 * for "none". Undefined (not given) stays undefined so an update leaves the stored one.
 */
function customResponseOf(
  input: CustomResponseDto | null | undefined,
): { body: string; content_type: string } | null | undefined {
  if (input === undefined) return undefined;
  if (!input?.body) return null;
  return { body: input.body, content_type: input.content_type ?? '' };
}
