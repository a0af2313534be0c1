/**
 * What verification is given rather than reaches for: the issuer registry, the ledger's
 * anchors, the time — and, optionally, a runtime's faster cryptography. The core does no
 * I/O, reads no environment and no clock; whoever calls it decides where these come from
 * (the gateway's store, a CLI's files, a page's fetches).
 */
import type { IssuerKeyRecord, IssuerRecord } from '@anxin/schemas';
import type { AnchorProjection } from './anchor';

/**
 * Whether `jws` (`header.payload.signature`) carries a valid signature by `key` under `alg`:
 * the signature math only. The algorithm allow-list, the header and the key were judged
 * by the caller; an ES256 signature is JOSE's r||s (IEEE P1363), as RFC 7518 defines it.
 * Never throws for a bad signature: false.
 */
export type SignatureCheck = (jws: string, alg: 'ES256' | 'EdDSA', key: IssuerKeyRecord) => Promise<boolean>;

/** SHA-256 of bytes, or of a string's UTF-8 bytes, synchronously (as @sd-jwt's `*Sync` functions need it). */
export type Sha256 = (data: string | Uint8Array) => Uint8Array;

/**
 * A runtime's own cryptography, where it is faster than the portable defaults — WebCrypto's
 * signature math (`webCryptoSignature`) and @noble/hashes' SHA-256 — for the same answers.
 *
 * @example
 * const crypto = { sha256: (d) => createHash('sha256').update(d).digest(), signature: nodeSignature };
 */
export interface RuntimeCrypto {
  signature?: SignatureCheck;
  sha256?: Sha256;
}

export interface VerifyDeps {
  issuer(id: string): IssuerRecord | undefined;
  anchor(id: string): Promise<AnchorProjection | undefined>;
  now(): Date;
  /** Registered issuers with this USCC, to say whom a platform issued on behalf of; absent: not looked up. */
  issuersByUscc?(uscc: string): IssuerRecord[];
  /** Faster cryptography of the runtime; absent: the portable defaults. */
  crypto?: RuntimeCrypto;
}

/** A verifier challenge after its one use: its nonce and aud, or why it could not be used. */
export type ChallengeOutcome =
  { usable: true; nonce: string; aud: string } | { usable: false; why: 'unknown' | 'expired' | 'used' | 'not_yours' };

/**
 * What a verifier asks of a presentation. Whatever it asks, a credential bound to a key
 * (cnf) verifies only with a valid key-binding JWT; nothing here can weaken that.
 */
export interface VerifyOptions {
  /** Static mode: a nonce of the caller's own that the key-binding JWT must carry. */
  nonce?: string;
  /** Static mode: the `aud` the key-binding JWT must carry. */
  audience?: string;
  /**
   * Static mode without `audience`: the audiences this gateway gives its verifiers'
   * challenges (a prefix) and the caller's own. A key-binding JWT addressed to another
   * verifier answered that verifier's challenge; shown here again it is refused
   * (`kb_audience`), so a presentation made for one employer cannot be replayed to another.
   */
  verifierAudiences?: { prefix: string; own: string };
  /**
   * Challenge mode: the gateway challenge the request named, as using it came out (it is
   * used — once, atomically — before the verification, where the store is).
   */
  challenge?: ChallengeOutcome;
}

/**
 * The registered issuers with `uscc`, from a registry's issuers: what `VerifyDeps.issuersByUscc`
 * answers for a registry held in memory.
 *
 * @example
 * const deps = { ...others, issuersByUscc: (u) => issuersWithUscc(registry.values(), u) };
 */
export function issuersWithUscc(issuers: Iterable<IssuerRecord>, uscc: string): IssuerRecord[] {
  const out: IssuerRecord[] = [];
  for (const i of issuers) if (i.uscc === uscc) out.push(i);
  return out;
}
