import { PROVIDER_RULES, type SourceProvider } from '@caravan/domain';

/**
 * The source form <-> the api's source body (Convoy's names): an http source's verifier (or a
 * provider preset, which needs only the secret), or a pub_sub source's broker settings. Only
 * the chosen verifier's or broker's fields are sent; the api names any it refuses by path
 * (`verifier.hmac.secret`, `pub_sub.kafka.brokers`), and the form shows it at that field.
 */

export const VERIFIERS = ['noop', 'hmac', 'basic_auth', 'api_key'] as const;
export const BROKERS = ['sqs', 'google', 'kafka', 'amqp'] as const;
export const PROVIDERS = ['github', 'shopify', 'twitter'] as const;

export interface SourceForm {
  name: string;
  type: 'http' | 'pub_sub';
  provider: '' | SourceProvider;
  verifier: (typeof VERIFIERS)[number];
  hmac: { header: string; hash: string; encoding: string; secret: string };
  basicAuth: { username: string; password: string };
  apiKey: { header_name: string; header_value: string };
  broker: (typeof BROKERS)[number];
  workers: string;
  sqs: { access_key_id: string; secret_key: string; default_region: string; queue_name: string; endpoint: string };
  /** service_account: the key JSON (or Convoy's base64 of it). */
  google: { project_id: string; subscription_id: string; service_account: string; endpoint: string };
  /** brokers: comma-separated host:port. */
  kafka: {
    brokers: string;
    topic_name: string;
    consumer_group_id: string;
    authType: '' | 'plain' | 'scram';
    hash: string;
    tls: boolean;
    username: string;
    password: string;
  };
  amqp: {
    schema: string;
    host: string;
    port: string;
    queue: string;
    vhost: string;
    user: string;
    password: string;
    exchange: string;
    routingKey: string;
    deadLetterExchange: string;
  };
}

export const EMPTY_SOURCE_FORM: SourceForm = {
  name: '',
  type: 'http',
  provider: '',
  verifier: 'noop',
  hmac: { header: 'X-Signature', hash: 'SHA256', encoding: 'hex', secret: '' },
  basicAuth: { username: '', password: '' },
  apiKey: { header_name: 'X-Api-Key', header_value: '' },
  broker: 'sqs',
  workers: '1',
  sqs: { access_key_id: '', secret_key: '', default_region: 'eu-west-1', queue_name: '', endpoint: '' },
  google: { project_id: '', subscription_id: '', service_account: '', endpoint: '' },
  kafka: {
    brokers: '',
    topic_name: '',
    consumer_group_id: '',
    authType: '',
    hash: 'SHA256',
    tls: false,
    username: '',
    password: '',
  },
  amqp: {
    schema: 'amqp',
    host: '',
    port: '5672',
    queue: '',
    vhost: '',
    user: '',
    password: '',
    exchange: '',
    routingKey: '',
    deadLetterExchange: '',
  },
};

/** A source as the api answers it (the parts the form edits). */
export interface SourceRow {
  name: string;
  type: string;
  provider: string;
  verifier: {
    type: string;
    hmac?: { header: string; hash: string; encoding: string; secret: string } | null;
    basic_auth?: { username: string; password: string } | null;
    api_key?: { header_name: string; header_value: string } | null;
  } | null;
  pub_sub?: {
    type: string;
    workers: number;
    sqs?: Partial<SourceForm['sqs']> | null;
    google?: { project_id: string; subscription_id: string; service_account: unknown; endpoint?: string } | null;
    kafka?: {
      brokers: string[];
      topic_name: string;
      consumer_group_id?: string;
      auth?: { type?: string; hash?: string; tls?: boolean; username?: string; password?: string } | null;
    } | null;
    amqp?: {
      schema?: string;
      host: string;
      port: string;
      queue: string;
      vhost?: string;
      auth?: { user: string; password: string } | null;
      bindedExchange?: string;
      routingKey?: string;
      deadLetterExchange?: string;
    } | null;
  } | null;
}

const trimmed = (value: string) => value.trim() || undefined;

/** Drops undefined members (unset), so the api applies its defaults. */
function compact<T extends Record<string, unknown>>(object: T): Partial<T> {
  return Object.fromEntries(Object.entries(object).filter(([, value]) => value !== undefined)) as Partial<T>;
}

/** The service account as typed: a JSON object when it parses as one, else the text (base64). */
function serviceAccount(text: string): unknown {
  try {
    const parsed: unknown = JSON.parse(text);
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) return parsed;
  } catch {
    // not JSON: Convoy's base64 form, sent as typed
  }
  return text.trim();
}

function verifierBody(form: SourceForm) {
  if (form.provider) return { type: 'hmac', hmac: { secret: form.hmac.secret } };
  switch (form.verifier) {
    case 'hmac':
      return { type: 'hmac', hmac: { ...form.hmac, header: form.hmac.header.trim() } };
    case 'basic_auth':
      return { type: 'basic_auth', basic_auth: { ...form.basicAuth } };
    case 'api_key':
      return { type: 'api_key', api_key: { ...form.apiKey, header_name: form.apiKey.header_name.trim() } };
    default:
      return { type: 'noop' };
  }
}

function brokerBody(form: SourceForm): Record<string, unknown> {
  switch (form.broker) {
    case 'sqs':
      return compact({ ...form.sqs, endpoint: trimmed(form.sqs.endpoint) });
    case 'google':
      return compact({
        project_id: form.google.project_id,
        subscription_id: form.google.subscription_id,
        service_account: serviceAccount(form.google.service_account),
        endpoint: trimmed(form.google.endpoint),
      });
    case 'kafka': {
      const { brokers, topic_name, consumer_group_id, authType, hash, tls, username, password } = form.kafka;
      return compact({
        brokers: brokers
          .split(',')
          .map((broker) => broker.trim())
          .filter(Boolean),
        topic_name,
        consumer_group_id: trimmed(consumer_group_id),
        auth: authType
          ? compact({ type: authType, hash: authType === 'scram' ? hash : undefined, tls, username, password })
          : undefined,
      });
    }
    case 'amqp': {
      const { schema, host, port, queue, vhost, user, password, exchange, routingKey, deadLetterExchange } = form.amqp;
      return compact({
        schema,
        host,
        port: port.trim(),
        queue,
        vhost: trimmed(vhost),
        auth: user ? { user, password } : undefined,
        bindExchange: exchange ? compact({ exchange, routingKey: trimmed(routingKey) }) : undefined,
        deadLetterExchange: trimmed(deadLetterExchange),
      });
    }
  }
}

/** The POST /sources (or PUT /sources/{id}) body of a form. */
export function toSourceBody(form: SourceForm): Record<string, unknown> {
  if (form.type === 'http') {
    return compact({
      name: form.name.trim(),
      type: 'http',
      provider: form.provider || undefined,
      verifier: verifierBody(form),
    });
  }
  const workers = form.workers.trim();
  return {
    name: form.name.trim(),
    type: 'pub_sub',
    pub_sub: compact({
      type: form.broker,
      workers: workers === '' ? undefined : /^\d+$/.test(workers) ? Number(workers) : workers,
      [form.broker]: brokerBody(form),
    }),
  };
}

/** The header, hash and encoding a provider preset verifies with (shown, not edited). */
export function providerPreset(provider: SourceProvider) {
  return PROVIDER_RULES[provider];
}

/** An existing source in the form, to edit it. */
export function toSourceForm(source: SourceRow): SourceForm {
  const form: SourceForm = structuredClone(EMPTY_SOURCE_FORM);
  form.name = source.name;
  if (source.type !== 'pub_sub') {
    form.type = 'http';
    form.provider = (PROVIDERS as readonly string[]).includes(source.provider)
      ? (source.provider as SourceProvider)
      : '';
    const verifier = source.verifier;
    form.verifier = (VERIFIERS as readonly string[]).includes(verifier?.type ?? '')
      ? (verifier?.type as SourceForm['verifier'])
      : 'noop';
    if (verifier?.hmac) form.hmac = { ...form.hmac, ...verifier.hmac };
    if (verifier?.basic_auth) form.basicAuth = { ...verifier.basic_auth };
    if (verifier?.api_key) form.apiKey = { ...verifier.api_key };
    return form;
  }
  const pubSub = source.pub_sub;
  form.type = 'pub_sub';
  form.broker = (BROKERS as readonly string[]).includes(pubSub?.type ?? '')
    ? (pubSub?.type as SourceForm['broker'])
    : 'sqs';
  form.workers = String(pubSub?.workers ?? 1);
  if (pubSub?.sqs) form.sqs = { ...form.sqs, ...compact(pubSub.sqs as Record<string, unknown>) };
  if (pubSub?.google) {
    const account = pubSub.google.service_account;
    form.google = {
      project_id: pubSub.google.project_id,
      subscription_id: pubSub.google.subscription_id,
      service_account: typeof account === 'string' ? account : JSON.stringify(account, null, 2),
      endpoint: pubSub.google.endpoint ?? '',
    };
  }
  if (pubSub?.kafka) {
    const auth = pubSub.kafka.auth;
    form.kafka = {
      brokers: pubSub.kafka.brokers.join(', '),
      topic_name: pubSub.kafka.topic_name,
      consumer_group_id: pubSub.kafka.consumer_group_id ?? '',
      authType: auth?.type === 'plain' || auth?.type === 'scram' ? auth.type : '',
      hash: auth?.hash ?? 'SHA256',
      tls: auth?.tls ?? false,
      username: auth?.username ?? '',
      password: auth?.password ?? '',
    };
  }
  if (pubSub?.amqp) {
    const amqp = pubSub.amqp;
    form.amqp = {
      schema: amqp.schema ?? 'amqp',
      host: amqp.host,
      port: amqp.port,
      queue: amqp.queue,
      vhost: amqp.vhost ?? '',
      user: amqp.auth?.user ?? '',
      password: amqp.auth?.password ?? '',
      exchange: amqp.bindedExchange ?? '',
      routingKey: amqp.routingKey ?? '',
      deadLetterExchange: amqp.deadLetterExchange ?? '',
    };
  }
  return form;
}
