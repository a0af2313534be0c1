/**
 * The wallet's side of the protocols, as the screens need them: receiving a credential
 * from an offer and PIN (OpenID4VCI, ./oid4vci.ts), and answering a verifier's request
 * (OpenID4VP, ./oid4vp.ts). Failures come back as codes the screens have words for.
 */
import { parseOffer, receiveCredential } from './oid4vci';
import { fetchRequest, matchCredentials, parseRequest, respond } from './oid4vp';
import type { WalletKey } from './ui-key';
import type { Card } from './ui-store';

export type ReceiveFailure = 'wrong_pin' | 'pin_limited' | 'offer_gone' | 'offline' | 'not_offer' | 'failed';

/** What an error from the protocol modules says, by its code, status or OAuth `error`. */
function codesOf(e: unknown): string[] {
  const o = (e ?? {}) as { code?: unknown; error?: unknown; status?: unknown; name?: unknown };
  return [o.code, o.error, o.status, o.name].filter((x) => x !== undefined).map(String);
}

/** An offer link as the wallet is opened with it (`/wallet#offer=…`), as the offer URI the protocol reads. */
function offerText(text: string): string {
  const i = text.indexOf('#');
  const frag = new URLSearchParams(i >= 0 ? text.slice(i + 1) : '');
  const uri = frag.get('offer');
  return uri ? `openid-credential-offer://?credential_offer_uri=${encodeURIComponent(uri)}` : text;
}

/**
 * Receive the credential an offer holds, proving possession of `key` with the PIN the issuer gave.
 *
 * @example const r = await receiveOffer(scanned, '493817', key); if ('credential' in r) keep(r.credential);
 */
export async function receiveOffer(
  text: string,
  pin: string,
  key: WalletKey,
): Promise<{ credential: string } | { failure: ReceiveFailure }> {
  let offer;
  try {
    offer = parseOffer(offerText(text));
  } catch {
    return { failure: 'not_offer' };
  }
  try {
    const r = await receiveCredential({ offer, txCode: pin, key, fetch: (u, i) => fetch(u, i) });
    return { credential: r.credential };
  } catch (e) {
    const codes = codesOf(e);
    if (e instanceof TypeError && !codes.some((c) => /^\d+$/.test(c))) return { failure: 'offline' };
    if (codes.some((c) => /limit|slow_down|429/.test(c))) return { failure: 'pin_limited' };
    if (codes.some((c) => /tx_code|pin|invalid_grant/.test(c))) return { failure: 'wrong_pin' };
    if (codes.some((c) => /expired|used|gone|not_found|404|410/.test(c))) return { failure: 'offer_gone' };
    return { failure: 'failed' };
  }
}

/** A verifier's request as the consent screen shows it, with the card that answers it. */
export interface Asked {
  verifierName?: string;
  fields: Array<{ zh: string; en: string }>;
  card: Card;
  request: Awaited<ReturnType<typeof fetchRequest>>;
  disclose: string[];
}

/** A request link as the wallet is opened with it (`/wallet#request=…&client_id=…`), as the URI the protocol reads. */
function requestText(text: string): string {
  const i = text.indexOf('#');
  const frag = new URLSearchParams(i >= 0 ? text.slice(i + 1) : '');
  const uri = frag.get('request');
  if (!uri) return text;
  const q = new URLSearchParams({
    ...(frag.get('client_id') ? { client_id: frag.get('client_id')! } : {}),
    request_uri: uri,
  });
  return `openid4vp://?${q.toString()}`;
}

/**
 * Fetch and check a verifier's request, and find the card that answers it.
 *
 * @example const asked = await loadRequest(scanned, cards); if ('card' in asked) showConsent(asked);
 */
export async function loadRequest(
  text: string,
  cards: Card[],
): Promise<Asked | { failure: 'bad' | 'no_match' | 'offline' }> {
  let request;
  try {
    const parsed = parseRequest(requestText(text));
    request = await fetchRequest(parsed.request_uri, (u, i) => fetch(u, i));
  } catch (e) {
    return { failure: e instanceof TypeError ? 'offline' : 'bad' };
  }
  const held = cards.filter((c) => c.status?.status !== 'revoked').map((c) => c.credential);
  const matches = matchCredentials(request, held);
  const match = matches[0];
  const card = match && cards.find((c) => c.credential === match.credential);
  if (!match || !card) return { failure: 'no_match' };
  return {
    ...(request.verifier?.name ? { verifierName: request.verifier.name } : {}),
    fields: request.fields.map((f) => ({ zh: f.label_zh, en: f.label_en })),
    card,
    request,
    disclose: match.disclose,
  };
}

/**
 * Post the presentation the worker agreed to; true when the verifier took it.
 *
 * @example if (await answerRequest(asked, key)) done();
 */
export async function answerRequest(asked: Asked, key: WalletKey): Promise<boolean> {
  try {
    await respond({
      request: asked.request,
      credential: asked.card.credential,
      disclose: asked.disclose,
      key,
      fetch: (u, i) => fetch(u, i),
    });
    return true;
  } catch {
    return false;
  }
}
