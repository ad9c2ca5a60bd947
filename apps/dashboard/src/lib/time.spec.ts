import { formatTime } from './time';

describe('times', () => {
  it("shows the viewer's zone with the UTC form for hovering", () => {
    const shown = formatTime('2026-03-01T12:34:56.789Z', 'en-GB');
    expect(shown.utc).toBe('2026-03-01 12:34:56 UTC');
    expect(shown.local).toBe(
      new Date('2026-03-01T12:34:56.789Z').toLocaleString('en-GB', { dateStyle: 'medium', timeStyle: 'medium' }),
    );
  });

  it('shows a dash for no time and the raw text for an unreadable one', () => {
    expect(formatTime(null)).toEqual({ local: '—', utc: '' });
    expect(formatTime('soon')).toEqual({ local: 'soon', utc: '' });
  });
});
