/**
 * holderBinding: a credential bound to a key (cnf) passes only with a valid key-binding JWT
 * — absent is `kb_missing`, whatever the caller asked — that covers exactly what was
 * presented (sd_hash), is fresh, and answers the verifier's challenge or its own nonce and
 * audience. One not bound has nothing to bind: skipped, and a key-binding JWT on it is
 * refused. A vc+jwt is never bound.
 */
import { compactVerify, importJWK, type JWK } from 'jose';
import { SIGNING_ALGS } from '@anxin/schemas';
import { fromBase64url, toBase64url } from '../bytes';
import type { Context, Fragment } from '../context';
import type { ChallengeOutcome } from '../deps';
import { iso } from '../facts';
import type { Parsed } from '../parse';

/** How old a key-binding JWT may be: a screenshot of a work card expires. */
export const KB_MAX_AGE_S = 300;
const KB_SKEW_S = 60;

const CHALLENGE_REFUSED: Record<Extract<ChallengeOutcome, { usable: false }>['why'], string> = {
  unknown: 'the challenge named by the request is unknown to this gateway',
  expired: 'the challenge named by the request has expired',
  used: 'the challenge named by the request was already used: a presentation answers one check only',
  not_yours: 'the challenge named by the request was given to another verifier',
};

type SdJwt = Extract<Parsed, { format: 'dc+sd-jwt' }>;
const text = new TextDecoder();

/** The key-binding JWT's payload if it verifies with the cnf key; undefined if it does not. */
async function verifiedKbPayload(
  kbJwt: string,
  jwk: object,
): Promise<Record<string, unknown> | 'bad_header' | undefined> {
  try {
    const kbHeader = JSON.parse(text.decode(fromBase64url(kbJwt.split('.')[0]!))) as { alg?: string; typ?: string };
    if (kbHeader.typ !== 'kb+jwt' || !kbHeader.alg || !(SIGNING_ALGS as readonly string[]).includes(kbHeader.alg)) {
      return 'bad_header';
    }
    const v = await compactVerify(kbJwt, await importJWK(jwk as JWK, kbHeader.alg), { algorithms: [kbHeader.alg] });
    return JSON.parse(text.decode(v.payload)) as Record<string, unknown>;
  } catch {
    return undefined;
  }
}

/** The key-binding JWT answers what the verifier asked: its challenge, or its own nonce and audience. */
function judgeAnswer({ r, opts }: Context, payload: Record<string, unknown>): void {
  const c = opts.challenge;
  if (c) {
    if (!c.usable) return r.fail('holderBinding', 'kb_nonce', CHALLENGE_REFUSED[c.why]);
    if (payload.nonce !== c.nonce)
      return r.fail('holderBinding', 'kb_nonce', 'the key-binding JWT does not answer this challenge (nonce)');
    if (payload.aud !== c.aud)
      return r.fail('holderBinding', 'kb_audience', `the key-binding JWT is not addressed to ${c.aud} (aud)`);
  } else {
    if (opts.nonce !== undefined && payload.nonce !== opts.nonce)
      return r.fail('holderBinding', 'kb_nonce', 'nonce does not match');
    if (opts.audience !== undefined && payload.aud !== opts.audience)
      return r.fail('holderBinding', 'kb_audience', 'aud does not match');
    const va = opts.verifierAudiences;
    if (
      opts.audience === undefined &&
      va &&
      typeof payload.aud === 'string' &&
      payload.aud.startsWith(va.prefix) &&
      payload.aud !== va.own
    ) {
      return r.fail(
        'holderBinding',
        'kb_audience',
        `the key-binding JWT was made for another verifier (${payload.aud})`,
      );
    }
  }
  r.pass('holderBinding');
}

async function judgeKeyBinding(c: Context, p: SdJwt, cnf: unknown): Promise<void> {
  const { r, now } = c;
  if (!p.kbJwt) {
    return r.fail(
      'holderBinding',
      'kb_missing',
      'the credential is bound to a key but no key-binding JWT was presented (a copy, not its holder showing it)',
    );
  }
  const jwk = cnf && typeof cnf === 'object' ? (cnf as { jwk?: unknown }).jwk : undefined;
  if (!jwk || typeof jwk !== 'object' || Array.isArray(jwk))
    return r.fail('holderBinding', 'kb_invalid', 'the credential is bound (cnf) but names no key as a JWK');
  const payload = await verifiedKbPayload(p.kbJwt, jwk);
  if (payload === 'bad_header')
    return r.fail('holderBinding', 'kb_invalid', 'the key-binding JWT must have typ kb+jwt and alg ES256 or EdDSA');
  if (!payload) return r.fail('holderBinding', 'kb_invalid', 'the key-binding JWT does not verify with the cnf key');
  if (payload.sd_hash !== toBase64url(c.sdHasher(p.presented, 'sha-256')))
    return r.fail('holderBinding', 'kb_invalid', 'sd_hash does not match the presented SD-JWT');
  const iat = typeof payload.iat === 'number' ? payload.iat : NaN;
  const t = now.getTime() / 1000;
  if (!(iat <= t + KB_SKEW_S && iat >= t - KB_MAX_AGE_S)) {
    return r.fail(
      'holderBinding',
      'kb_stale',
      `the presentation was made at ${iso(iat) ?? '?'}; it must be under ${KB_MAX_AGE_S} s old`,
    );
  }
  judgeAnswer(c, payload);
}

export const holderBinding: Fragment = (c) => {
  const { r, parsed, facts } = c;
  if (parsed.format !== 'dc+sd-jwt') return;
  if (facts.cnf === undefined) {
    if (parsed.kbJwt)
      r.fail('holderBinding', 'kb_invalid', 'a key-binding JWT was presented for a credential with no cnf key');
    else r.skip('holderBinding');
    return;
  }
  c.binding = c.opts.challenge ? 'challenge' : 'static';
  return judgeKeyBinding(c, parsed, facts.cnf);
};
