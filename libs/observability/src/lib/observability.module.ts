import {
  DynamicModule,
  InjectionToken,
  MiddlewareConsumer,
  Module,
  ModuleMetadata,
  NestModule,
  Type,
} from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import { ConsumerHealth } from './consumer-health.service';
import { HealthController } from './health.controller';
import { HttpMetrics, HttpMetricsMiddleware } from './http-metrics.middleware';
import { HttpTracingMiddleware } from './tracing/http-tracing.middleware';
import { LogSettings, loggerModuleParams } from './logger.factory';
import { METRICS_SETTINGS, MetricsRegistry, MetricsSettings } from './metrics.registry';
import { READINESS_CHECKS, READINESS_TIMEOUT_MS, ReadinessCheck } from './readiness-check';
import { ReadinessService } from './readiness.service';

export interface ObservabilityOptions {
  service: string;
  readinessTimeoutMs: number;
  /** Who may read /metrics, and whether series carry project ids. */
  metrics?: MetricsSettings;
  /** CARAVAN_LOG_LEVEL and CARAVAN_LOG_FORMAT: the pino logger and its request lines. */
  log: Omit<LogSettings, 'service'>;
  /** Modules that provide the readiness checks. */
  imports?: ModuleMetadata['imports'];
  /** Tokens of the providers that implement ReadinessCheck. */
  checks: Array<Type<ReadinessCheck> | InjectionToken>;
}

/**
 * /healthz, /readyz and /metrics, HTTP request metrics and spans, and the structured logger
 * (pino, one line per request but the probes), the same on every service.
 */
@Module({})
export class ObservabilityModule implements NestModule {
  static forRoot(options: ObservabilityOptions): DynamicModule {
    return {
      module: ObservabilityModule,
      global: true,
      imports: [
        LoggerModule.forRoot(loggerModuleParams({ service: options.service, ...options.log })),
        ...(options.imports ?? []),
      ],
      controllers: [HealthController],
      providers: [
        { provide: MetricsRegistry, useValue: new MetricsRegistry(options.service) },
        { provide: METRICS_SETTINGS, useValue: options.metrics ?? { projectLabels: false } },
        { provide: READINESS_TIMEOUT_MS, useValue: options.readinessTimeoutMs },
        {
          provide: READINESS_CHECKS,
          useFactory: (...checks: ReadinessCheck[]) => checks,
          inject: options.checks,
        },
        ConsumerHealth,
        ReadinessService,
        HttpMetrics,
      ],
      exports: [MetricsRegistry, METRICS_SETTINGS, ConsumerHealth],
    };
  }

  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(HttpTracingMiddleware, HttpMetricsMiddleware).forRoutes('*path');
  }
}
