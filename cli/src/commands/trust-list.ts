/**
 * `anxin verify --trust-list FILE [--status-url URL]`: a trust list as GET /v1/trust-list
 * serves it, its JWS verified with the key it names (pinned with --trust-key-thumbprint),
 * and anchors from the gateway's public status endpoint.
 */
import { existsSync, readFileSync } from 'node:fs';
import { createHash, createPublicKey, verify as cryptoVerify } from 'node:crypto';
import type { VerifyDeps } from '@anxin/gateway/verify';
import type { AnchorRecord, IssuerRecord } from '@anxin/schemas';
import { CliError, EXIT } from '../common';

export interface TrustList {
  iss?: string;
  iat?: number;
  /** Valid until (epoch seconds); a verifier does not lean on it after. */
  exp?: number;
  ledger?: { kind?: string; height?: number; currentBlockHash?: string };
  issuers: IssuerRecord[];
}

type JWK = { kty?: string; crv?: string; x?: string; y?: string };

/** RFC 7638 thumbprint (SHA-256, base64url) of an EC P-256 or OKP Ed25519 public JWK. */
export function jwkThumbprint(jwk: JWK): string {
  const members =
    jwk.kty === 'EC' ? { crv: jwk.crv, kty: jwk.kty, x: jwk.x, y: jwk.y } : { crv: jwk.crv, kty: jwk.kty, x: jwk.x };
  return createHash('sha256').update(JSON.stringify(members)).digest('base64url');
}

/** Verify a compact JWS (ES256 or EdDSA) with a public JWK; the payload bytes, or undefined. */
function verifyJws(jws: string, alg: string, jwk: JWK): Buffer | undefined {
  const [h, p, sig] = jws.split('.');
  if (!h || p === undefined || !sig) return undefined;
  try {
    const key = createPublicKey({ key: jwk as import('node:crypto').JsonWebKey, format: 'jwk' });
    const data = Buffer.from(`${h}.${p}`);
    const signature = Buffer.from(sig, 'base64url');
    const ok =
      alg === 'ES256'
        ? jwk.kty === 'EC' &&
          jwk.crv === 'P-256' &&
          cryptoVerify('sha256', data, { key, dsaEncoding: 'ieee-p1363' }, signature)
        : jwk.kty === 'OKP' && jwk.crv === 'Ed25519' && cryptoVerify(null, data, key, signature);
    return ok ? Buffer.from(p, 'base64url') : undefined;
  } catch {
    return undefined;
  }
}

/** A --trust-list that cannot be used (exit 2), or that is not to be trusted (exit 1). */
const badTrustList = (message: string) => new CliError(message, { code: 'INVALID_INPUT' });
const untrusted = (reason: 'pin_mismatch' | 'bad_signature', message: string) =>
  new CliError(message, { code: 'UNTRUSTED', exitCode: EXIT.MISMATCH, reason });

/** Read and verify a trust list file (the JSON GET /v1/trust-list answers, or its bare JWS with --trust-key…). */
export async function loadTrustList(
  file: string,
  pin?: string,
  now = new Date(),
): Promise<{ list: TrustList; kid: string; thumbprint: string; pinned: boolean }> {
  if (!existsSync(file)) throw badTrustList(`--trust-list: ${file} does not exist`);
  const text = readFileSync(file, 'utf8').trim();
  let jws: string;
  let jwk: JWK;
  if (text.startsWith('{')) {
    let body: { trustList?: string; publicJwk?: JWK; kid?: string };
    try {
      body = JSON.parse(text) as typeof body;
    } catch {
      throw badTrustList(`--trust-list: ${file} is not JSON`);
    }
    if (typeof body.trustList !== 'string' || !body.publicJwk)
      throw badTrustList(
        `--trust-list: ${file} is not a trust list (expected { trustList, kid, publicJwk } as GET /v1/trust-list serves it)`,
      );
    jws = body.trustList;
    jwk = body.publicJwk;
  } else {
    throw badTrustList(
      `--trust-list: ${file} must be the JSON GET /v1/trust-list answers ({ trustList, kid, publicJwk }): the bare JWS does not carry its key`,
    );
  }
  let header: { alg?: string; kid?: string; typ?: string };
  try {
    header = JSON.parse(Buffer.from(jws.split('.')[0]!, 'base64url').toString('utf8')) as typeof header;
  } catch {
    throw badTrustList('--trust-list: the trust list is not a JWS');
  }
  if (header.typ !== 'anxin-trust-list+jwt' || !header.alg || !['ES256', 'EdDSA'].includes(header.alg)) {
    throw badTrustList('--trust-list: the JWS is not an Anxin trust list (typ anxin-trust-list+jwt, ES256 or EdDSA)');
  }
  const thumbprint = jwkThumbprint(jwk);
  if (!header.kid || header.kid.slice(header.kid.lastIndexOf('#') + 1) !== thumbprint) {
    throw badTrustList(
      `--trust-list: the JWS names key ${header.kid ?? '(none)'}, not the key given with it (${thumbprint})`,
    );
  }
  if (pin && pin !== thumbprint)
    throw untrusted('pin_mismatch', `--trust-list: signed by key ${thumbprint}, not the pinned ${pin}`);
  const verified = verifyJws(jws, header.alg, jwk);
  if (!verified) throw untrusted('bad_signature', '--trust-list: its signature does not verify with its key');
  let payload: TrustList;
  try {
    payload = JSON.parse(verified.toString('utf8')) as TrustList;
  } catch {
    throw badTrustList('--trust-list: the signed payload is not JSON');
  }
  if (!Array.isArray(payload.issuers)) throw badTrustList('--trust-list: the signed payload lists no issuers');
  if (payload.exp !== undefined && (typeof payload.exp !== 'number' || now.getTime() >= payload.exp * 1000))
    throw new CliError(
      `--trust-list: the trust list expired at ${typeof payload.exp === 'number' ? new Date(payload.exp * 1000).toISOString() : String(payload.exp)}: fetch a fresh one (GET /v1/trust-list)`,
      { code: 'EXPIRED', exitCode: EXIT.MISMATCH },
    );
  return { list: payload, kid: header.kid, thumbprint, pinned: !!pin };
}

/** Anchors from the gateway's public status endpoint (GET /v1/credentials/:id/status). */
export function statusAnchor(base: string, kidOf: () => string): VerifyDeps['anchor'] {
  return async (id) => {
    const url = `${base.replace(/\/+$/, '')}/v1/credentials/${encodeURIComponent(id)}/status`;
    let res: Response;
    try {
      res = await fetch(url, { headers: { accept: 'application/json' }, signal: AbortSignal.timeout(15_000) });
    } catch (e) {
      throw new CliError(`--status-url: cannot reach ${url}: ${(e as Error).message}`, { code: 'UNREACHABLE' });
    }
    if (res.status === 404) return undefined;
    if (!res.ok) throw new CliError(`--status-url: ${url} answered ${res.status}`, { code: 'UNREACHABLE' });
    const s = (await res.json()) as {
      id: string;
      type: AnchorRecord['type'];
      issuer: { id: string };
      status: AnchorRecord['status'];
      statusReason?: AnchorRecord['statusReason'];
      validFrom: string;
      validUntil?: string;
      digest: string;
      anchor: { txId: string; block: number | null; anchoredAt: string };
      updatedAt: string;
    };
    // The status answer has no kid: the credential's own stands in, which is sound because a
    // matching digest (sha-256 of the signed JWS, header included) already binds the kid.
    return {
      id: s.id,
      type: s.type,
      issuer: s.issuer.id,
      kid: kidOf(),
      digest: s.digest,
      holderRef: '',
      validFrom: s.validFrom,
      ...(s.validUntil ? { validUntil: s.validUntil } : {}),
      status: s.status,
      ...(s.statusReason ? { statusReason: s.statusReason } : {}),
      anchoredAt: s.anchor.anchoredAt,
      txId: s.anchor.txId,
      block: s.anchor.block ?? -1,
      updatedAt: s.updatedAt,
      updatedBlock: -1,
      updatedTx: -1,
    };
  };
}
