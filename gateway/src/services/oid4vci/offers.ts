/**
 * Credential offers (OpenID4VCI 1.0 §4, pre-authorized code flow with a transaction code): an
 * issuer states what it will issue to a worker; the clinic shows the offer as a QR code and
 * tells the worker a 6-digit PIN apart from it; the worker's wallet fetches the offer,
 * exchanges its code and the PIN for an access token, and asks for the credential with proof
 * of its key. Nothing is signed or anchored until then.
 *
 * The offer document served at its credential_offer_uri (without authentication) names only
 * the Credential Issuer, the configuration and the grant; what names the worker is kept
 * sealed. The PIN is kept as a salted scrypt hash, the code and later the access token as
 * SHA-256 hashes (each is 256 random bits).
 */
import { createHash, randomBytes, randomInt, scrypt, timingSafeEqual } from 'node:crypto';
import { promisify } from 'node:util';
import { DomainError } from '../../errors';
import type { OfferRecord, Principal } from '../../ports/store';
import type { Services } from '../context';
import { checkIssueRequest, type IssueRequest } from '../credentials/issue';
import { actsForIssuer } from '../ownership';
import { OID4VCI_PATHS, PRE_AUTHORIZED_GRANT } from './metadata';

/** How long an offer waits for its wallet unless the issuer says otherwise: a visit to the counter. */
export const OFFER_TTL_S = 600;
/** Wrong PINs an offer survives: the fifth kills it (a guess in 10^6, five times: 1 in 200,000). */
export const OFFER_MAX_FAILURES = 5;
/** The PIN's length (digits). */
export const TX_CODE_LENGTH = 6;

const scryptAsync = promisify(scrypt) as (pin: string, salt: Buffer, len: number, o: object) => Promise<Buffer>;
/** scrypt's cost for a PIN: a stolen store does not hand out PINs by the million per second. */
const PIN_SCRYPT = { N: 16_384, r: 8, p: 1 };

/** sha-256 (hex) of a high-entropy secret: the pre-authorized code, the access token. */
export const secretHash = (secret: string): string => createHash('sha256').update(secret, 'utf8').digest('hex');

/** The PIN's hash under `salt` (base64url). */
export async function pinHash(pin: string, salt: string): Promise<string> {
  return (await scryptAsync(pin, Buffer.from(salt, 'base64url'), 32, PIN_SCRYPT)).toString('base64url');
}

/** Whether `pin` is the offer's PIN, compared in constant time. */
export async function pinMatches(offer: OfferRecord, pin: string): Promise<boolean> {
  const got = Buffer.from(await pinHash(pin, offer.pinSalt), 'base64url');
  const want = Buffer.from(offer.pinHash, 'base64url');
  return got.length === want.length && timingSafeEqual(got, want);
}

/** What the sealed part of an offer holds. */
interface SealedOffer {
  request: IssueRequest;
  /** The pre-authorized code itself: the offer document carries it. */
  code: string;
}

const aad = (id: string) => `credential-offer:${id}`;

/** The issuance request and code of an offer. */
export function openOffer(s: Services, offer: OfferRecord): SealedOffer {
  return JSON.parse(s.kek.open(offer.sealed, aad(offer.id)).toString('utf8')) as SealedOffer;
}

export interface CreatedOffer {
  offerId: string;
  credential_offer_uri: string;
  /** The QR code's text: `openid-credential-offer://?credential_offer_uri=…`. */
  link: string;
  /** The same offer as a link into the gateway's wallet (a phone camera opens it directly). */
  walletLink: string;
  /** The PIN, shown to the issuer once: told to the worker, never in the QR code. */
  txCode: string;
  expiresAt: string;
  /** The QR code of `link` (GET it with the issuer's key). */
  qr: { svg: string; png: string };
}

/** The links of an offer. */
export function offerLinks(publicUrl: string, id: string): { uri: string; link: string; walletLink: string } {
  const uri = `${publicUrl}${OID4VCI_PATHS.offers}/${id}`;
  return {
    uri,
    link: `openid-credential-offer://?credential_offer_uri=${encodeURIComponent(uri)}`,
    walletLink: `${publicUrl}/wallet#offer=${encodeURIComponent(uri)}`,
  };
}

/**
 * Make an offer: the request is checked as POST /v1/credentials would check it (so a bad one
 * is refused now, at the counter, not later on the worker's phone), then kept sealed.
 *
 * @example
 * const offer = await createOffer(s, req.principal!, { type: 'HealthCertificate', holder, subject });
 * // show offer.link as a QR code; tell the worker offer.txCode
 */
export async function createOffer(
  s: Services,
  principal: Principal,
  body: IssueRequest & { expiresInSeconds?: number },
): Promise<CreatedOffer> {
  const { expiresInSeconds, ...rest } = body;
  const request: IssueRequest = { ...rest, format: 'dc+sd-jwt' };
  const issuer = await checkIssueRequest(s, principal, request);
  const id = randomBytes(16).toString('base64url');
  const code = randomBytes(32).toString('base64url');
  const txCode = String(randomInt(0, 10 ** TX_CODE_LENGTH)).padStart(TX_CODE_LENGTH, '0');
  const pinSalt = randomBytes(16).toString('base64url');
  const now = s.now();
  const expiresAt = new Date(now.getTime() + (expiresInSeconds ?? OFFER_TTL_S) * 1000).toISOString();
  const sealed: SealedOffer = { request, code };
  await s.store.putOffer({
    id,
    issuer: issuer.id,
    configurationId: request.type,
    sealed: s.kek.seal(JSON.stringify(sealed), aad(id)),
    codeHash: secretHash(code),
    pinHash: await pinHash(txCode, pinSalt),
    pinSalt,
    createdAt: now.toISOString(),
    expiresAt,
    failures: 0,
  });
  const links = offerLinks(s.publicUrl, id);
  const qr = `${s.publicUrl}${OID4VCI_PATHS.offers}/${id}/qr`;
  return {
    offerId: id,
    credential_offer_uri: links.uri,
    link: links.link,
    walletLink: links.walletLink,
    txCode,
    expiresAt,
    qr: { svg: `${qr}?format=svg`, png: `${qr}?format=png` },
  };
}

/** Why an offer can no longer be redeemed, or undefined while it can. */
export function offerClosed(offer: OfferRecord, now: Date): 'expired' | 'redeemed' | 'too_many_wrong_pins' | undefined {
  if (offer.redeemedAt) return 'redeemed';
  if (offer.failures >= OFFER_MAX_FAILURES) return 'too_many_wrong_pins';
  if (Date.parse(offer.expiresAt) <= now.getTime()) return 'expired';
  return undefined;
}

/**
 * The Credential Offer document (OpenID4VCI 1.0 §4.1.1) served at its credential_offer_uri:
 * the issuer, the configuration, the grant with its code and the PIN's shape. Nothing
 * personal. Gone once redeemed, expired or killed by wrong PINs.
 *
 * @example
 * const doc = await offerDocument(s, req.params.id); // → 200 application/json
 */
export async function offerDocument(s: Services, id: string) {
  const offer = await s.store.getOffer(id);
  if (!offer || offerClosed(offer, s.now())) throw new DomainError('not_found', 'no open credential offer here');
  const { code } = openOffer(s, offer);
  return {
    credential_issuer: s.publicUrl,
    credential_configuration_ids: [offer.configurationId],
    grants: {
      [PRE_AUTHORIZED_GRANT]: {
        'pre-authorized_code': code,
        tx_code: {
          input_mode: 'numeric',
          length: TX_CODE_LENGTH,
          description: '请输入发证单位工作人员告诉您的 6 位数字（不在二维码上）',
        },
      },
    },
  };
}

/** The link of the issuer's own open offer (for its QR code). */
export async function ownOfferLink(s: Services, principal: Principal, id: string): Promise<string> {
  const offer = await s.store.getOffer(id);
  if (!offer || !actsForIssuer(principal, offer.issuer) || offerClosed(offer, s.now()))
    throw new DomainError('not_found', `no open credential offer ${id} of yours`);
  return offerLinks(s.publicUrl, id).link;
}
