/**
 * The wallet's static work card: a presentation of an SD-JWT VC the worker holds, disclosing
 * only the chosen members, bound to the device key by a fresh key-binding JWT (so a
 * screenshot is worth nothing after KB_MAX_AGE_S), as compact QR text. The same code runs in
 * the wallet's bundle and in Node: the device key signs (WebCrypto in the browser), and
 * nothing here imports a Node built-in.
 */
import { decodeSdJwtSync, unpackSync } from '@sd-jwt/decode';
import { KB_MAX_AGE_S } from '../verify/checks/holder-binding';
import { sdHasher, toBase64url } from '../verify/bytes';
import { parseCredential } from '../verify/parse';
import { NEVER_ON_A_CARD, WorkCardError } from '../services/workcard/errors';
import { qrLevel, qrVersion, workCardText } from '../services/workcard/qr';
import { signJws, type DeviceKey } from './jws';

export interface PresentForQrInput {
  /** The SD-JWT VC as issued (dc+sd-jwt, bound to `key` by its cnf). */
  credential: string;
  /** Members to disclose (`holder.name`, `healthCertificate.validity`) or whole groups (`healthCertificate`). */
  disclose: string[];
  /** The device key the credential is bound to. */
  key: DeviceKey;
  /** Make the text a link to this verifier page (any phone camera opens it). */
  verifierUrl?: string;
  /** Key-binding `aud` (default `anxin:work-card`). */
  audience?: string;
  /** Key-binding `nonce`: a verifier's challenge, when it gave one (default: random). */
  nonce?: string;
  now?: Date;
}

export interface QrPresentation {
  /** What the QR code carries: `AX1:<Base45>`, or `<verifier url>#AX1.<base64url>`. */
  text: string;
  /** The QR version (1–40) the text needs at `ecLevel`. */
  version: number;
  ecLevel: 'M' | 'L';
  /** The paths disclosed, sorted. */
  disclosed: string[];
  /** When verifiers stop accepting it, ISO 8601. */
  expiresAt: string;
}

/** `group.member` → the digest its disclosure has in the issuer-signed payload. */
function digestsByPath(sdJwt: string): Record<string, string> {
  const decoded = decodeSdJwtSync(sdJwt, sdHasher);
  return unpackSync(decoded.jwt.payload as Record<string, unknown>, decoded.disclosures, sdHasher)
    .disclosureKeymap as Record<string, string>;
}

/** The paths a work card may disclose chosen from `disclose`, or a WorkCardError saying which is refused. */
function choose(paths: string[], disclose: string[]): Set<string> {
  const card = paths.filter((p) => !NEVER_ON_A_CARD.has(p));
  const groups = new Set(card.map((p) => p.split('.')[0]!));
  const chosen = new Set<string>();
  for (const d of disclose) {
    if (NEVER_ON_A_CARD.has(d))
      throw new WorkCardError(
        'member_never_on_a_card',
        `${d} is never disclosed on a work card: with the holder's ledger commitment it would let a verifier test guesses of the ID number`,
      );
    if (groups.has(d)) card.filter((p) => p.startsWith(`${d}.`)).forEach((p) => chosen.add(p));
    else if (card.includes(d)) chosen.add(d);
    else
      throw new WorkCardError(
        'member_unknown',
        `${d} is not a member this credential can disclose; it can disclose: ${card.join(', ')}`,
      );
  }
  return chosen;
}

function randomNonce(): string {
  return toBase64url(crypto.getRandomValues(new Uint8Array(9)));
}

/**
 * The static work-card QR: the chosen members of `credential`, bound to `key`, as compact
 * QR text, with the QR version and error correction level it takes.
 *
 * @example
 * const { text, version, ecLevel } = await presentForQr({
 *   credential, key,
 *   disclose: ['holder.name', 'healthCertificate.categories', 'healthCertificate.validity', 'healthCertificate.result'],
 * });
 * // text 'AX1:…', version 24, ecLevel 'M'
 */
export async function presentForQr(i: PresentForQrInput): Promise<QrPresentation> {
  const parsed = parseCredential(i.credential);
  if ('error' in parsed) throw new WorkCardError('not_a_credential', `not a credential: ${parsed.detail}`);
  if (parsed.format !== 'dc+sd-jwt')
    throw new WorkCardError('not_sd_jwt', 'a work card presents an SD-JWT VC (issued with "format": "dc+sd-jwt")');
  if (parsed.kbJwt)
    throw new WorkCardError('already_presented', 'this is already a presentation; present the credential as issued');
  const cnf = (parsed.payload.cnf as { jwk?: Record<string, unknown> } | undefined)?.jwk;
  if (!cnf) throw new WorkCardError('credential_not_bound', 'the credential is not bound to a device key (no cnf)');
  const pub = i.key.publicJwk;
  if (cnf.kty !== pub.kty || cnf.crv !== pub.crv || cnf.x !== pub.x || cnf.y !== pub.y)
    throw new WorkCardError('holder_key_mismatch', 'the device key is not the key this credential is bound to (cnf)');

  let byPath: Record<string, string>;
  try {
    byPath = digestsByPath(parsed.presented);
  } catch (e) {
    throw new WorkCardError(
      'disclosures_undecodable',
      `the credential's disclosures do not decode: ${(e as Error).message}`,
    );
  }
  const chosen = choose(Object.keys(byPath).sort(), i.disclose);
  const wanted = new Set([...chosen].map((p) => byPath[p]));
  const shown = parsed.disclosures.filter((d) => wanted.has(toBase64url(sdHasher(d, 'sha-256'))));
  const presented = `${parsed.issuerJwt}~${shown.map((d) => `${d}~`).join('')}`;

  const now = i.now ?? new Date();
  const kbJwt = await signJws(
    i.key,
    { typ: 'kb+jwt' },
    {
      iat: Math.floor(now.getTime() / 1000),
      aud: i.audience ?? 'anxin:work-card',
      nonce: i.nonce ?? randomNonce(),
      sd_hash: toBase64url(sdHasher(presented, 'sha-256')),
    },
  );
  const text = workCardText(presented + kbJwt, i.verifierUrl);
  const ecLevel = qrLevel(text);
  return {
    text,
    version: qrVersion(text, ecLevel)!,
    ecLevel,
    disclosed: [...chosen].sort(),
    expiresAt: new Date(now.getTime() + KB_MAX_AGE_S * 1000).toISOString(),
  };
}
