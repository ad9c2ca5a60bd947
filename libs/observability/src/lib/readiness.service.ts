import { Inject, Injectable } from '@nestjs/common';
import { READINESS_CHECKS, READINESS_TIMEOUT_MS, ReadinessCheck } from './readiness-check';

export interface CheckOutcome {
  status: 'up' | 'down';
  error?: string;
}

export interface ReadinessReport {
  ready: boolean;
  checks: Record<string, CheckOutcome>;
}

function withTimeout(promise: Promise<void>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

@Injectable()
export class ReadinessService {
  constructor(
    @Inject(READINESS_CHECKS) private readonly checks: ReadinessCheck[],
    @Inject(READINESS_TIMEOUT_MS) private readonly timeoutMs: number,
  ) {}

  /** Runs every check in parallel, each bounded, so one hung dependency cannot hang the probe. */
  async report(): Promise<ReadinessReport> {
    const outcomes = await Promise.all(
      this.checks.map(async (check): Promise<[string, CheckOutcome]> => {
        try {
          await withTimeout(check.check(), this.timeoutMs);
          return [check.name, { status: 'up' }];
        } catch (error) {
          return [check.name, { status: 'down', error: (error as Error).message }];
        }
      }),
    );
    return {
      ready: outcomes.every(([, outcome]) => outcome.status === 'up'),
      checks: Object.fromEntries(outcomes),
    };
  }
}
