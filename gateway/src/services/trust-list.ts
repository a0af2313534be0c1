/**
 * The trust list: every issuer with its keys, allowed types and status, as a JWS signed
 * by the gateway's own key, so an offline verifier can check credentials without
 * calling back. Rebuilt when the registry changes.
 */
import { CompactSign } from 'jose';
import type { Services } from './context';
import { publicIssuer } from './issuers';

export const TRUST_LIST_TYP = 'anxin-trust-list+jwt';

export class TrustList {
  private cached?: { jws: string; version: string };

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
    if (this.cached?.version !== version) {
      const info = await this.s.ledger.info();
      const payload = {
        iss: this.s.publicUrl,
        iat: Math.floor(this.s.now().getTime() / 1000),
        ledger: { kind: this.s.ledger.kind, height: info.height, currentBlockHash: info.currentBlockHash },
        issuers: issuers.map(publicIssuer),
      };
      const signer = (await this.s.keys.signer(key.kid))!;
      const jws = await new CompactSign(new TextEncoder().encode(JSON.stringify(payload)))
        .setProtectedHeader({ alg: signer.alg, kid: key.kid, typ: TRUST_LIST_TYP })
        .sign(signer.privateKey);
      this.cached = { jws, version };
    }
    return { jws: this.cached.jws, kid: key.kid, publicJwk: key.publicJwk };
  }
}
