/**
 * The project settings form <-> the api's project config (Convoy's field names). Numbers are
 * kept as typed text; a value that is not a whole number is sent as it is, so the api's 400
 * names the field (next to which the form shows it) instead of the form guessing.
 */

/** The parts of the project config the form edits (as the api answers them). */
export interface ProjectConfig {
  strategy: { type: string; duration: number; retry_count: number };
  signature: { header: string; versions: Array<{ hash: string; encoding: string }> };
  ratelimit: { count: number; duration: number };
  ssl: { enforce_secure_endpoints: boolean };
  disable_endpoint: boolean;
  meta_event: { is_enabled: boolean; type: string; url: string; secret: string; event_type: string[] | null };
  retention_policy: string;
  is_retention_policy_enabled: boolean;
}

export interface SignatureVersionForm {
  hash: string;
  encoding: string;
}

export interface SettingsForm {
  name: string;
  strategyType: string;
  strategyDuration: string;
  retryCount: string;
  signatureHeader: string;
  signatureVersions: SignatureVersionForm[];
  rateLimitCount: string;
  rateLimitDuration: string;
  disableEndpoint: boolean;
  enforceSecureEndpoints: boolean;
  metaEnabled: boolean;
  metaType: string;
  metaUrl: string;
  /** Blank keeps the current secret (reads show it masked). */
  metaSecret: string;
  metaEventTypes: string[];
  retentionEnabled: boolean;
  retentionPolicy: string;
}

export const RETRY_STRATEGIES = ['linear', 'exponential'] as const;
export const SIGNATURE_HASHES = ['SHA256', 'SHA512'] as const;
export const SIGNATURE_ENCODINGS = ['hex', 'base64'] as const;
export const META_EVENT_TYPES = [
  'endpoint.created',
  'endpoint.updated',
  'endpoint.deleted',
  'eventdelivery.success',
  'eventdelivery.failed',
] as const;

const text = (value: number | undefined | null) => (value === undefined || value === null ? '' : String(value));

export function toSettingsForm(name: string, config: ProjectConfig): SettingsForm {
  return {
    name,
    strategyType: config.strategy.type,
    strategyDuration: text(config.strategy.duration),
    retryCount: text(config.strategy.retry_count),
    signatureHeader: config.signature.header,
    signatureVersions: (config.signature.versions ?? []).map(({ hash, encoding }) => ({ hash, encoding })),
    rateLimitCount: text(config.ratelimit.count),
    rateLimitDuration: text(config.ratelimit.duration),
    disableEndpoint: config.disable_endpoint,
    enforceSecureEndpoints: config.ssl.enforce_secure_endpoints,
    metaEnabled: config.meta_event.is_enabled,
    metaType: config.meta_event.type || 'http',
    metaUrl: config.meta_event.url,
    metaSecret: '',
    metaEventTypes: config.meta_event.event_type ?? [],
    retentionEnabled: config.is_retention_policy_enabled,
    retentionPolicy: config.retention_policy,
  };
}

/** A whole number from its text; anything else is passed on for the api to name. */
export function wholeNumber(value: string): number | string | undefined {
  const trimmed = value.trim();
  if (trimmed === '') return undefined;
  return /^-?\d+$/.test(trimmed) ? Number(trimmed) : trimmed;
}

/** Leaves out what is undefined, so the api keeps its current value there. */
function defined<T extends Record<string, unknown>>(object: T): Partial<T> {
  return Object.fromEntries(Object.entries(object).filter(([, value]) => value !== undefined)) as Partial<T>;
}

/** The PUT /projects/{id} body of a form: every section the form edits. */
export function toProjectUpdate(form: SettingsForm) {
  return {
    name: form.name.trim(),
    config: {
      strategy: defined({
        type: form.strategyType,
        duration: wholeNumber(form.strategyDuration),
        retry_count: wholeNumber(form.retryCount),
      }),
      signature: { header: form.signatureHeader.trim(), versions: form.signatureVersions },
      ratelimit: defined({ count: wholeNumber(form.rateLimitCount), duration: wholeNumber(form.rateLimitDuration) }),
      ssl: { enforce_secure_endpoints: form.enforceSecureEndpoints },
      disable_endpoint: form.disableEndpoint,
      meta_event: defined({
        is_enabled: form.metaEnabled,
        type: form.metaType,
        url: form.metaUrl.trim() || undefined,
        secret: form.metaSecret || undefined,
        event_type: form.metaEventTypes,
      }),
      is_retention_policy_enabled: form.retentionEnabled,
      ...(form.retentionPolicy.trim() ? { retention_policy: form.retentionPolicy.trim() } : {}),
    },
  };
}
