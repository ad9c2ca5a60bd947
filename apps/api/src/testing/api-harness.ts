import { Test } from '@nestjs/testing';
import type { INestApplication } from '@nestjs/common';
import { Kafka, logLevel } from 'kafkajs';
import { CaravanConfig, loadConfig } from '@caravan/config';
import { createTestDatabase, sharedKafkaBrokers, TestDatabase } from '@caravan/testing';
import { ApiModule } from '../api.module';
import { configureApi } from '../configure-api';

export const ADMIN_KEY = 'test-admin-key-0123456789abcdefghijklmnop';

export interface ApiResponse<T = any> {
  status: number;
  body: T;
  headers: Headers;
}

export interface RequestOptions {
  key?: string | null;
  body?: unknown;
  /** Sent as is, with its own Content-Type header (for 415/400 tests). */
  rawBody?: string | Buffer;
  headers?: Record<string, string>;
}

/**
 * The real api (ApiModule + configureApi, exactly what main.ts runs) on a random port,
 * against its own Postgres database and its own Kafka topics on the shared broker.
 */
export interface ApiHarness {
  url: string;
  app: INestApplication;
  config: CaravanConfig;
  database: TestDatabase;
  kafka: Kafka;
  request<T = any>(method: string, path: string, options?: RequestOptions): Promise<ApiResponse<T>>;
  createProject(type?: 'outgoing' | 'incoming', config?: object): Promise<{ projectId: string; apiKey: string }>;
  close(): Promise<void>;
}

export async function startApiHarness(
  env: Record<string, string> = {},
  options: { dashboardDir?: string } = {},
): Promise<ApiHarness> {
  const database = await createTestDatabase();
  const suffix = `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
  const config = loadConfig('api', {
    CARAVAN_DATABASE_URL: database.url,
    CARAVAN_KAFKA_BROKERS: sharedKafkaBrokers(),
    CARAVAN_KAFKA_EVENTS_TOPIC: `api.events.${suffix}`,
    CARAVAN_KAFKA_DELIVERIES_TOPIC: `api.deliveries.${suffix}`,
    CARAVAN_KAFKA_PARTITIONS: '2',
    CARAVAN_ADMIN_API_KEY: ADMIN_KEY,
    CARAVAN_LOG_LEVEL: 'error',
    ...env,
  });
  const moduleRef = await Test.createTestingModule({ imports: [ApiModule.forRoot(config)] }).compile();
  const app = moduleRef.createNestApplication({ rawBody: true, logger: ['error', 'fatal'] });
  configureApi(app, config, options);
  await app.listen(0, '127.0.0.1');
  const address = app.getHttpServer().address() as { port: number };
  const url = `http://127.0.0.1:${address.port}`;

  const request = async <T>(method: string, path: string, options: RequestOptions = {}): Promise<ApiResponse<T>> => {
    const headers: Record<string, string> = { ...options.headers };
    const key = options.key === undefined ? ADMIN_KEY : options.key;
    if (key !== null) headers['authorization'] = `Bearer ${key}`;
    let body: string | Buffer | undefined;
    if (options.rawBody !== undefined) body = options.rawBody;
    else if (options.body !== undefined) {
      body = JSON.stringify(options.body);
      headers['content-type'] ??= 'application/json';
    }
    const response = await fetch(`${url}${path}`, { method, headers, body });
    const text = await response.text();
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      // Not JSON (e.g. a custom ingest response); the test reads the text.
    }
    return { status: response.status, body: parsed as T, headers: response.headers };
  };

  return {
    url,
    app,
    config,
    database,
    kafka: new Kafka({ brokers: config.kafka.brokers, logLevel: logLevel.NOTHING }),
    request,
    async createProject(type = 'outgoing', projectConfig) {
      const response = await request<any>('POST', '/api/v1/projects', {
        body: { name: `project-${Math.random().toString(36).slice(2, 8)}`, type, config: projectConfig },
      });
      if (response.status !== 201)
        throw new Error(`createProject: ${response.status} ${JSON.stringify(response.body)}`);
      return { projectId: response.body.data.project.uid, apiKey: response.body.data.api_key.key };
    },
    async close() {
      await app.close();
      await database.drop();
    },
  };
}
