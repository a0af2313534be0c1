/** Between the port's records and SQLite's rows: what every aggregate of the SQLite store uses. */

export type Row = Record<string, unknown>;

/**
 * Epoch milliseconds of an RFC 3339 instant; throws on anything else (it would silently break ordering).
 * The port carries RFC 3339 strings. Where the store compares or orders them it keeps the
 * instant also as epoch milliseconds, because RFC 3339 strings with and without fractional
 * seconds do not sort as text.
 */
export function instantMs(s: string, what: string): number {
  const ms = Date.parse(s);
  if (!Number.isFinite(ms)) throw new TypeError(`store: ${what} is not an RFC 3339 instant: ${JSON.stringify(s)}`);
  return ms;
}

export const opt = <T>(v: T | null | undefined): T | undefined => (v === null ? undefined : v);
export const json = (v: unknown): string => JSON.stringify(v);
export const jsonOrNull = (v: unknown): string | null => (v === undefined ? null : JSON.stringify(v));

/** Drop keys whose value is undefined, so records read back deep-equal what was written. */
export function compact<T extends object>(o: T): T {
  for (const k of Object.keys(o) as (keyof T)[]) if (o[k] === undefined) delete o[k];
  return o;
}
