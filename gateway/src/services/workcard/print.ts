/**
 * GET /v1/credentials/:id/card: an issuer prints a work card for a worker without a
 * smartphone, from the credential it issued (kept sealed in the store). Only an SD-JWT VC
 * not bound to a device key can be printed: a vc+jwt credential would print every field,
 * the full ID number included, and paper cannot sign a key-binding JWT. Each print is a new
 * card: its QR code is a short link with the card's own secret (printed.ts), checked online.
 */
import type { PrintableCardQuery } from '@anxin/schemas';
import { DomainError } from '../../errors';
import type { Principal } from '../../ports/store';
import type { Services } from '../context';
import { actsForIssuer } from '../ownership';
import { parseCredential } from '../../verify';
import { printableCardSvg } from './card';
import { WorkCardError, presentCredential, type Presentation } from './present';
import { newPrintedCard, printedCardLink } from './printed';
import { renderQr } from './qr';

export interface PrintedCard {
  type: 'image/svg+xml' | 'image/png';
  filename: string;
  body: string | Buffer;
  /** The card's id: what the issuer names to withdraw it. */
  cardId: string;
}

function refusedMembers(e: unknown, code: string): never {
  if (e instanceof WorkCardError && (e.kind === 'member' || e.kind === 'input'))
    throw new DomainError('validation_failed', e.message, {
      errors: [{ field: 'disclose', code, message: e.message }],
    });
  throw e;
}

export async function printableCard(
  s: Services,
  principal: Principal,
  id: string,
  q: PrintableCardQuery,
): Promise<PrintedCard> {
  const rec = await s.store.getCredential(id);
  // Another issuer's credential is indistinguishable from a missing one.
  if (!rec || !actsForIssuer(principal, rec.issuer)) throw new DomainError('not_found', `no credential ${id} of yours`);
  if (rec.state !== 'anchored')
    throw new DomainError('card_unavailable', 'the credential is not anchored yet: finish its issuance first');
  if (rec.format !== 'dc+sd-jwt')
    throw new DomainError(
      'card_unavailable',
      'a printed card shows chosen fields of an SD-JWT VC (issued with "format": "dc+sd-jwt"); a vc+jwt credential would print every field, the full ID number included',
    );
  const credential = s.kek.open(rec.sealed, rec.id).toString('utf8');
  const parsed = parseCredential(credential);
  if (!('format' in parsed) || parsed.format !== 'dc+sd-jwt') throw new Error(`stored credential ${id} does not parse`);
  if (parsed.payload.cnf)
    throw new DomainError(
      'card_unavailable',
      "the credential is bound to the worker's device key: the worker shows it from the device (anxin card present); paper cannot sign",
    );

  let presented: Presentation;
  try {
    presented = await presentCredential(credential, { disclose: q.disclose.split(',') });
  } catch (e) {
    refusedMembers(e, 'member');
  }
  const { record, secret } = newPrintedCard(id, rec.issuer, presented.disclosed, s.now());
  const qrText = printedCardLink(s.publicUrl, record.id, secret);
  const name = `work-card-${id.replace(/^urn:uuid:/, '').replace(/[^A-Za-z0-9-]/g, '')}`;
  let card: PrintedCard;
  try {
    if (q.format === 'png')
      card = {
        type: 'image/png',
        filename: `${name}.png`,
        body: await renderQr(qrText, 'png', 'Q'),
        cardId: record.id,
      };
    else {
      const exp = parsed.payload.exp;
      const body = await printableCardSvg({
        presentation: presented,
        qrText,
        credentialId: id,
        type: rec.type,
        issuer: {
          id: rec.issuer,
          name: (parsed.payload.issuer_name as string | undefined) ?? s.projection.issuers.get(rec.issuer)?.name,
        },
        ...(typeof exp === 'number' ? { validUntil: new Date(exp * 1000).toISOString() } : {}),
      });
      card = { type: 'image/svg+xml', filename: `${name}.svg`, body, cardId: record.id };
    }
  } catch (e) {
    // Too many fields for one card.
    refusedMembers(e, 'too_much');
  }
  // Kept only once it is made: a card that could not be drawn never verifies.
  await s.store.putPrintedCard(record);
  return card;
}
