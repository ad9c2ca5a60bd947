import { ConfigValidationError, loadConfig } from './load-config';

describe('loadConfig', () => {
  it('applies documented defaults when nothing is set', () => {
    const config = loadConfig('dispatcher', {});
    expect(config.http).toEqual({ host: '0.0.0.0', port: 5007 });
    expect(config.database.url).toBe('postgres://postgres@127.0.0.1:5432/caravan');
    expect(config.kafka.brokers).toEqual(['127.0.0.1:9092']);
    expect(config.kafka.topics).toEqual({ events: 'caravan.events', deliveries: 'caravan.deliveries' });
    expect(config.kafka.clientId).toBe('caravan-dispatcher');
    expect(config.kafka.createTopics).toBe(true);
  });

  it('gives each service its own default port', () => {
    expect(loadConfig('api', {}).http.port).toBe(5005);
    expect(loadConfig('ingester', {}).http.port).toBe(5006);
  });

  it('parses numbers, booleans and lists from strings', () => {
    const config = loadConfig('api', {
      CARAVAN_HTTP_PORT: '8080',
      CARAVAN_KAFKA_BROKERS: 'k1:9092,k2:9093',
      CARAVAN_KAFKA_CREATE_TOPICS: 'false',
      CARAVAN_KAFKA_PARTITIONS: '24',
    });
    expect(config.http.port).toBe(8080);
    expect(config.kafka.brokers).toEqual(['k1:9092', 'k2:9093']);
    expect(config.kafka.createTopics).toBe(false);
    expect(config.kafka.partitions).toBe(24);
  });

  it('treats empty strings as unset', () => {
    expect(loadConfig('api', { CARAVAN_HTTP_PORT: '' }).http.port).toBe(5005);
  });

  it('names every bad variable in one error', () => {
    let error: unknown;
    try {
      loadConfig('api', {
        CARAVAN_HTTP_PORT: 'eighty',
        CARAVAN_DATABASE_URL: 'mysql://x',
        CARAVAN_KAFKA_BROKERS: 'no-port',
      });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigValidationError);
    const message = (error as Error).message;
    expect(message).toContain('CARAVAN_HTTP_PORT');
    expect(message).toContain('CARAVAN_DATABASE_URL');
    expect(message).toContain('CARAVAN_KAFKA_BROKERS');
  });
});

describe('loadConfig: validation from the definitions', () => {
  it('says what a value must be', () => {
    expect(() => loadConfig('api', { CARAVAN_DATABASE_POOL_SIZE: '501' })).toThrow(
      'CARAVAN_DATABASE_POOL_SIZE must be an integer between 1 and 500',
    );
    expect(() => loadConfig('api', { CARAVAN_SHUTDOWN_TIMEOUT_MS: '1.5' })).toThrow(
      'CARAVAN_SHUTDOWN_TIMEOUT_MS must be an integer at least 0',
    );
    expect(() => loadConfig('api', { CARAVAN_LOG_FORMAT: 'xml' })).toThrow(
      'CARAVAN_LOG_FORMAT must be one of: auto, json, pretty',
    );
    expect(() => loadConfig('api', { CARAVAN_PUBLIC_URL: 'ftp://x' })).toThrow(
      'CARAVAN_PUBLIC_URL must be an http(s) URL',
    );
    expect(() => loadConfig('api', { CARAVAN_ADMIN_API_KEY: 'short' })).toThrow(
      'CARAVAN_ADMIN_API_KEY must be at least 32 characters',
    );
  });

  it('reads 1, true, yes and on (any case) as true, anything else as false', () => {
    for (const word of ['1', 'TRUE', 'yes', 'On']) {
      expect(loadConfig('api', { CARAVAN_SMTP_SECURE: word }).dispatcher.smtp).toBeNull();
      expect(
        loadConfig('dispatcher', { CARAVAN_SMTP_HOST: 'h', CARAVAN_SMTP_SECURE: word }).dispatcher.smtp?.secure,
      ).toBe(true);
    }
    expect(loadConfig('api', { CARAVAN_KAFKA_CREATE_TOPICS: 'nope' }).kafka.createTopics).toBe(false);
  });

  it('ignores variables it does not define', () => {
    expect(() => loadConfig('api', { CARAVAN_NOT_A_SETTING: 'x', PATH: '/bin' })).not.toThrow();
  });
});

describe('loadConfig: api settings', () => {
  it('has no admin key unless configured, and trims the public URL', () => {
    expect(loadConfig('api', {}).api).toMatchObject({ adminApiKey: undefined, publicUrl: 'http://127.0.0.1:5005' });
    const key = 'k'.repeat(40);
    expect(
      loadConfig('api', { CARAVAN_ADMIN_API_KEY: key, CARAVAN_PUBLIC_URL: 'https://hooks.example.com/' }).api,
    ).toMatchObject({ adminApiKey: key, publicUrl: 'https://hooks.example.com' });
  });

  it('has no request limits unless configured, and reads them per scope', () => {
    expect(loadConfig('api', {}).api.rateLimits).toEqual({
      api: { limit: 0, windowSeconds: 60 },
      ingest: { limit: 0, windowSeconds: 60 },
    });
    expect(
      loadConfig('api', {
        CARAVAN_API_RATE_LIMIT: '100',
        CARAVAN_API_RATE_LIMIT_WINDOW_SECONDS: '10',
        CARAVAN_INGEST_RATE_LIMIT: '5',
      }).api.rateLimits,
    ).toEqual({ api: { limit: 100, windowSeconds: 10 }, ingest: { limit: 5, windowSeconds: 60 } });
    expect(() => loadConfig('api', { CARAVAN_API_RATE_LIMIT: '-1' })).toThrow(/CARAVAN_API_RATE_LIMIT/);
  });

  it('refuses a short admin key, naming the variable', () => {
    expect(() => loadConfig('api', { CARAVAN_ADMIN_API_KEY: 'short' })).toThrow(/CARAVAN_ADMIN_API_KEY/);
  });
});

describe('loadConfig: dispatcher settings', () => {
  it('mails notifications only when an SMTP host is set', () => {
    expect(loadConfig('dispatcher', {}).dispatcher.smtp).toBeNull();
    expect(
      loadConfig('dispatcher', { CARAVAN_SMTP_HOST: 'smtp.example.com', CARAVAN_SMTP_USERNAME: 'u' }).dispatcher.smtp,
    ).toEqual({
      host: 'smtp.example.com',
      port: 587,
      secure: false,
      username: 'u',
      password: undefined,
      from: 'Caravan <caravan@localhost>',
    });
    expect(() => loadConfig('dispatcher', { CARAVAN_SMTP_PORT: '0' })).toThrow(/CARAVAN_SMTP_PORT/);
  });

  it('sweeps retention every minute in batches of 1000 by default', () => {
    expect(loadConfig('dispatcher', {}).dispatcher.retention).toEqual({ intervalSeconds: 60, batchSize: 1000 });
    expect(() => loadConfig('dispatcher', { CARAVAN_RETENTION_BATCH_SIZE: '0' })).toThrow(
      /CARAVAN_RETENTION_BATCH_SIZE/,
    );
  });

  it('keeps the SSRF guard fully on by default and documents every default', () => {
    const dispatcher = loadConfig('dispatcher', {}).dispatcher;
    expect(dispatcher.ssrfAllowCidrs).toEqual([]);
    expect(dispatcher.leaseSeconds).toBe(10);
    expect(dispatcher.eventGraceMs).toBe(1_000);
    expect(dispatcher.maxResponseBytes).toBe(51_200);
    expect(dispatcher.breaker).toEqual({
      sampleSeconds: 30,
      failureThresholdPercent: 70,
      minimumRequests: 10,
      errorTimeoutSeconds: 30,
      disableAfterTrips: 10,
    });
  });

  it('parses the allow-list and names a bad one', () => {
    expect(
      loadConfig('dispatcher', { CARAVAN_SSRF_ALLOW_CIDRS: '127.0.0.0/8, ::1/128' }).dispatcher.ssrfAllowCidrs,
    ).toEqual(['127.0.0.0/8', '::1/128']);
    expect(() => loadConfig('dispatcher', { CARAVAN_SSRF_ALLOW_CIDRS: 'localhost' })).toThrow(
      /CARAVAN_SSRF_ALLOW_CIDRS/,
    );
    expect(() => loadConfig('dispatcher', { CARAVAN_DISPATCHER_LEASE_SECONDS: '1' })).toThrow(
      /CARAVAN_DISPATCHER_LEASE_SECONDS/,
    );
  });
});

describe('loadConfig: ingester', () => {
  it('has documented defaults and reads each CARAVAN_INGESTER_* variable', () => {
    expect(loadConfig('ingester', {}).ingester).toEqual({
      sourcesPollMs: 2_000,
      prefetch: 20,
      sqsWaitSeconds: 20,
      sqsVisibilitySeconds: 30,
      retryDelayMs: 2_000,
      drainTimeoutMs: 10_000,
      kafkaSessionTimeoutMs: 6_000,
      brokerAllowCidrs: [],
      maxConsumersPerProject: 100,
    });
    const tuned = loadConfig('ingester', {
      CARAVAN_INGESTER_SOURCES_POLL_MS: '500',
      CARAVAN_INGESTER_SQS_WAIT_SECONDS: '1',
    }).ingester;
    expect(tuned).toMatchObject({ sourcesPollMs: 500, sqsWaitSeconds: 1 });
  });

  it('refuses an SQS wait beyond the service maximum, naming the variable', () => {
    expect(() => loadConfig('ingester', { CARAVAN_INGESTER_SQS_WAIT_SECONDS: '21' })).toThrow(
      /CARAVAN_INGESTER_SQS_WAIT_SECONDS/,
    );
  });
});

describe('loadConfig: tenant function limits', () => {
  it('defaults to 2 workers, 250 ms and 32 MiB in every service, and reads the CARAVAN_TRANSFORM_* variables', () => {
    for (const service of ['api', 'ingester', 'dispatcher'] as const) {
      expect(loadConfig(service, {}).transform).toEqual({ workers: 2, timeoutMs: 250, memoryBytes: 32 * 1024 * 1024 });
    }
    expect(
      loadConfig('dispatcher', {
        CARAVAN_TRANSFORM_WORKERS: '4',
        CARAVAN_TRANSFORM_TIMEOUT_MS: '100',
        CARAVAN_TRANSFORM_MEMORY_MB: '8',
      }).transform,
    ).toEqual({ workers: 4, timeoutMs: 100, memoryBytes: 8 * 1024 * 1024 });
    expect(() => loadConfig('api', { CARAVAN_TRANSFORM_WORKERS: '0' })).toThrow(/CARAVAN_TRANSFORM_WORKERS/);
  });
});

describe('loadConfig: dispatcher consumer groups', () => {
  it('derives the groups from the topics, so Caravans on different topics never share one', () => {
    expect(loadConfig('dispatcher', {}).dispatcher).toMatchObject({
      routerGroupId: 'caravan.events.router',
      senderGroupId: 'caravan.deliveries.sender',
    });
    expect(
      loadConfig('dispatcher', {
        CARAVAN_KAFKA_EVENTS_TOPIC: 'staging.events',
        CARAVAN_KAFKA_DELIVERIES_TOPIC: 'staging.deliveries',
      }).dispatcher,
    ).toMatchObject({ routerGroupId: 'staging.events.router', senderGroupId: 'staging.deliveries.sender' });
  });

  it('takes explicit group ids', () => {
    expect(
      loadConfig('dispatcher', { CARAVAN_DISPATCHER_ROUTER_GROUP_ID: 'r', CARAVAN_DISPATCHER_SENDER_GROUP_ID: 's' })
        .dispatcher,
    ).toMatchObject({ routerGroupId: 'r', senderGroupId: 's' });
  });
});

describe('loadConfig: consumer-group timings', () => {
  it('defaults to a session short enough that a dead member is replaced within seconds', () => {
    expect(loadConfig('dispatcher', {}).kafka.consumer).toEqual({
      sessionTimeoutMs: 6_000,
      heartbeatIntervalMs: 1_000,
      rebalanceTimeoutMs: 10_000,
    });
  });

  it('keeps the heartbeat within a third of the session', () => {
    expect(
      loadConfig('dispatcher', {
        CARAVAN_KAFKA_SESSION_TIMEOUT_MS: '30000',
        CARAVAN_KAFKA_HEARTBEAT_INTERVAL_MS: '20000',
      }).kafka.consumer,
    ).toMatchObject({ sessionTimeoutMs: 30_000, heartbeatIntervalMs: 10_000 });
  });
});

describe('loadConfig: tracing (OTEL_* variables)', () => {
  it('is off unless an OTLP endpoint is configured, and names spans caravan-<service>', () => {
    expect(loadConfig('api', {}).tracing).toEqual({
      enabled: false,
      serviceName: 'caravan-api',
      sampler: 'parentbased_always_on',
      samplerRatio: 1,
    });
    expect(loadConfig('api', { OTEL_EXPORTER_OTLP_ENDPOINT: '' }).tracing.enabled).toBe(false);
  });

  it('turns on with either endpoint variable, and off again with OTEL_SDK_DISABLED or OTEL_TRACES_EXPORTER=none', () => {
    expect(loadConfig('dispatcher', { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' }).tracing.enabled).toBe(
      true,
    );
    expect(
      loadConfig('dispatcher', { OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'https://tempo:4318/v1/traces' }).tracing.enabled,
    ).toBe(true);
    const endpoint = { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' };
    expect(loadConfig('api', { ...endpoint, OTEL_SDK_DISABLED: 'true' }).tracing.enabled).toBe(false);
    expect(loadConfig('api', { ...endpoint, OTEL_TRACES_EXPORTER: 'none' }).tracing.enabled).toBe(false);
  });

  it('reads the service name and the sampler', () => {
    const tracing = loadConfig('ingester', {
      OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318',
      OTEL_SERVICE_NAME: 'ingest-eu',
      OTEL_TRACES_SAMPLER: 'parentbased_traceidratio',
      OTEL_TRACES_SAMPLER_ARG: '0.1',
    }).tracing;
    expect(tracing).toEqual({
      enabled: true,
      serviceName: 'ingest-eu',
      sampler: 'parentbased_traceidratio',
      samplerRatio: 0.1,
    });
  });

  it('names a bad sampler, ratio or endpoint', () => {
    expect(() => loadConfig('api', { OTEL_TRACES_SAMPLER: 'sometimes' })).toThrow(/OTEL_TRACES_SAMPLER/);
    expect(() => loadConfig('api', { OTEL_TRACES_SAMPLER_ARG: '2' })).toThrow(/OTEL_TRACES_SAMPLER_ARG/);
    expect(() => loadConfig('api', { OTEL_EXPORTER_OTLP_ENDPOINT: 'collector:4318' })).toThrow(
      /OTEL_EXPORTER_OTLP_ENDPOINT/,
    );
  });
});
