/**
 * Renewal: a credential may name the one it replaces — the issuer's own, of the same type, for
 * the same holder, not renewed before. The new credential keeps the old one's holder salt, so
 * both carry the same holderRef and the ledger can check "the same holder" without learning who;
 * the holder given must open that commitment. With `supersede` (a lost phone: the worker checked
 * again, a new device key) the old one is revoked as superseded in the same ledger transaction.
 */
import { decodeSdJwtSync, unpackSync } from '@sd-jwt/decode';
import type { AnchorRecord, HolderIdentity } from '@anxin/schemas';
import { DomainError } from '../../errors';
import { holderRef, parseCredential, sdHasher } from '../../verify';
import type { Services } from '../context';

/** What a renewal carries into the new credential and its anchor statement. */
export interface Renewal {
  replaces: string;
  supersede: boolean;
  holderSalt: string;
}

const refuse = (
  code: 'not_found' | 'replaces_mismatch' | 'already_replaced' | 'invalid_transition',
  why: string,
  field = '/replaces',
) => new DomainError(code, why, { errors: [{ field, code, message: why }] });

/** The holder commitment's salt inside an issued credential (vc+jwt or SD-JWT VC), if it has one. */
export function holderSaltOf(credential: string): string | undefined {
  const parsed = parseCredential(credential);
  if (!('format' in parsed)) return undefined;
  let holder: unknown;
  if (parsed.format === 'vc+jwt') {
    holder = (parsed.payload.credentialSubject as { holder?: unknown } | undefined)?.holder;
  } else {
    const decoded = decodeSdJwtSync(credential, sdHasher);
    const { unpackedObj } = unpackSync(decoded.jwt.payload as Record<string, unknown>, decoded.disclosures, sdHasher);
    holder = (unpackedObj as { holder?: unknown }).holder;
  }
  const salt = (holder as { salt?: unknown } | undefined)?.salt;
  return typeof salt === 'string' ? salt : undefined;
}

/**
 * Check that `issuerId` may renew `replaces` for `holder` with a credential of `type`, and
 * take the salt the renewal keeps. Refusals are the ledger's own, asked before signing.
 */
export async function checkRenewal(
  s: Services,
  issuerId: string,
  body: { type: string; holder: HolderIdentity; replaces: string; supersede?: boolean },
): Promise<Renewal> {
  const rec = await s.store.getCredential(body.replaces);
  // Another issuer's credential is indistinguishable from a missing one.
  if (!rec || rec.issuer !== issuerId) throw refuse('not_found', `no credential ${body.replaces} of yours`);
  const anchor: Pick<AnchorRecord, 'type' | 'holderRef' | 'status' | 'replacedBy'> | undefined =
    (await s.store.getAnchor(rec.id)) ?? (await s.ledgerClient.getAnchor(rec.id));
  if (!anchor) throw refuse('not_found', `credential ${rec.id} is not anchored yet: finish its issuance first`);
  if (anchor.type !== body.type)
    throw refuse('replaces_mismatch', `credential ${rec.id} is a ${anchor.type}, not a ${body.type}`);
  if (anchor.replacedBy) throw refuse('already_replaced', `credential ${rec.id} was replaced by ${anchor.replacedBy}`);
  if (body.supersede && anchor.status === 'revoked')
    throw refuse(
      'invalid_transition',
      `credential ${rec.id} is revoked already: renew it without supersede`,
      '/supersede',
    );
  const salt = holderSaltOf(s.kek.open(rec.sealed, rec.id).toString('utf8'));
  // The holder given must be the one the replaced credential names: its commitment opens with their ID number.
  if (!salt || holderRef(salt, body.holder.idNumber) !== anchor.holderRef)
    throw refuse('replaces_mismatch', `credential ${rec.id} was issued to another holder`, '/holder/idNumber');
  return { replaces: rec.id, supersede: body.supersede === true, holderSalt: salt };
}
