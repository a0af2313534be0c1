/**
 * Statement verification: the JWS is checked against keys already on the ledger, as
 * they stand at the transaction time, before anything in its payload is believed.
 */
import { verify as verifySignature, type KeyObject } from 'node:crypto';
import { decodeProtectedHeader } from 'jose';
import {
  REGISTRAR_KINDS,
  SIGNING_ALGS,
  STATEMENT_SCHEMAS,
  statementHeaderSchema,
  validateById,
  validator,
  type IssuerKeyRecord,
  type IssuerRecord,
  type SigningAlg,
  type StatementByKind,
  type StatementHeader,
  type StatementKind,
  type Validation,
} from '@anxin/schemas';
import { Rejection } from './errors';
import { checkKeyWindow, verifyKey } from './keys';
import type { LedgerState, TxContext } from './state';

/** Statements older than this (by `iat`) are refused. */
export const STATEMENT_MAX_AGE_S = 24 * 3600;
/** Clock skew tolerated for `iat` in the future. */
export const STATEMENT_MAX_SKEW_S = 300;
/** Upper bound on a statement's size. */
export const STATEMENT_MAX_BYTES = 16 * 1024;

const checkHeader = validator(statementHeaderSchema);
const checkPayload = (kind: StatementKind, data: unknown): Validation<unknown> =>
  validateById(STATEMENT_SCHEMAS[kind].$id, data);

export type StatementOf<K extends StatementKind> = StatementByKind[K];

export interface VerifiedStatement<K extends StatementKind> {
  header: StatementHeader;
  payload: StatementOf<K>;
  /** The key that signed it; for issuer statements, the issuer as it stands. */
  key: { kid: string; keyId: string };
  issuer?: IssuerRecord;
}

function splitKid(kid: string): { owner: string; keyId: string } {
  const i = kid.lastIndexOf('#');
  return { owner: kid.slice(0, i), keyId: kid.slice(i + 1) };
}

/**
 * The JWS signature over its signing input (RFC 7515 §5.2), by node:crypto: the header is
 * checked already (its schema admits alg, kid and typ only — no `crit`, no `b64`), and the
 * algorithm is the key's own. jose's WebCrypto path costs about 2.5× the CPU per signature
 * and a thread-pool round trip, on every endorsement and in every replay.
 */
function signatureHolds(jws: string, alg: SigningAlg, key: KeyObject): boolean {
  const dot = jws.lastIndexOf('.');
  const input = Buffer.from(jws.slice(0, dot), 'ascii');
  const signature = Buffer.from(jws.slice(dot + 1), 'base64url');
  try {
    if (alg === 'ES256') {
      return signature.length === 64 && verifySignature('sha256', input, { key, dsaEncoding: 'ieee-p1363' }, signature);
    }
    return signature.length === 64 && verifySignature(null, input, key, signature);
  } catch {
    return false;
  }
}

/**
 * Verify a statement of kind `kind`: header, signer key and its window at the
 * transaction time, signature, payload schema, freshness, and that it was never
 * applied before.
 *
 * @example
 * const { payload, issuer } = await verifyStatement(state, jws, 'anchor', tx);
 */
export async function verifyStatement<K extends StatementKind>(
  state: LedgerState,
  jws: string,
  kind: K,
  tx: TxContext,
): Promise<VerifiedStatement<K>> {
  // The signature part may be empty here (an unsecured JWS): the algorithm check below names it.
  if (typeof jws !== 'string' || jws.length > STATEMENT_MAX_BYTES || !/^[\w-]+\.[\w-]+\.[\w-]*$/.test(jws)) {
    throw new Rejection('MALFORMED_STATEMENT', 'a statement is one compact JWS (header.payload.signature)');
  }
  let rawHeader: unknown;
  try {
    rawHeader = decodeProtectedHeader(jws);
  } catch {
    throw new Rejection('MALFORMED_STATEMENT', 'the protected header is not base64url JSON');
  }
  const alg = (rawHeader as { alg?: unknown }).alg;
  if (typeof alg !== 'string' || !(SIGNING_ALGS as readonly string[]).includes(alg)) {
    throw new Rejection('ALG_NOT_ALLOWED', `alg ${String(alg)} is not allowed; only ${SIGNING_ALGS.join(', ')}`);
  }
  const h = checkHeader(rawHeader);
  if (!h.ok) throw new Rejection('MALFORMED_STATEMENT', `header ${h.issues[0]!.field}: ${h.issues[0]!.message}`);
  const header = h.value;

  const { owner, keyId } = splitKid(header.kid);
  const registrarKind = (REGISTRAR_KINDS as readonly string[]).includes(kind);
  let key: { alg: string; publicJwk: object };
  let issuer: IssuerRecord | undefined;
  if (registrarKind) {
    if (owner !== 'registrar') throw new Rejection('UNKNOWN_KEY', `${kind} must be signed by a registrar key`);
    const registrar = await state.getRegistrar();
    if (!registrar) throw new Rejection('NOT_INITIALISED', 'the ledger has no registrar keys yet');
    const k = registrar.keys.find((x) => x.keyId === keyId);
    if (!k) throw new Rejection('UNKNOWN_KEY', `no registrar key ${keyId}`);
    // Keys fixed at initialisation have no window; rotated ones have notBefore and, once retired, retiredAt.
    checkKeyWindow(k, tx.time);
    key = k;
  } else {
    if (owner === 'registrar') throw new Rejection('UNKNOWN_KEY', `${kind} must be signed by the credential's issuer`);
    issuer = await state.getIssuer(owner);
    if (!issuer) throw new Rejection('ISSUER_UNKNOWN', `no issuer ${owner}`);
    const k: IssuerKeyRecord | undefined = issuer.keys.find((x) => x.keyId === keyId);
    if (!k) throw new Rejection('UNKNOWN_KEY', `issuer ${owner} has no key ${keyId}`);
    checkKeyWindow(k, tx.time);
    key = k;
  }
  if (key.alg !== header.alg) {
    throw new Rejection('ALG_NOT_ALLOWED', `key ${header.kid} signs with ${key.alg}, not ${header.alg}`);
  }

  if (!signatureHolds(jws, header.alg, verifyKey(header.alg, key.publicJwk))) {
    throw new Rejection('BAD_SIGNATURE', `the signature does not verify with ${header.kid}`);
  }
  const payloadBytes = Buffer.from(jws.slice(jws.indexOf('.') + 1, jws.lastIndexOf('.')), 'base64url');

  let raw: unknown;
  try {
    raw = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(payloadBytes));
  } catch {
    throw new Rejection('MALFORMED_STATEMENT', 'the payload is not UTF-8 JSON');
  }
  const claimed = (raw as { kind?: unknown } | null)?.kind;
  if (claimed !== kind)
    throw new Rejection('WRONG_KIND', `this transaction takes a ${kind} statement, not ${String(claimed)}`);
  const p = checkPayload(kind, raw);
  if (!p.ok) throw new Rejection('MALFORMED_STATEMENT', `${p.issues[0]!.field || '/'} ${p.issues[0]!.message}`);
  const payload = p.value as StatementOf<K>;
  if (!registrarKind && (payload as { iss: string }).iss !== owner) {
    throw new Rejection(
      'UNKNOWN_KEY',
      `statement iss ${(payload as { iss: string }).iss} is not the key's issuer ${owner}`,
    );
  }

  const now = Math.floor(Date.parse(tx.time) / 1000);
  if (payload.iat < now - STATEMENT_MAX_AGE_S)
    throw new Rejection('STATEMENT_EXPIRED', `issued at ${payload.iat}, too old`);
  if (payload.iat > now + STATEMENT_MAX_SKEW_S)
    throw new Rejection('STATEMENT_FROM_FUTURE', `issued at ${payload.iat}, in the future`);
  if (await state.getStatement(payload.jti))
    throw new Rejection('STATEMENT_REPLAYED', `statement ${payload.jti} was applied before`);

  return { header, payload, key: { kid: header.kid, keyId }, ...(issuer ? { issuer } : {}) };
}
