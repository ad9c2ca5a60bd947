import type { ServiceName } from './caravan-config';

/** OpenTelemetry's standard sampler names (OTEL_TRACES_SAMPLER). */
export const TRACES_SAMPLERS = [
  'always_on',
  'always_off',
  'traceidratio',
  'parentbased_always_on',
  'parentbased_always_off',
  'parentbased_traceidratio',
] as const;
export type TracesSampler = (typeof TRACES_SAMPLERS)[number];

/**
 * OpenTelemetry tracing (docs/operations.md#tracing). Off unless an OTLP endpoint is set; the
 * exporter reads the endpoint and its headers from the same OTEL_* variables itself.
 */
export interface TracingSettings {
  enabled: boolean;
  serviceName: string;
  sampler: TracesSampler;
  /** The fraction kept by the ratio samplers. */
  samplerRatio: number;
}

const URL_PATTERN = /^https?:\/\/[^\s]+$/;
const TRUE_WORDS = ['1', 'true', 'yes', 'on'];

/**
 * Reads OpenTelemetry's own variables (their standard names, not CARAVAN_*, so collectors' and
 * platforms' settings apply as they are): OTEL_EXPORTER_OTLP_ENDPOINT,
 * OTEL_EXPORTER_OTLP_TRACES_ENDPOINT, OTEL_SDK_DISABLED, OTEL_TRACES_EXPORTER, OTEL_SERVICE_NAME,
 * OTEL_TRACES_SAMPLER and OTEL_TRACES_SAMPLER_ARG. Empty means unset; every bad value is named.
 */
export function readTracingSettings(
  service: ServiceName,
  env: NodeJS.ProcessEnv,
): { settings: TracingSettings; problems: string[] } {
  const problems: string[] = [];
  const value = (name: string) => (env[name] === '' ? undefined : env[name]);
  for (const name of ['OTEL_EXPORTER_OTLP_ENDPOINT', 'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT']) {
    const url = value(name);
    if (url !== undefined && !URL_PATTERN.test(url)) problems.push(`${name} must be an http(s) URL`);
  }
  const exporter = value('OTEL_TRACES_EXPORTER') ?? 'otlp';
  if (!['otlp', 'none'].includes(exporter)) problems.push('OTEL_TRACES_EXPORTER must be one of: otlp, none');
  const sampler = (value('OTEL_TRACES_SAMPLER') ?? 'parentbased_always_on') as TracesSampler;
  if (!TRACES_SAMPLERS.includes(sampler)) {
    problems.push(`OTEL_TRACES_SAMPLER must be one of: ${TRACES_SAMPLERS.join(', ')}`);
  }
  const ratioText = value('OTEL_TRACES_SAMPLER_ARG');
  const samplerRatio = ratioText === undefined ? 1 : Number(ratioText);
  if (!Number.isFinite(samplerRatio) || samplerRatio < 0 || samplerRatio > 1) {
    problems.push('OTEL_TRACES_SAMPLER_ARG must be a number between 0 and 1');
  }
  const disabled = TRUE_WORDS.includes((value('OTEL_SDK_DISABLED') ?? '').toLowerCase());
  const endpoint = value('OTEL_EXPORTER_OTLP_TRACES_ENDPOINT') ?? value('OTEL_EXPORTER_OTLP_ENDPOINT');
  return {
    settings: {
      enabled: endpoint !== undefined && !disabled && exporter === 'otlp',
      serviceName: value('OTEL_SERVICE_NAME') ?? `caravan-${service}`,
      sampler,
      samplerRatio,
    },
    problems,
  };
}
