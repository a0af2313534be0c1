/**
 * What expires soon: an issuer's active credentials, not renewed, whose validUntil falls
 * within a window from now — the list a clinic works through to call workers back for their
 * re-examination. Read from the store's projection of the ledger, by validUntil, in pages.
 */
import { DomainError } from '../../errors';
import type { AnchorProjection, Principal } from '../../ports/store';
import type { Services } from '../context';

const DAY_MS = 24 * 3600 * 1000;

/** Days in a window written `<days>d` (the query schema allows 1d to 365d). */
export const daysOf = (within: string): number => Number(within.slice(0, -1));

export interface ExpiringPage {
  within: string;
  from: string;
  to: string;
  credentials: Array<{ id: string; type: string; validUntil: string; status: string }>;
  /** The cursor of the next page (`after`), when there may be one. */
  next?: string;
}

const cursorOf = (a: AnchorProjection) => Buffer.from(JSON.stringify([a.validUntil, a.id])).toString('base64url');

function cursorFrom(after: string): { validUntil: string; id: string } {
  try {
    const [validUntil, id] = JSON.parse(Buffer.from(after, 'base64url').toString('utf8')) as unknown[];
    if (typeof validUntil === 'string' && typeof id === 'string') return { validUntil, id };
  } catch {
    // refused below
  }
  throw new DomainError('validation_failed', 'after is not a cursor this list gave', {
    errors: [{ field: 'after', code: 'cursor', message: 'must be the next value of the previous page' }],
  });
}

/**
 * One page of the issuer's credentials expiring within `within` of now.
 *
 * @example
 * const page = await listExpiring(s, principal, { within: '30d', limit: 100 });
 */
export async function listExpiring(
  s: Services,
  principal: Principal,
  q: { within: string; limit: number; after?: string },
): Promise<ExpiringPage> {
  if (principal.type !== 'issuer') throw new DomainError('forbidden', 'only an issuer’s API key lists its credentials');
  const now = s.now().getTime();
  const from = new Date(now).toISOString();
  const to = new Date(now + daysOf(q.within) * DAY_MS).toISOString();
  const rows = await s.store.expiringAnchors(
    principal.id,
    from,
    to,
    q.limit + 1,
    q.after ? cursorFrom(q.after) : undefined,
  );
  const page = rows.slice(0, q.limit);
  return {
    within: q.within,
    from,
    to,
    credentials: page.map((a) => ({ id: a.id, type: a.type, validUntil: a.validUntil!, status: a.status })),
    ...(rows.length > q.limit ? { next: cursorOf(page[page.length - 1]!) } : {}),
  };
}
