/**
 * A subscription's event types as the picker changes them: "*" (every type) and named types
 * exclude each other, and choosing nothing means every type again (Convoy's default).
 */
export function chooseEventType(chosen: string[], name: string, checked: boolean): string[] {
  if (name === '*') return checked ? ['*'] : chosen.filter((kept) => kept !== '*');
  const rest = chosen.filter((kept) => kept !== name && kept !== '*');
  const next = checked ? [...rest, name] : rest;
  return next.length > 0 ? next : ['*'];
}
