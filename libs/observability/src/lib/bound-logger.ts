import { Logger } from '@nestjs/common';

type Fields = Record<string, unknown>;

/**
 * A child logger: a Nest Logger whose every line carries the same fields (the source a
 * consumer works for, the delivery being sent), so call sites name only what is new.
 */
export class BoundLogger {
  private readonly logger: Logger;

  constructor(
    context: string | Logger,
    readonly fields: Fields,
  ) {
    this.logger = typeof context === 'string' ? new Logger(context) : context;
  }

  /** Another child with more fields. */
  child(fields: Fields): BoundLogger {
    return new BoundLogger(this.logger, { ...this.fields, ...fields });
  }

  log(fields: Fields, message: string): void {
    this.logger.log(this.merge(fields), message);
  }

  warn(fields: Fields, message: string): void {
    this.logger.warn(this.merge(fields), message);
  }

  error(fields: Fields, message: string): void {
    this.logger.error(this.merge(fields), message);
  }

  debug(fields: Fields, message: string): void {
    this.logger.debug(this.merge(fields), message);
  }

  private merge(fields: Fields): Fields {
    return { ...this.fields, ...fields };
  }
}
