import { EndpointContentType } from './endpoints';

/**
 * The bytes an endpoint receives for an event, in the endpoint's content type. JSON
 * endpoints get the event's exact bytes. Form endpoints get the top-level members of a JSON
 * object as fields (strings as they are, numbers and booleans as text, null as empty, objects
 * and arrays as JSON text); a body that is not a JSON object travels whole as one `payload`
 * field. The signature is computed over these bytes, so it covers exactly what is sent.
 */
export function deliveryBody(raw: Buffer, contentType: EndpointContentType): Buffer {
  if (contentType !== EndpointContentType.FormUrlEncoded) return raw;
  const text = raw.toString('utf8');
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  const form = new URLSearchParams();
  if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)) {
    for (const [name, value] of Object.entries(parsed)) form.append(name, formValue(value));
  } else {
    form.append('payload', text);
  }
  return Buffer.from(form.toString(), 'utf8');
}

function formValue(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

/** Subscription delivery modes (Convoy's): at_most_once deliveries get one attempt, never retried. */
export enum DeliveryMode {
  AtLeastOnce = 'at_least_once',
  AtMostOnce = 'at_most_once',
}

/** Attempts a new delivery may make: the project's retry_count, or one for at_most_once. */
export function deliveryRetryLimit(mode: DeliveryMode, retryCount: number): number {
  return mode === DeliveryMode.AtMostOnce ? 1 : Math.max(1, retryCount);
}
