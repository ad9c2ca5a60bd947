/** A dependency a service needs before it can take traffic (Postgres, Kafka, …). */
export interface ReadinessCheck {
  /** Short lower-case name reported by /readyz, e.g. `postgres`. */
  readonly name: string;
  /** Resolves when the dependency answers; rejects with the reason otherwise. */
  check(): Promise<void>;
}

export const READINESS_CHECKS = Symbol('READINESS_CHECKS');
export const READINESS_TIMEOUT_MS = Symbol('READINESS_TIMEOUT_MS');
