export enum ProjectType {
  Outgoing = 'outgoing',
  Incoming = 'incoming',
}

export enum RetryStrategyType {
  Linear = 'linear',
  Exponential = 'exponential',
}

export enum SignatureHash {
  SHA256 = 'SHA256',
  SHA512 = 'SHA512',
}

export enum SignatureEncoding {
  Hex = 'hex',
  Base64 = 'base64',
}

export interface RetryStrategyConfig {
  type: RetryStrategyType;
  /** Seconds between attempts (linear) or the base delay (exponential). */
  duration: number;
  /** Attempts in all, the first one included (Convoy's semantics). */
  retry_count: number;
}

export interface SignatureVersion {
  hash: SignatureHash;
  encoding: SignatureEncoding;
}

export interface SignatureConfig {
  header: string;
  versions: SignatureVersion[];
}

export interface RateLimitConfig {
  /** Requests per `duration`; 0 means unlimited. */
  count: number;
  /** Window in seconds. */
  duration: number;
}

export interface MetaEventConfig {
  is_enabled: boolean;
  type: 'http';
  url: string;
  secret: string;
  event_type: string[];
}

export interface ProjectConfig {
  strategy: RetryStrategyConfig;
  signature: SignatureConfig;
  ratelimit: RateLimitConfig;
  ssl: { enforce_secure_endpoints: boolean };
  disable_endpoint: boolean;
  /** Largest accepted request body, in bytes. */
  max_payload_read_size: number;
  meta_event: MetaEventConfig;
  /**
   * Refuse (400) events whose `data` fails their catalogued event type's JSON Schema. Caravan's
   * own option: off by default, since Convoy does not validate.
   */
  validate_event_data: boolean;
  /**
   * Go duration (Convoy's, e.g. "720h"): events with their deliveries and attempts, and meta
   * events, older than this are deleted by the dispatcher. "" keeps everything.
   */
  retention_policy: string;
  /** Convoy's switch for the policy; false keeps everything although a policy is set. */
  is_retention_policy_enabled: boolean;
}

/**
 * Defaults for a project created without a config. Convoy's code defaults are linear, 100 s,
 * 10 attempts; Caravan chooses a shorter first delay because most failures are transient
 * blips and a 100 s wait is long for a first retry.
 */
export const DEFAULT_PROJECT_CONFIG: Readonly<ProjectConfig> = Object.freeze({
  strategy: { type: RetryStrategyType.Linear, duration: 10, retry_count: 10 },
  signature: {
    header: 'X-Convoy-Signature',
    versions: [{ hash: SignatureHash.SHA256, encoding: SignatureEncoding.Hex }],
  },
  ratelimit: { count: 0, duration: 60 },
  ssl: { enforce_secure_endpoints: false },
  disable_endpoint: false,
  max_payload_read_size: 50 * 1024 * 1024,
  meta_event: { is_enabled: false, type: 'http' as const, url: '', secret: '', event_type: [] },
  validate_event_data: false,
  retention_policy: '',
  is_retention_policy_enabled: true,
});
