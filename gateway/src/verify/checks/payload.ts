/**
 * format, second half, once the signature is known good: every SD-JWT disclosure is
 * referenced by the signed payload (and none repeated), the holder's commitment is not
 * disclosed, and the credential names an id, a known type and an issuer.
 */
import { createHashMappingSync, decodeSdJwtSync, unpackSync } from '@sd-jwt/decode';
import { STOP, type Context, type Fragment } from '../context';
import { factsOfSdJwt } from '../facts';
import type { Parsed } from '../parse';

type SdJwt = Extract<Parsed, { format: 'dc+sd-jwt' }>;

/** The SD-JWT's claims with its disclosures in place, or why they cannot be put there. */
function disclosedClaims(
  p: SdJwt,
  sdHasher: Context['sdHasher'],
): { claims: Record<string, unknown> } | { error: string } {
  try {
    const decoded = decodeSdJwtSync(
      `${p.issuerJwt}~${p.disclosures.join('~')}${p.disclosures.length ? '~' : ''}`,
      sdHasher,
    );
    const disclosures = decoded.disclosures;
    const mapping = createHashMappingSync(disclosures, { hasher: sdHasher, alg: 'sha-256' });
    if (Object.keys(mapping).length !== disclosures.length) return { error: 'a disclosure is repeated' };
    const { unpackedObj, disclosureKeymap } = unpackSync(
      decoded.jwt.payload as Record<string, unknown>,
      disclosures,
      sdHasher,
    );
    const used = new Set(Object.values(disclosureKeymap));
    if (used.size !== disclosures.length) return { error: 'a disclosure is not referenced by the signed payload' };
    return { claims: unpackedObj as Record<string, unknown> };
  } catch (e) {
    return { error: `disclosures do not decode: ${(e as Error).message}` };
  }
}

export const payload: Fragment = (c) => {
  const { r, parsed } = c;
  if (parsed.format === 'dc+sd-jwt') {
    const disclosed = disclosedClaims(parsed, c.sdHasher);
    if ('error' in disclosed) {
      r.fail('format', 'bad_disclosure', disclosed.error);
      return STOP;
    }
    c.facts = factsOfSdJwt(disclosed.claims);
    // The salt and reference of the holder's ledger commitment stay with the holder: with the
    // anchor's public holderRef they would let anyone test guesses of the ID number offline.
    const holder = disclosed.claims.holder;
    if (holder && typeof holder === 'object' && ('salt' in holder || 'ref' in holder)) {
      r.fail(
        'format',
        'holder_commitment_disclosed',
        'the presentation discloses holder.salt or holder.ref, which are never shown: present the credential without them',
      );
      return STOP;
    }
  }
  if (!c.facts.id || !c.facts.type || !c.facts.issuerId) {
    r.fail('format', 'bad_payload', 'the credential lacks an id, a known type or an issuer');
    return STOP;
  }
};
