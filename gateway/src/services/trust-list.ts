/**
 * The trust list: every issuer with its keys, allowed types and status, its public URL and
 * where its JWT VC Issuer Metadata is, as a JWS signed by the gateway's own key, so an
 * offline verifier can check credentials without calling back. It is valid until its `exp`:
 * a verifier does not lean on an older registry than that. Rebuilt when the registry
 * changes, and at least every TRUST_LIST_REFRESH_S.
 */
import { CompactSign } from 'jose';
import { issuerSlug, publicIssuerId } from '@anxin/schemas';
import type { Services } from './context';
import { publicIssuer } from './issuers';

export const TRUST_LIST_TYP = 'anxin-trust-list+jwt';
/** How long a signed trust list stays valid (`exp` − `iat`). */
export const TRUST_LIST_VALIDITY_S = 24 * 3600;
/** A trust list is signed afresh at least this often, so its `exp` stays far off. */
const TRUST_LIST_REFRESH_S = 3600;

/** Where an issuer's JWT VC Issuer Metadata is served (SD-JWT VC §4). */
export function issuerMetadataUrl(publicUrl: string, issuerId: string): string | undefined {
  const slug = issuerSlug(issuerId);
  return slug ? `${publicUrl.replace(/\/+$/, '')}/.well-known/jwt-vc-issuer/issuers/${slug}` : undefined;
}

export class TrustList {
  private cached?: { jws: string; version: string; iat: number };

  constructor(private readonly s: Services) {}

  /** The gateway's signing key: the newest one in custody, created on first use. */
  async key() {
    const keys = await this.s.keys.list('gateway');
    return keys[keys.length - 1] ?? (await this.s.keys.create('gateway'));
  }

  async current(): Promise<{ jws: string; kid: string; publicJwk: Record<string, string> }> {
    const key = await this.key();
    const issuers = [...this.s.projection.issuers.values()].sort((a, b) => a.id.localeCompare(b.id));
    const version = `${key.kid}|${issuers.map((i) => `${i.id}@${i.updatedAt}`).join(',')}`;
    const now = Math.floor(this.s.now().getTime() / 1000);
    if (this.cached?.version !== version || now - this.cached.iat >= TRUST_LIST_REFRESH_S) {
      const info = await this.s.ledger.info();
      const payload = {
        iss: this.s.publicUrl,
        iat: now,
        exp: now + TRUST_LIST_VALIDITY_S,
        ledger: { kind: this.s.ledger.kind, height: info.height, currentBlockHash: info.currentBlockHash },
        issuers: issuers.map((i) => {
          const metadata = issuerMetadataUrl(this.s.publicUrl, i.id);
          return { ...publicIssuer(i), url: publicIssuerId(this.s.publicUrl, i.id), ...(metadata ? { metadata } : {}) };
        }),
      };
      const signer = (await this.s.keys.signer(key.kid))!;
      const jws = await new CompactSign(new TextEncoder().encode(JSON.stringify(payload)))
        .setProtectedHeader({ alg: signer.alg, kid: key.kid, typ: TRUST_LIST_TYP })
        .sign(signer.privateKey);
      this.cached = { jws, version, iat: now };
    }
    return { jws: this.cached.jws, kid: key.kid, publicJwk: key.publicJwk };
  }
}
