/**
 * Making statements: the other side of verify.ts, for whoever holds a registrar or
 * issuer key (the gateway's custody, an issuer signing for itself, tests).
 */
import { randomUUID } from 'node:crypto';
import { CompactSign, type CryptoKey, type KeyObject } from 'jose';
import { STATEMENT_TYP, type SigningAlg, type StatementByKind, type StatementKind } from '@anxin/schemas';

export interface StatementSigner {
  /** `<issuer id>#<key id>` or `registrar#<key id>`. */
  kid: string;
  alg: SigningAlg;
  privateKey: CryptoKey | KeyObject | Uint8Array;
}

/** A statement's payload without its envelope fields; `jti` and `iat` are filled in when absent. */
export type StatementBody<K extends StatementKind> = Omit<StatementByKind[K], 'jti' | 'iat'> & {
  jti?: string;
  iat?: number;
};

/**
 * Sign a statement as a compact JWS.
 *
 * @example
 * const jws = await signStatement({ kind: 'revoke', iss: issuerId, credentialId, reason: 'fraud' }, signer);
 */
export async function signStatement<K extends StatementKind>(
  body: StatementBody<K> & { kind: K },
  signer: StatementSigner,
): Promise<string> {
  const payload = { ...body, jti: body.jti ?? randomUUID(), iat: body.iat ?? Math.floor(Date.now() / 1000) };
  return new CompactSign(new TextEncoder().encode(JSON.stringify(payload)))
    .setProtectedHeader({ alg: signer.alg, kid: signer.kid, typ: STATEMENT_TYP })
    .sign(signer.privateKey);
}
