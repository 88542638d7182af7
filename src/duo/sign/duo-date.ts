const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** RFC 2822 date as Python's `email.utils.formatdate()` writes it: `Tue, 21 Aug 2012 17:29:18 -0000`. */
export function formatDuoDate(date: Date): string {
  const pad = (n: number): string => String(n).padStart(2, '0');
  return (
    `${DAYS[date.getUTCDay()] ?? ''}, ${pad(date.getUTCDate())} ${MONTHS[date.getUTCMonth()] ?? ''} ` +
    `${date.getUTCFullYear()} ${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())}:` +
    `${pad(date.getUTCSeconds())} -0000`
  );
}

const RFC2822 =
  /^\s*(?:(Mon|Tue|Wed|Thu|Fri|Sat|Sun),\s*)?(\d{1,2})\s+(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)\s+(\d{2,4})\s+(\d{2}):(\d{2})(?::(\d{2}))?\s+([+-]\d{4}|GMT|UT|UTC|Z)\s*$/i;

/**
 * Parses the RFC 2822 dates official clients send (`-0000`, `+0000`, `GMT`, local offsets such as `+0200`).
 * Returns epoch milliseconds, or null when the text is not such a date.
 */
export function parseDuoDate(text: string): number | null {
  const m = RFC2822.exec(text);
  if (m === null) return null;
  const [, , day, mon, year, hh, mm, ss, zone] = m;
  const month = MONTHS.findIndex((x) => x.toLowerCase() === (mon ?? '').toLowerCase());
  let y = Number(year);
  if ((year ?? '').length === 2) y += y < 50 ? 2000 : 1900;
  let offsetMinutes = 0;
  const z = (zone ?? '').toUpperCase();
  if (z.startsWith('+') || z.startsWith('-')) {
    const sign = z.startsWith('-') ? -1 : 1;
    offsetMinutes = sign * (Number(z.slice(1, 3)) * 60 + Number(z.slice(3, 5)));
  }
  const ms = Date.UTC(y, month, Number(day), Number(hh), Number(mm), Number(ss ?? '0'));
  if (Number.isNaN(ms)) return null;
  return ms - offsetMinutes * 60_000;
}
