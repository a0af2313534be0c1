/**
 * The holder's side of a work card: from an SD-JWT VC the worker holds, a presentation
 * that discloses only the members a job needs, bound to the worker's device key by a
 * fresh key-binding JWT (so a screenshot expires: verifiers refuse a KB-JWT older than
 * KB_MAX_AGE_S). Selection and key binding are @sd-jwt/sd-jwt-vc's `present()`.
 *
 * Disclosable members are named by path: `holder.name`, `healthCertificate.validity`, …;
 * a group name alone (`healthCertificate`) discloses every member of that group.
 */
import { createPrivateKey, createPublicKey, randomBytes, type JsonWebKey, type KeyObject } from 'node:crypto';
import { decodeSdJwtSync, unpackSync } from '@sd-jwt/decode';
import { SDJwtVcInstance } from '@sd-jwt/sd-jwt-vc';
import { SIGNING_ALGS, type SigningAlg } from '@anxin/schemas';
import { rawSigner } from '../credentials/formats';
import { KB_MAX_AGE_S, parseCredential, sdHasher } from '../../verify';
import { NEVER_ON_A_CARD, WorkCardError } from './errors';

export { NEVER_ON_A_CARD, WorkCardError, type WorkCardErrorCode } from './errors';

export interface PresentOptions {
  /** Paths to disclose (`holder.name`, `healthCertificate.validity`) or whole groups (`healthCertificate`). */
  disclose: string[];
  /** The worker's private key (JWK), required when the credential is bound to a key (cnf). */
  holderKey?: JsonWebKey;
  /** KB-JWT `aud`: who the presentation is for (default `anxin:work-card`). */
  audience?: string;
  /** KB-JWT `nonce`: the verifier's challenge, when it gave one (default: random). */
  nonce?: string;
  now?: Date;
}

export interface Presentation {
  /** The SD-JWT presentation: issuer JWT, the chosen disclosures, and the KB-JWT when bound. */
  presentation: string;
  /** The paths disclosed, sorted. */
  disclosed: string[];
  /** Paths the credential could disclose but this presentation withholds. */
  withheld: string[];
  /** The disclosed members by group (`holder`, `healthCertificate`, …), as a verifier will see them. */
  claims: Record<string, Record<string, unknown>>;
  /** When verifiers stop accepting it (bound presentations), ISO 8601. */
  expiresAt?: string;
  bound: boolean;
}

/** The members of an issued SD-JWT VC that a work card can disclose, as `group.member` paths. */
export function cardPaths(sdJwt: string): string[] {
  return disclosablePaths(sdJwt).filter((p) => !NEVER_ON_A_CARD.has(p));
}

/** Every member of an issued SD-JWT VC that its holder can disclose, as `group.member` paths. */
export function disclosablePaths(sdJwt: string): string[] {
  const decoded = decodeSdJwtSync(sdJwt, sdHasher);
  const { disclosureKeymap } = unpackSync(
    decoded.jwt.payload as Record<string, unknown>,
    decoded.disclosures,
    sdHasher,
  );
  return Object.keys(disclosureKeymap).sort();
}

/** `group.member` → value for every member a presentation discloses. */
function disclosedValues(sdJwt: string): Record<string, unknown> {
  const decoded = decodeSdJwtSync(sdJwt, sdHasher);
  const { unpackedObj, disclosureKeymap } = unpackSync(
    decoded.jwt.payload as Record<string, unknown>,
    decoded.disclosures,
    sdHasher,
  );
  const out: Record<string, unknown> = {};
  for (const path of Object.keys(disclosureKeymap)) {
    const [group, member] = path.split('.') as [string, string];
    out[path] = (unpackedObj as Record<string, Record<string, unknown>>)[group]?.[member];
  }
  return out;
}

function algOf(jwk: JsonWebKey): SigningAlg {
  if (jwk.kty === 'EC' && jwk.crv === 'P-256') return 'ES256';
  if (jwk.kty === 'OKP' && jwk.crv === 'Ed25519') return 'EdDSA';
  throw new WorkCardError(
    'holder_key_unsupported',
    `the holder key must be EC P-256 or OKP Ed25519 (got ${jwk.kty ?? '?'} ${jwk.crv ?? ''})`,
  );
}

function publicOf(jwk: JsonWebKey): Record<string, string> {
  const pub = createPublicKey({ key: jwk, format: 'jwk' }).export({ format: 'jwk' });
  return Object.fromEntries(Object.entries(pub).filter(([, v]) => typeof v === 'string')) as Record<string, string>;
}

function sameKey(a: Record<string, unknown>, b: Record<string, string>): boolean {
  return ['kty', 'crv', 'x', 'y'].every((k) => (a[k] ?? undefined) === (b[k] ?? undefined));
}

/**
 * A work-card presentation of one SD-JWT VC.
 *
 * @example
 * const { presentation } = await presentCredential(sdJwt, {
 *   disclose: ['holder.name', 'healthCertificate.validity', 'healthCertificate.categories'],
 *   holderKey,
 * });
 */
export async function presentCredential(sdJwt: string, o: PresentOptions): Promise<Presentation> {
  const parsed = parseCredential(sdJwt);
  if ('error' in parsed) throw new WorkCardError('not_a_credential', `not a credential: ${parsed.detail}`);
  if (parsed.format !== 'dc+sd-jwt')
    throw new WorkCardError('not_sd_jwt', 'a work card presents an SD-JWT VC (issue it with "format": "dc+sd-jwt")');
  if (parsed.kbJwt)
    throw new WorkCardError('already_presented', 'this is already a presentation; present the credential as issued');
  const credential = parsed.presented;
  let paths: string[];
  try {
    paths = cardPaths(credential);
  } catch (e) {
    throw new WorkCardError(
      'disclosures_undecodable',
      `the credential's disclosures do not decode: ${(e as Error).message}`,
    );
  }
  const groups = new Set(paths.map((p) => p.split('.')[0]!));
  const chosen = new Set<string>();
  for (const d of o.disclose) {
    if (groups.has(d)) paths.filter((p) => p.startsWith(`${d}.`)).forEach((p) => chosen.add(p));
    else if (paths.includes(d)) chosen.add(d);
    else if (NEVER_ON_A_CARD.has(d))
      throw new WorkCardError(
        'member_never_on_a_card',
        `${d} is never disclosed on a work card: with the holder's ledger commitment it would let a verifier test guesses of the ID number`,
      );
    else
      throw new WorkCardError(
        'member_unknown',
        `${d} is not a member this credential can disclose; it can disclose: ${paths.join(', ')}`,
      );
  }
  const frame: Record<string, Record<string, true>> = {};
  for (const p of chosen) {
    const [group, member] = p.split('.') as [string, string];
    (frame[group] ??= {})[member] = true;
  }

  const cnf = (parsed.payload.cnf as { jwk?: Record<string, unknown> } | undefined)?.jwk;
  const now = o.now ?? new Date();
  let kb: { signer: (data: string) => Promise<string>; alg: SigningAlg } | undefined;
  if (cnf) {
    if (!o.holderKey)
      throw new WorkCardError(
        'holder_key_required',
        'the credential is bound to a device key (cnf): give the holder key',
      );
    const alg = algOf(o.holderKey);
    if (!(SIGNING_ALGS as readonly string[]).includes(alg))
      throw new WorkCardError('holder_key_unsupported', `alg ${alg} is not allowed`);
    let key: KeyObject;
    try {
      key = createPrivateKey({ key: o.holderKey, format: 'jwk' });
    } catch {
      throw new WorkCardError('holder_key_not_private', 'the holder key is not a private JWK');
    }
    if (!sameKey(cnf, publicOf(o.holderKey)))
      throw new WorkCardError('holder_key_mismatch', 'the holder key is not the key this credential is bound to (cnf)');
    kb = { signer: rawSigner({ alg, privateKey: key }), alg };
  } else if (o.holderKey) {
    throw new WorkCardError(
      'credential_not_bound',
      'the credential is not bound to a key (no cnf): a key-binding JWT would be refused',
    );
  }

  const sd = new SDJwtVcInstance({
    hasher: sdHasher,
    hashAlg: 'sha-256',
    ...(kb ? { kbSigner: kb.signer, kbSignAlg: kb.alg } : {}),
  });
  const presentation = await sd.present(
    credential,
    frame as never,
    kb
      ? {
          kb: {
            payload: {
              iat: Math.floor(now.getTime() / 1000),
              aud: o.audience ?? 'anxin:work-card',
              nonce: o.nonce ?? randomBytes(12).toString('base64url'),
            },
          },
        }
      : undefined,
  );
  const claims: Presentation['claims'] = {};
  for (const [path, v] of Object.entries(disclosedValues(presentation))) {
    const [group, member] = path.split('.') as [string, string];
    (claims[group] ??= {})[member] = v;
  }
  return {
    presentation,
    claims,
    disclosed: [...chosen].sort(),
    withheld: paths.filter((p) => !chosen.has(p)),
    ...(kb ? { expiresAt: new Date(now.getTime() + KB_MAX_AGE_S * 1000).toISOString() } : {}),
    bound: !!kb,
  };
}
