/**
 * The wallet's side of OpenID4VCI 1.0, pre-authorized code flow with a transaction code: read
 * an offer (QR text or link), fetch it and the issuer's metadata, exchange the code and the
 * PIN for an access token, prove possession of the device key over a fresh c_nonce, and
 * receive the SD-JWT VC bound to that key. Only `fetch` and WebCrypto (through the DeviceKey),
 * so the same code runs in the phone's browser and in Node.
 */
import { publicJwkOf, signJws, type DeviceKey } from './jws';

/** The pre-authorized code grant (OpenID4VCI 1.0 §4.1.1). */
export const PRE_AUTHORIZED_GRANT = 'urn:ietf:params:oauth:grant-type:pre-authorized_code';

type Fetch = (input: string, init?: RequestInit) => Promise<Response>;

/** An offer as a QR code or link gives it: by reference (most) or by value. */
export type OfferRef = { credentialOfferUri: string } | { credentialOffer: CredentialOffer };

/** The Credential Offer (OpenID4VCI 1.0 §4.1.1), the members the wallet uses. */
export interface CredentialOffer {
  credential_issuer: string;
  credential_configuration_ids: string[];
  grants?: Record<string, unknown> & {
    [PRE_AUTHORIZED_GRANT]?: {
      'pre-authorized_code': string;
      tx_code?: { input_mode?: 'numeric' | 'text'; length?: number; description?: string };
    };
  };
}

/** Why receiving failed: a stable code, and the server's OAuth error when it gave one. */
export class Oid4vciError extends Error {
  constructor(
    /**
     * `not_an_offer` (text not understood), `offer_unavailable` (gone, expired or used),
     * `unsupported` (no pre-authorized code, or no configuration the wallet knows), `wrong_pin`
     * (the PIN was refused: see `error`), `refused` (the issuer refused: see `error`),
     * `bad_response` (the issuer answered something that is not OpenID4VCI), `network`.
     */
    readonly code:
      'not_an_offer' | 'offer_unavailable' | 'unsupported' | 'wrong_pin' | 'refused' | 'bad_response' | 'network',
    message: string,
    /** The OAuth `error` of the answer, e.g. invalid_grant, invalid_proof. */
    readonly error?: string,
    /** After a wrong PIN: how many tries the offer has left. */
    readonly attemptsLeft?: number,
  ) {
    super(message);
    this.name = 'Oid4vciError';
  }
}

const OFFER_SCHEMES = ['openid-credential-offer:', 'haip:'];

/**
 * What an offer's QR text or link holds: `openid-credential-offer://?credential_offer_uri=…`
 * (or `credential_offer=` by value), or a link into the wallet, `…/wallet#offer=<uri>`.
 *
 * @example
 * parseOffer('openid-credential-offer://?credential_offer_uri=https%3A%2F%2Fanxin.example.cn%2Fv1%2Fcredential-offers%2Fab');
 * // { credentialOfferUri: 'https://anxin.example.cn/v1/credential-offers/ab' }
 */
export function parseOffer(text: string): OfferRef {
  const t = text.trim();
  let params: URLSearchParams | undefined;
  let url: URL;
  try {
    url = new URL(t);
  } catch {
    throw new Oid4vciError('not_an_offer', 'this is not a credential offer');
  }
  if (OFFER_SCHEMES.includes(url.protocol)) params = new URLSearchParams(url.search);
  else if (url.protocol === 'https:' || url.protocol === 'http:') {
    const hash = new URLSearchParams(url.hash.replace(/^#/, ''));
    if (hash.has('offer')) return { credentialOfferUri: checkedUri(hash.get('offer')!) };
    params = url.searchParams;
  }
  const uri = params?.get('credential_offer_uri');
  if (uri) return { credentialOfferUri: checkedUri(uri) };
  const value = params?.get('credential_offer');
  if (value) {
    try {
      return { credentialOffer: checkedOffer(JSON.parse(value)) };
    } catch (e) {
      if (e instanceof Oid4vciError) throw e;
    }
  }
  throw new Oid4vciError('not_an_offer', 'this is not a credential offer');
}

function checkedUri(uri: string): string {
  let u: URL;
  try {
    u = new URL(uri);
  } catch {
    throw new Oid4vciError('not_an_offer', 'the offer names no valid credential_offer_uri');
  }
  if (u.protocol !== 'https:' && !(u.protocol === 'http:' && isLocal(u.hostname)))
    throw new Oid4vciError('not_an_offer', 'credential_offer_uri must be https');
  return u.toString();
}

const isLocal = (host: string) => host === 'localhost' || host === '127.0.0.1' || host === '[::1]';

function checkedOffer(v: unknown): CredentialOffer {
  const o = v as CredentialOffer;
  if (
    !o ||
    typeof o !== 'object' ||
    typeof o.credential_issuer !== 'string' ||
    !Array.isArray(o.credential_configuration_ids) ||
    o.credential_configuration_ids.length === 0 ||
    !o.credential_configuration_ids.every((c) => typeof c === 'string')
  )
    throw new Oid4vciError('bad_response', 'the credential offer is not an OpenID4VCI offer');
  return o;
}

/**
 * Where a metadata document of `identifier` lives: the well-known suffix is put between the
 * host and the path (RFC 8414 §3.1; OpenID4VCI 1.0 §12.2.2).
 */
export function wellKnownUrl(identifier: string, suffix: string): string {
  const u = new URL(identifier);
  const path = u.pathname === '/' ? '' : u.pathname.replace(/\/$/, '');
  return `${u.origin}/.well-known/${suffix}${path}`;
}

async function getJson(fetch: Fetch, url: string, what: string, unavailable = false): Promise<Record<string, unknown>> {
  let res: Response;
  try {
    res = await fetch(url, { headers: { accept: 'application/json' } });
  } catch {
    throw new Oid4vciError('network', `could not reach ${what}`);
  }
  if (!res.ok) {
    throw new Oid4vciError(unavailable ? 'offer_unavailable' : 'bad_response', `${what}: HTTP ${res.status}`);
  }
  try {
    return (await res.json()) as Record<string, unknown>;
  } catch {
    throw new Oid4vciError('bad_response', `${what} is not JSON`);
  }
}

async function postFor(
  fetch: Fetch,
  url: string,
  init: RequestInit,
  what: string,
): Promise<{ status: number; body: Record<string, unknown> }> {
  let res: Response;
  try {
    res = await fetch(url, { ...init, method: 'POST' });
  } catch {
    throw new Oid4vciError('network', `could not reach ${what}`);
  }
  let body: Record<string, unknown> = {};
  try {
    body = (await res.json()) as Record<string, unknown>;
  } catch {
    if (res.ok) throw new Oid4vciError('bad_response', `${what} did not answer JSON`);
  }
  return { status: res.status, body };
}

const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);

/** The offer itself, fetched when given by reference. */
export async function resolveOffer(ref: OfferRef, fetch: Fetch): Promise<CredentialOffer> {
  if ('credentialOffer' in ref) return ref.credentialOffer;
  return checkedOffer(await getJson(fetch, ref.credentialOfferUri, 'the credential offer', true));
}

export interface Received {
  /** The SD-JWT VC (dc+sd-jwt) as issued, with every disclosure, bound to the device key. */
  credential: string;
  configurationId: string;
  /** The Credential Issuer Identifier. */
  issuer: string;
}

/**
 * Receive the offered credential: offer → metadata → token (code + PIN) → c_nonce → proof →
 * credential. Throws an Oid4vciError; `wrong_pin` when the PIN was refused (the offer counts
 * wrong PINs and dies after a few).
 *
 * @example
 * const { credential } = await receiveCredential({ offer: scannedText, txCode: '493021', key, fetch });
 */
export async function receiveCredential(o: {
  offer: string | OfferRef | CredentialOffer;
  txCode?: string;
  key: DeviceKey;
  fetch: Fetch;
  /** Seconds since the epoch (the phone's clock), for the proof's iat. */
  now?: () => number;
}): Promise<Received> {
  const fetch = o.fetch;
  const ref: OfferRef =
    typeof o.offer === 'string'
      ? parseOffer(o.offer)
      : 'credential_issuer' in o.offer
        ? { credentialOffer: o.offer }
        : o.offer;
  const offer = await resolveOffer(ref, fetch);
  const grant = offer.grants?.[PRE_AUTHORIZED_GRANT];
  if (!grant || typeof grant['pre-authorized_code'] !== 'string')
    throw new Oid4vciError('unsupported', 'the offer has no pre-authorized code');

  const issuerMeta = await getJson(
    fetch,
    wellKnownUrl(offer.credential_issuer, 'openid-credential-issuer'),
    'the issuer’s metadata',
  );
  if (issuerMeta.credential_issuer !== offer.credential_issuer)
    throw new Oid4vciError('bad_response', 'the issuer’s metadata names another issuer');
  const configurations = (issuerMeta.credential_configurations_supported ?? {}) as Record<string, { format?: string }>;
  const configurationId = offer.credential_configuration_ids.find(
    (id) => Object.hasOwn(configurations, id) && configurations[id]!.format === 'dc+sd-jwt',
  );
  if (!configurationId) throw new Oid4vciError('unsupported', 'the offer has no SD-JWT VC this wallet can keep');
  const credentialEndpoint = str(issuerMeta.credential_endpoint);
  const nonceEndpoint = str(issuerMeta.nonce_endpoint);
  if (!credentialEndpoint || !nonceEndpoint)
    throw new Oid4vciError('bad_response', 'the issuer’s metadata names no credential or nonce endpoint');
  const servers = issuerMeta.authorization_servers;
  const authServer = Array.isArray(servers) && typeof servers[0] === 'string' ? servers[0] : offer.credential_issuer;
  const asMeta = await getJson(
    fetch,
    wellKnownUrl(authServer, 'oauth-authorization-server'),
    'the authorization server’s metadata',
  );
  const tokenEndpoint = str(asMeta.token_endpoint);
  if (!tokenEndpoint) throw new Oid4vciError('bad_response', 'the authorization server names no token endpoint');

  // The code and the PIN for an access token.
  const form = new URLSearchParams({
    grant_type: PRE_AUTHORIZED_GRANT,
    'pre-authorized_code': grant['pre-authorized_code'],
  });
  if (grant.tx_code) {
    if (!o.txCode)
      throw new Oid4vciError('wrong_pin', 'the offer needs the PIN the issuer told you', 'invalid_request');
    form.set('tx_code', o.txCode);
  }
  const token = await postFor(
    fetch,
    tokenEndpoint,
    {
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
      body: form.toString(),
    },
    'the token endpoint',
  );
  if (token.status !== 200) {
    const error = str(token.body.error);
    // The gateway names a wrong PIN's attempts left; an invalid_grant without it is a used, expired or void code.
    const pinRefused = error === 'invalid_grant' && typeof token.body.attempts_left === 'number';
    throw new Oid4vciError(
      pinRefused ? 'wrong_pin' : error === 'invalid_grant' ? 'offer_unavailable' : 'refused',
      str(token.body.error_description) ?? `the token endpoint answered ${token.status}`,
      error,
      pinRefused ? (token.body.attempts_left as number) : undefined,
    );
  }
  const accessToken = str(token.body.access_token);
  if (!accessToken) throw new Oid4vciError('bad_response', 'the token endpoint gave no access token');

  // A fresh c_nonce, then the proof of the device key over it.
  const nonce = await postFor(fetch, nonceEndpoint, { headers: { accept: 'application/json' } }, 'the nonce endpoint');
  const cNonce = str(nonce.body.c_nonce);
  if (nonce.status !== 200 || !cNonce) throw new Oid4vciError('bad_response', 'the nonce endpoint gave no c_nonce');
  const iat = Math.floor(o.now ? o.now() : Date.now() / 1000);
  const proof = await signJws(
    o.key,
    { typ: 'openid4vci-proof+jwt', jwk: publicJwkOf(o.key.publicJwk) },
    { aud: offer.credential_issuer, iat, nonce: cNonce },
  );

  const issued = await postFor(
    fetch,
    credentialEndpoint,
    {
      headers: {
        'content-type': 'application/json',
        accept: 'application/json',
        authorization: `Bearer ${accessToken}`,
      },
      body: JSON.stringify({ credential_configuration_id: configurationId, proofs: { jwt: [proof] } }),
    },
    'the credential endpoint',
  );
  if (issued.status !== 200) {
    const error = str(issued.body.error);
    throw new Oid4vciError(
      'refused',
      str(issued.body.error_description) ?? `the credential endpoint answered ${issued.status}`,
      error,
    );
  }
  const list = issued.body.credentials;
  const first = Array.isArray(list) ? (list[0] as { credential?: unknown } | undefined) : undefined;
  const credential = str(first?.credential);
  if (!credential) throw new Oid4vciError('bad_response', 'the credential endpoint gave no credential');
  return { credential, configurationId, issuer: offer.credential_issuer };
}
