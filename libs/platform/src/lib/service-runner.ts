import { INestApplication, Logger, LoggerService, NestApplicationOptions } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { CustomTransportStrategy } from '@nestjs/microservices';
import { Logger as PinoNestLogger } from 'nestjs-pino';
import { CaravanConfig, ConfigValidationError, ServiceName, loadConfig } from '@caravan/config';
import { dependencyGuidance, isDatabaseUnreachable } from './boot-guidance';
import { applyHeapGrowth } from './heap-growth';
import { ReadinessService, Tracing, startTracing } from '@caravan/observability';

export interface ServiceDefinition {
  service: ServiceName;
  /** Builds the root module from the validated configuration. */
  rootModule: (config: CaravanConfig) => unknown;
  /** Options for NestFactory.create (e.g. `rawBody` for the api). */
  nestOptions?: NestApplicationOptions;
  /** Extra set-up on the created app (pipes, filters, body limits). */
  configure?: (app: INestApplication, config: CaravanConfig) => void | Promise<void>;
  /**
   * Microservice transports served beside HTTP (a hybrid app): their `@EventPattern` handlers
   * are the app's controllers. Started after the modules' init hooks, before HTTP listens.
   */
  transports?: (app: INestApplication, config: CaravanConfig) => CustomTransportStrategy[];
}

/**
 * Boots one Caravan service: validates config (exits 78, EX_CONFIG, naming the bad variables),
 * starts its transports, listens, and shuts down on SIGTERM/SIGINT within the configured bound. Nest's own
 * enableShutdownHooks has no deadline; a stuck close would keep a pod Terminating forever.
 */
export async function runService(definition: ServiceDefinition): Promise<INestApplication> {
  let config: CaravanConfig;
  try {
    config = loadConfig(definition.service);
  } catch (error) {
    if (error instanceof ConfigValidationError) {
      process.stderr.write(`caravan ${definition.service}: ${error.message}\n`);
      process.exit(78);
    }
    throw error;
  }
  applyHeapGrowth(config.heapGrowingPercent);
  // Before the app is built, so every span (and every traceparent stored) comes from one provider.
  const tracing = startTracing(config.tracing);
  let app: INestApplication;
  try {
    // abortOnError off: a failed start rejects here, so it can be explained before exiting.
    // Lines logged while the modules start are held until the pino logger is in place.
    app = await NestFactory.create(definition.rootModule(config) as never, {
      ...definition.nestOptions,
      bufferLogs: true,
      abortOnError: false,
    });
  } catch (error) {
    if (!isDatabaseUnreachable(error)) throw error;
    process.stderr.write(
      `caravan ${definition.service}: ${dependencyGuidance('postgres', config, (error as Error).message)}\n`,
    );
    process.exit(1);
  }
  // The logger of ObservabilityModule (nestjs-pino): every Nest Logger writes through it.
  app.useLogger(app.get(PinoNestLogger));
  const logger = new Logger('Service');
  if (config.tracing.enabled) {
    logger.log({ service_name: config.tracing.serviceName, sampler: config.tracing.sampler }, 'tracing on');
  }
  await definition.configure?.(app, config);
  const transports = definition.transports?.(app, config) ?? [];
  if (transports.length > 0) {
    await app.init();
    for (const strategy of transports) app.connectMicroservice({ strategy });
    await app.startAllMicroservices();
  }
  await app.listen(config.http.port, config.http.host);
  logger.log({ host: config.http.host, port: config.http.port }, 'listening');
  installShutdown(app, logger, config.shutdownTimeoutMs, tracing);
  explainMissingDependencies(app, logger, config).catch((error: Error) =>
    logger.warn({ err: error }, 'could not check dependencies after start'),
  );
  return app;
}

/** Once after start: a dependency that is down gets one line saying where it was looked for and what to run. */
async function explainMissingDependencies(
  app: INestApplication,
  logger: LoggerService,
  config: CaravanConfig,
): Promise<void> {
  const readiness = app.get(ReadinessService, { strict: false });
  const report = await readiness.report();
  for (const dependency of ['postgres', 'kafka'] as const) {
    const outcome = report.checks[dependency];
    if (outcome?.status === 'down') logger.warn(dependencyGuidance(dependency, config, outcome.error ?? 'no answer'));
  }
}

function installShutdown(app: INestApplication, logger: LoggerService, timeoutMs: number, tracing: Tracing): void {
  let stopping = false;
  const stop = async (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    logger.log({ signal, deadline_ms: timeoutMs }, 'shutting down');
    const deadline = setTimeout(() => {
      logger.error({ deadline_ms: timeoutMs }, 'shutdown did not finish within its deadline; exiting');
      process.exit(1);
    }, timeoutMs);
    deadline.unref();
    try {
      await app.close();
      // The last spans (the shutdown's own work included) are exported before exiting.
      await tracing
        .shutdown()
        .catch((error: Error) => logger.warn(`could not export the last spans: ${error.message}`));
      logger.log('stopped cleanly');
      process.exit(0);
    } catch (error) {
      logger.error({ err: error }, 'shutdown failed');
      process.exit(1);
    }
  };
  process.once('SIGTERM', () => void stop('SIGTERM'));
  process.once('SIGINT', () => void stop('SIGINT'));
}
