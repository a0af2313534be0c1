/** Fixtures of the Store contract: records with fresh random ids, so tests never see each other's rows. */
import { randomBytes, randomUUID } from 'node:crypto';
import type { IssuerRecord } from '@anxin/schemas';
import type {
  AnchorProjection,
  ApiKeyRecord,
  CredentialRecord,
  CustodialKeyRecord,
  IssuerProjection,
  NonceRecord,
  Sealed,
} from '@anxin/gateway/store';

export const b64u = (b: Buffer): string => b.toString('base64url');
export const hex = (n: number): string => randomBytes(n).toString('hex');
export const thumb = (): string => b64u(randomBytes(32)); // 43 chars, like an RFC 7638 thumbprint
export const uid = (): string => randomUUID().slice(0, 8);

/** A sealed value whose ciphertext holds every byte value, plus random ones. */
export function sealedFixture(size = 1024): { sealed: Sealed; bytes: { iv: Buffer; ct: Buffer; tag: Buffer } } {
  const all = Buffer.alloc(256);
  for (let i = 0; i < 256; i++) all[i] = i;
  const ct = Buffer.concat([all, randomBytes(size)]);
  const iv = randomBytes(12);
  const tag = randomBytes(16);
  return { sealed: { iv: b64u(iv), ct: b64u(ct), tag: b64u(tag), kek: b64u(randomBytes(32)) }, bytes: { iv, ct, tag } };
}

export function apiKey(over: Partial<ApiKeyRecord> = {}): ApiKeyRecord {
  const id = `ak_${hex(8)}`;
  return {
    id,
    hash: hex(32),
    principal: { type: 'issuer', id: `urn:anxin:issuer:store-test-${uid()}` },
    scopes: ['issue', 'revoke'],
    createdAt: '2026-05-01T06:30:00.000Z',
    ...over,
  };
}

export function custodialKey(owner: string, over: Partial<CustodialKeyRecord> = {}): CustodialKeyRecord {
  return {
    kid: `${owner}#${thumb()}`,
    owner,
    alg: 'ES256',
    publicJwk: { kty: 'EC', crv: 'P-256', x: thumb(), y: thumb() },
    sealed: sealedFixture(64).sealed,
    createdAt: '2026-05-01T06:30:00.000Z',
    ...over,
  };
}

export const credentialId = (): string => `urn:uuid:${randomUUID()}`;

export function credential(over: Partial<CredentialRecord> = {}): CredentialRecord {
  return {
    id: credentialId(),
    issuer: `urn:anxin:issuer:store-test-${uid()}`,
    type: 'HealthCertificate',
    format: 'dc+sd-jwt',
    sealed: sealedFixture(256).sealed,
    digest: hex(32),
    anchorStatement: `eyJhbGciOiJFUzI1NiJ9.${b64u(randomBytes(40))}.${b64u(randomBytes(64))}`,
    state: 'pending',
    createdAt: '2026-05-01T06:30:00.000Z',
    ...over,
  };
}

export function anchor(
  updatedBlock: number,
  updatedTx: number,
  over: Partial<AnchorProjection> = {},
): AnchorProjection {
  return {
    id: credentialId(),
    type: 'LaborContract',
    issuer: 'urn:anxin:issuer:store-test-platform',
    kid: `urn:anxin:issuer:store-test-platform#${thumb()}`,
    digest: hex(32),
    holderRef: thumb(),
    validFrom: '2026-05-01T00:00:00Z',
    validUntil: '2026-05-02T00:00:00Z',
    status: 'active',
    anchoredAt: '2026-05-01T06:30:00.123Z',
    txId: hex(32),
    block: 3,
    updatedAt: '2026-05-01T06:30:00.123Z',
    updatedBlock,
    updatedTx,
    ...over,
  };
}

export function issuerRecord(id: string, name: string): IssuerRecord {
  return {
    id,
    name,
    kind: 'health_authority',
    uscc: '12510106MB0P42612H',
    allowedTypes: ['HealthCertificate'],
    status: 'active',
    keys: [
      {
        keyId: 'Vb1yRbl0jEMGfQdD5_PbVAQrNn2oQOgCKXyDAhfqfUQ',
        kid: `${id}#Vb1yRbl0jEMGfQdD5_PbVAQrNn2oQOgCKXyDAhfqfUQ`,
        alg: 'ES256',
        publicJwk: {
          kty: 'EC',
          crv: 'P-256',
          x: 'f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU',
          y: 'x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0',
        },
        notBefore: '2026-03-01T00:00:00Z',
      },
    ],
    registeredAt: '2026-03-01T00:00:00Z',
    updatedAt: '2026-03-01T00:00:00Z',
  };
}

export const issuerProjection = (
  id: string,
  name: string,
  updatedBlock: number,
  updatedTx: number,
): IssuerProjection => ({
  issuer: issuerRecord(id, name),
  updatedBlock,
  updatedTx,
});

export const issuerId = (): string => `urn:anxin:issuer:store-test-${uid()}`;

/** A challenge given to `principal` (or, with purpose c_nonce, a public c_nonce), valid 5 minutes from 06:30 Beijing time. */
export function nonceRecord(over: Partial<NonceRecord> = {}): NonceRecord {
  const purpose = over.purpose ?? 'challenge';
  return {
    nonce: thumb(),
    purpose,
    ...(purpose === 'challenge'
      ? { principal: `verifier:hotpot-${uid()}`, aud: `https://anxin.example.cn/verifiers/hotpot-${uid()}` }
      : {}),
    createdAt: '2026-05-01T06:30:00+08:00',
    expiresAt: '2026-05-01T06:35:00+08:00',
    ...over,
  };
}
/** Instants around the fixture's expiry (06:35 Beijing = 22:35Z the day before). */
export const BEFORE_EXPIRY = '2026-04-30T22:31:00.000Z';
export const AT_EXPIRY = '2026-04-30T22:35:00.000Z';

export function shuffled<T>(xs: readonly T[]): T[] {
  const a = [...xs];
  for (let i = a.length - 1; i > 0; i--) {
    const j = randomBytes(1)[0]! % (i + 1);
    [a[i], a[j]] = [a[j]!, a[i]!];
  }
  return a;
}
