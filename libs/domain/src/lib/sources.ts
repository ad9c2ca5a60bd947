export enum SourceType {
  Http = 'http',
  RestApi = 'rest_api',
  PubSub = 'pub_sub',
  DbChangeStream = 'db_change_stream',
}

export enum SourceProvider {
  GitHub = 'github',
  Twitter = 'twitter',
  Shopify = 'shopify',
}

export enum VerifierType {
  Noop = 'noop',
  Hmac = 'hmac',
  BasicAuth = 'basic_auth',
  ApiKey = 'api_key',
}

export enum PubSubType {
  Sqs = 'sqs',
  Google = 'google',
  Kafka = 'kafka',
  Amqp = 'amqp',
}

export interface VerifierConfig {
  type: VerifierType;
  hmac?: { header: string; hash: string; secret: string; encoding: 'hex' | 'base64' };
  basic_auth?: { username: string; password: string };
  api_key?: { header_name: string; header_value: string };
}

export interface PubSubConfig {
  type: PubSubType;
  workers: number;
  sqs?: {
    access_key_id: string;
    secret_key: string;
    default_region: string;
    queue_name: string;
    endpoint?: string;
  };
  google?: { project_id: string; subscription_id: string; service_account: string; endpoint?: string };
  kafka?: {
    brokers: string[];
    consumer_group_id?: string;
    topic_name: string;
    auth?: { type: string; hash: string; tls: boolean; username: string; password: string };
  };
  amqp?: {
    schema?: string;
    host: string;
    port: string;
    vhost?: string;
    queue: string;
    auth?: { user: string; password: string };
    bindExchange?: { exchange: string; routingKey: string };
    deadLetterExchange?: string;
  };
}

export interface CustomResponse {
  body: string;
  content_type: string;
}
