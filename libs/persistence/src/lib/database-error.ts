import { QueryFailedError } from 'typeorm';

/** Whether `error` is a statement Postgres refused (as opposed to a connection or a code failure). */
export function isQueryFailure(error: unknown): error is Error {
  return error instanceof QueryFailedError;
}

/** Whether `error` is Postgres refusing a duplicate on the unique index or constraint `constraint`. */
export function isUniqueViolation(error: unknown, constraint: string): boolean {
  if (!(error instanceof QueryFailedError)) return false;
  const driverError = (error as QueryFailedError & { driverError?: { code?: string; constraint?: string } })
    .driverError;
  return driverError?.code === '23505' && driverError.constraint === constraint;
}
