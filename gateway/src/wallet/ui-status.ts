/**
 * A kept card's status, read the way the verifier page reads it without an API key: the
 * verification core (loaded when first needed) against the public trust list and the
 * issuer-signed status list the credential points at, each kept for offline use; the answer
 * says what instant it is as of. Only the issuer JWT is judged — none of the worker's
 * disclosures leave the wallet for this, and fetching the lists tells the gateway nothing
 * of which card is asked about.
 */
import { verifyInBrowser } from '../page/in-browser';
import type { Card } from './ui-store';

/**
 * The status of `card` now, or its last known status when there is no network.
 *
 * @example card.status = await readStatus(card, new Date());
 */
export async function readStatus(card: Card, now: Date): Promise<Card['status']> {
  const issuerJwt = card.credential.slice(0, card.credential.indexOf('~'));
  let report;
  try {
    report = await verifyInBrowser(`${issuerJwt}~`);
  } catch {
    report = undefined;
  }
  if (!report) return card.status; // never read, and no network: what the wallet knew
  const list = report.statusList;
  if (list) return { status: list.status, asOf: list.asOf, checkedAt: now.toISOString() };
  const reasons = report.reasons.filter((r) => r.check === 'status').map((r) => r.code);
  if (reasons.includes('revoked')) return { status: 'revoked', checkedAt: now.toISOString() };
  if (reasons.includes('suspended')) return { status: 'suspended', checkedAt: now.toISOString() };
  return card.status ?? { status: 'unknown', checkedAt: now.toISOString() };
}
