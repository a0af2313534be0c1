/**
 * Printed work cards, checked online: the card's QR code is a short link
 * `<public url>/c#AXC.<card id>.<secret>` — the card's id and a random 128-bit secret, in a
 * fragment no server logs — and the gateway keeps only the secret's SHA-256 and the members
 * printed. POST /v1/verify takes the link (or its fragment): with the right secret, it
 * verifies a presentation of exactly those members from the credential it keeps, with the
 * credential's live status; the issuer can withdraw a card, and a withdrawn card's link no
 * longer verifies. The link carries nothing about the worker: not the ID number, not a field.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { DomainError } from '../../errors';
import type { Principal, PrintedCardRecord } from '../../ports/store';
import type { Services } from '../context';
import { actsForIssuer } from '../ownership';
import { presentCredential } from './present';

/** The fragment's prefix: a printed card's reference, not a credential. */
export const PRINTED_CARD_PREFIX = 'AXC.';
const REF = /^AXC\.([A-Za-z0-9_-]{12})\.([A-Za-z0-9_-]{22})$/;

const sha256Hex = (s: string) => createHash('sha256').update(s, 'utf8').digest('hex');

/** The link a printed card's QR code carries. */
export function printedCardLink(publicUrl: string, id: string, secret: string): string {
  return `${publicUrl}/c#${PRINTED_CARD_PREFIX}${id}.${secret}`;
}

/**
 * The card a QR text names — the link, its fragment, or `AXC.<id>.<secret>` — or undefined
 * when the text is something else (a credential, a compact presentation).
 *
 * @example printedCardRef('https://anxin.example.cn/c#AXC.q3Zt0Yx1Wm2a.Xx…'); // { id: 'q3Zt0Yx1Wm2a', secret: 'Xx…' }
 */
export function printedCardRef(text: string): { id: string; secret: string } | undefined {
  let t = text.trim();
  if (/^https?:\/\//i.test(t)) {
    const hash = t.indexOf('#');
    if (hash < 0) return undefined;
    t = t.slice(hash + 1);
  }
  const m = REF.exec(t);
  return m ? { id: m[1]!, secret: m[2]! } : undefined;
}

/** A new card for `credentialId` printing `disclose`: its record (kept) and its secret (printed, never kept). */
export function newPrintedCard(
  credentialId: string,
  issuer: string,
  disclose: string[],
  now: Date,
): { record: PrintedCardRecord; secret: string } {
  const secret = randomBytes(16).toString('base64url');
  return {
    secret,
    record: {
      id: randomBytes(9).toString('base64url'),
      credentialId,
      issuer,
      secretHash: sha256Hex(secret),
      disclose,
      createdAt: now.toISOString(),
    },
  };
}

/** A hash to compare with when there is no card, so an unknown id costs what a wrong secret does. */
const NO_CARD = sha256Hex('');

/**
 * The presentation a printed card stands for: the members printed, from the credential the
 * gateway keeps. An unknown card and a wrong secret are the same refusal (`card_unknown`); a
 * withdrawn card is `card_revoked`.
 *
 * @example
 * const ref = printedCardRef(text);
 * if (ref) text = await presentationOfPrintedCard(s, ref);
 */
export async function presentationOfPrintedCard(s: Services, ref: { id: string; secret: string }): Promise<string> {
  const card = await s.store.getPrintedCard(ref.id);
  const given = Buffer.from(sha256Hex(ref.secret), 'hex');
  const kept = Buffer.from(card?.secretHash ?? NO_CARD, 'hex');
  // Constant time: how much of the secret is right never shows in how long the answer takes.
  const right = kept.length === given.length && timingSafeEqual(kept, given);
  if (!card || !right) throw new DomainError('card_unknown', 'no printed work card has this link');
  if (card.revokedAt) throw new DomainError('card_revoked', `the issuer withdrew this card at ${card.revokedAt}`);
  const rec = await s.store.getCredential(card.credentialId);
  if (!rec) throw new DomainError('card_unknown', 'no printed work card has this link');
  const credential = s.kek.open(rec.sealed, rec.id).toString('utf8');
  return (await presentCredential(credential, { disclose: card.disclose })).presentation;
}

/**
 * POST /v1/credentials/:id/cards/:card/revoke: the issuer withdraws a printed card (lost,
 * or reprinted); the credential itself stays as it is.
 */
export async function revokePrintedCard(
  s: Services,
  principal: Principal,
  credentialId: string,
  cardId: string,
): Promise<{ id: string; credentialId: string; revokedAt: string }> {
  const card = await s.store.getPrintedCard(cardId);
  // Another issuer's card, or another credential's, is indistinguishable from a missing one.
  if (!card || card.credentialId !== credentialId || !actsForIssuer(principal, card.issuer))
    throw new DomainError('not_found', `no printed card ${cardId} of credential ${credentialId} of yours`);
  await s.store.revokePrintedCard(cardId, s.now().toISOString());
  const after = (await s.store.getPrintedCard(cardId))!;
  return { id: cardId, credentialId, revokedAt: after.revokedAt! };
}
