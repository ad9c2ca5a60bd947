/** A timestamp in the viewer's zone, and its UTC form for the title (shown on hover). */
export function formatTime(value: string | null | undefined, locale?: string): { local: string; utc: string } {
  if (!value) return { local: '—', utc: '' };
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) return { local: value, utc: '' };
  return {
    local: date.toLocaleString(locale, { dateStyle: 'medium', timeStyle: 'medium' }),
    utc: date
      .toISOString()
      .replace('T', ' ')
      .replace(/\.\d{3}Z$/, ' UTC'),
  };
}
