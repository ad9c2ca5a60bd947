/**
 * Renders broker headers (Kafka's Buffers, AMQP's typed table values, arrays) as the string
 * attributes the message contract reads. Values that have no sensible string form are left out.
 */
export function stringAttributes(headers: Record<string, unknown> | undefined | null): Record<string, string> {
  const attributes: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers ?? {})) {
    const rendered = render(Array.isArray(value) ? value[value.length - 1] : value);
    if (rendered !== undefined) attributes[name] = rendered;
  }
  return attributes;
}

function render(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (Buffer.isBuffer(value)) return value.toString('utf8');
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  return undefined;
}
