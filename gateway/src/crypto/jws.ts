/**
 * Compact JWS signing on the issuance hot path. jose (on WebCrypto) signs on Node's main
 * thread; node:crypto's callback form signs on libuv's thread pool, so issuance spreads
 * over the cores. The JWS is built exactly as RFC 7515 says — base64url(header) "."
 * base64url(payload), signed; ES256 signatures in JOSE's r||s form (RFC 7518 §3.4).
 * jose verifies these like any other JWS (the tests do).
 */
import { sign, type KeyObject } from 'node:crypto';
import { randomUUID } from 'node:crypto';
import type { StatementBody, StatementSigner } from '@anxin/chaincode/rules';
import { STATEMENT_TYP, type StatementKind } from '@anxin/schemas';

const b64 = (v: unknown) => Buffer.from(JSON.stringify(v), 'utf8').toString('base64url');

export function signCompactJws(
  header: Record<string, unknown>,
  payload: unknown,
  signer: StatementSigner,
): Promise<string> {
  const input = `${b64({ ...header, alg: signer.alg, kid: signer.kid })}.${b64(payload)}`;
  const key = signer.privateKey as KeyObject;
  return new Promise((resolve, reject) => {
    sign(
      signer.alg === 'ES256' ? 'sha256' : null,
      Buffer.from(input, 'ascii'),
      { key, dsaEncoding: 'ieee-p1363' },
      (err, sig) => (err ? reject(err) : resolve(`${input}.${sig.toString('base64url')}`)),
    );
  });
}

/** A statement (see @anxin/chaincode's signStatement), signed off the main thread. */
export function signStatementFast<K extends StatementKind>(
  body: StatementBody<K> & { kind: K },
  signer: StatementSigner,
): Promise<string> {
  const payload = { ...body, jti: body.jti ?? randomUUID(), iat: body.iat ?? Math.floor(Date.now() / 1000) };
  return signCompactJws({ typ: STATEMENT_TYP }, payload, signer);
}
