/**
 * Calendar-date arithmetic for the subjects' date checks. Dates are YYYY-MM-DD strings
 * (validated by the schemas), handled as UTC midnights so no time zone can shift them.
 */

/** UTC midnight of year/month(0-based)/day; unlike Date.UTC, years 0–99 are not mapped to 1900–1999. */
function utc(year: number, month: number, day: number): Date {
  const date = new Date(0);
  date.setUTCFullYear(year, month, day);
  return date;
}

/** Parse YYYY-MM-DD as a UTC date; undefined when it is not a real date. */
export function parseIsoDate(s: string): Date | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s);
  if (!m) return undefined;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const date = utc(y, mo - 1, d);
  return date.getUTCFullYear() === y && date.getUTCMonth() === mo - 1 && date.getUTCDate() === d ? date : undefined;
}

/** YYYY-MM-DD of a UTC date. */
export function formatIsoDate(date: Date): string {
  return date.toISOString().slice(0, 10);
}

/**
 * `date` plus `years` calendar years; 29 February becomes 28 February in a common year.
 */
export function addYears(date: Date, years: number): Date {
  const y = date.getUTCFullYear() + years;
  const m = date.getUTCMonth();
  const lastDay = utc(y, m + 1, 0).getUTCDate();
  return utc(y, m, Math.min(date.getUTCDate(), lastDay));
}

/** `date` plus `days` days. */
export function addDays(date: Date, days: number): Date {
  return new Date(date.getTime() + days * 86_400_000);
}
