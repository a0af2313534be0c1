/**
 * The wallet's side of the protocols, as the screens need them: receiving a credential
 * from an offer and PIN (OpenID4VCI, ./oid4vci.ts), and answering a verifier's request
 * (OpenID4VP, ./oid4vp.ts). Failures come back as codes the screens have words for.
 */
import type { DeviceKey } from './jws';
import { Oid4vciError, parseOffer, receiveCredential } from './oid4vci';
import { fetchRequest, matchCredentials, parseRequest, respond, type PresentationRequest } from './oid4vp';
import type { Card } from './ui-store';

export type ReceiveFailure = 'wrong_pin' | 'pin_limited' | 'offer_gone' | 'offline' | 'not_offer' | 'failed';

/** The browser's fetch, called as a function (not as a method of an options object). */
const web: typeof fetch = (input, init) => fetch(input, init);

/** Whether `text` is an offer (QR text or link) the wallet can read. */
export function isOffer(text: string): boolean {
  try {
    parseOffer(text);
    return true;
  } catch {
    return false;
  }
}

/**
 * Receive the credential an offer holds, proving possession of `key`, with the PIN the issuer gave.
 *
 * @example const r = await receiveOffer(scanned, '493817', key); if ('credential' in r) keep(r.credential);
 */
export async function receiveOffer(
  text: string,
  pin: string,
  key: DeviceKey,
): Promise<{ credential: string } | { failure: ReceiveFailure }> {
  try {
    const r = await receiveCredential({ offer: text, ...(pin ? { txCode: pin } : {}), key, fetch: web });
    return { credential: r.credential };
  } catch (e) {
    if (!(e instanceof Oid4vciError)) return { failure: e instanceof TypeError ? 'offline' : 'failed' };
    switch (e.code) {
      case 'not_an_offer':
        return { failure: 'not_offer' };
      case 'wrong_pin':
        return { failure: e.attemptsLeft === 0 ? 'pin_limited' : 'wrong_pin' };
      case 'offer_unavailable':
        return { failure: 'offer_gone' };
      case 'network':
        return { failure: 'offline' };
      default:
        return { failure: e.error === 'slow_down' || /429/.test(e.message) ? 'pin_limited' : 'failed' };
    }
  }
}

/** A verifier's request as the consent screen shows it, with the card that answers it. */
export interface Asked {
  verifierName: string;
  job?: { zh: string; en: string };
  fields: Array<{ zh: string; en: string }>;
  card: Card;
  request: PresentationRequest;
  disclose: string[];
}

export type RequestFailure = 'bad' | 'expired' | 'no_match' | 'offline';

/**
 * Fetch a verifier's request, check its signature, and find the card that answers it
 * (never a revoked or suspended one).
 *
 * @example const asked = await loadRequest(scanned, cards); if ('card' in asked) showConsent(asked);
 */
export async function loadRequest(text: string, cards: Card[]): Promise<Asked | { failure: RequestFailure }> {
  let request: PresentationRequest;
  try {
    const link = parseRequest(text);
    request = await fetchRequest(link.request_uri, web, link.client_id ? { clientId: link.client_id } : {});
  } catch (e) {
    const code = (e as { code?: string }).code;
    if (code === 'request_expired') return { failure: 'expired' };
    if (code === 'request_fetch_failed' || e instanceof TypeError) return { failure: 'offline' };
    return { failure: 'bad' };
  }
  const usable = cards.filter((c) => c.status?.status !== 'revoked' && c.status?.status !== 'suspended');
  const match = matchCredentials(
    request,
    usable.map((c) => c.credential),
  )[0];
  const card = match && usable.find((c) => c.credential === match.credential);
  if (!match || !card) return { failure: 'no_match' };
  return {
    verifierName: request.verifier.name,
    ...(request.job ? { job: request.job } : {}),
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
export async function answerRequest(asked: Asked, key: DeviceKey): Promise<boolean> {
  try {
    await respond({
      request: asked.request,
      credential: asked.card.credential,
      disclose: asked.disclose,
      key,
      fetch: web,
    });
    return true;
  } catch {
    return false;
  }
}
