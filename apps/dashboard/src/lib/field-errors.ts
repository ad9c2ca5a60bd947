import { ApiError } from './api';

/**
 * The api's 400 names each bad field by its path (`config.strategy.duration`,
 * `pub_sub.sqs.queue_name`); forms show each message next to the field of that path.
 */
export function fieldErrors(error: unknown): Record<string, string> {
  if (!(error instanceof ApiError)) return {};
  const byField: Record<string, string> = {};
  for (const { field, message } of error.fields) {
    byField[field] = byField[field] ? `${byField[field]}; ${message}` : message;
  }
  return byField;
}
