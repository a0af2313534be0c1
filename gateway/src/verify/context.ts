/**
 * What the check fragments share: the inputs, the report being built, and what each
 * fragment learned for those after it. A fragment reads only what the fragments before it
 * in the order (compose.ts) set, and it runs only if none of them ended the verification.
 */
import type { IssuerKeyRecord, IssuerRecord } from '@anxin/schemas';
import type { AnchorProjection } from './anchor';
import { portableSha256, sdHasher, sdHasherOf } from './bytes';
import type { Sha256, SignatureCheck, VerifyDeps, VerifyOptions } from './deps';
import type { Facts } from './facts';
import type { Parsed } from './parse';
import type { AuthorityJudgement, BindingMode, ReportBuilder } from './report';
import { webCryptoSignature } from './signature';

/** What a fragment returns to end the verification: the report is made from what is known. */
export const STOP = 'stop';

/** One check (or the look-up a check needs): it records outcomes on `c.r`, and may end the verification. */
export type Fragment = (c: Context) => void | typeof STOP | Promise<void | typeof STOP>;

export interface Context {
  readonly input: string;
  readonly deps: VerifyDeps;
  readonly opts: VerifyOptions;
  /** The instant of the check, read once. */
  readonly now: Date;
  readonly r: ReportBuilder;
  /** The cryptography: the runtime's own where its caller gave it, else the portable one. */
  readonly verifySignature: SignatureCheck;
  readonly sha256: Sha256;
  readonly sdHasher: (data: string | ArrayBuffer, alg: string) => Uint8Array;

  /** Set by `format`: the input taken apart, and what it says of itself. */
  parsed: Parsed;
  facts: Facts;
  /** Set by `signature`: the registered issuer and key that signed it, the full kid, the signed JWS. */
  issuer: IssuerRecord;
  key: IssuerKeyRecord;
  kid: string;
  signed: string;
  /** Set by `ledgerRecord`: the anchor under the credential's id, the signed JWS's digest, and the anchor if it is of exactly this credential. */
  anchor: AnchorProjection | undefined;
  digest: string;
  proof: AnchorProjection | undefined;
  /** Set by `issuer`: how its authority was judged. */
  authority?: AuthorityJudgement;
  /** Set by `holderBinding` for a credential bound to a key. */
  binding?: BindingMode;
}

/**
 * A context before any fragment ran. Its later members are set by the fragments, in order,
 * before any fragment after them reads them.
 */
export function startContext(input: string, deps: VerifyDeps, opts: VerifyOptions, r: ReportBuilder): Context {
  const sha256 = deps.crypto?.sha256 ?? portableSha256;
  return {
    input,
    deps,
    opts,
    now: deps.now(),
    r,
    verifySignature: deps.crypto?.signature ?? webCryptoSignature,
    sha256,
    sdHasher: hasherOf(sha256),
  } as Context;
}

const hashers = new WeakMap<Sha256, Context['sdHasher']>([[portableSha256, sdHasher]]);

/** The SD-JWT hasher over a SHA-256, made once per function. */
function hasherOf(sha256: Sha256): Context['sdHasher'] {
  let h = hashers.get(sha256);
  if (!h) hashers.set(sha256, (h = sdHasherOf(sha256)));
  return h;
}
