/**
 * The organisations' MSPs as the config blocks declare them, and the check that an
 * identity (a SerializedIdentity from a header or an endorsement) is a certificate
 * issued by one of its MSP's roots (or intermediates), valid at the transaction time.
 */
import { X509Certificate, type KeyObject } from 'node:crypto';
import type { MspInfo } from '@anxin/network';

export interface MspSet {
  /** Serialisable form, for worker threads. */
  msps: MspInfo[];
}

export class MspRegistry {
  private readonly byId = new Map<string, { roots: X509Certificate[]; intermediates: X509Certificate[] }>();
  private readonly verdicts = new Map<string, { key: KeyObject; cert: X509Certificate } | string>();

  constructor(readonly set: MspSet = { msps: [] }) {
    for (const m of set.msps) {
      this.byId.set(m.mspId, {
        roots: m.rootCerts.map((p) => new X509Certificate(p)),
        intermediates: m.intermediateCerts.map((p) => new X509Certificate(p)),
      });
    }
  }

  get size(): number {
    return this.byId.size;
  }

  /**
   * The identity's public key when its certificate chains to a root of its MSP and is
   * valid at `at`; otherwise a string saying why not.
   */
  identity(mspId: string, certPem: string, at: Date): { key: KeyObject; cert: X509Certificate } | string {
    const cacheKey = `${mspId}\u0000${certPem}`;
    let v = this.verdicts.get(cacheKey);
    if (v === undefined) {
      v = this.chain(mspId, certPem);
      this.verdicts.set(cacheKey, v);
    }
    if (typeof v === 'string') return v;
    if (at.getTime() < Date.parse(v.cert.validFrom) || at.getTime() > Date.parse(v.cert.validTo)) {
      return `certificate ${v.cert.subject.replace(/\n/g, ', ')} is not valid at ${at.toISOString()}`;
    }
    return v;
  }

  private chain(mspId: string, certPem: string): { key: KeyObject; cert: X509Certificate } | string {
    const msp = this.byId.get(mspId);
    if (!msp) return `MSP ${mspId} is not in the channel configuration`;
    let cert: X509Certificate;
    try {
      cert = new X509Certificate(certPem);
    } catch {
      return 'the identity is not an X.509 certificate';
    }
    if (cert.ca) return 'a CA certificate cannot sign transactions';
    // Walk up through intermediates to a root; at most a few levels.
    let current = cert;
    for (let depth = 0; depth < 5; depth++) {
      const root = msp.roots.find((r) => current.checkIssued(r) && current.verify(r.publicKey));
      if (root) return { key: cert.publicKey, cert };
      const mid = msp.intermediates.find((r) => current.checkIssued(r) && current.verify(r.publicKey));
      if (!mid) break;
      current = mid;
    }
    return `certificate ${cert.subject.replace(/\n/g, ', ')} does not chain to a root of ${mspId}`;
  }
}
