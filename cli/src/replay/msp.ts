/**
 * The organisations' MSPs as the config blocks declare them, and the check that an
 * identity (a SerializedIdentity from a header or an endorsement) is a certificate
 * issued by one of its MSP's roots (or intermediates), valid at the transaction time,
 * and of the role its place requires (peer for endorsements, orderer for blocks, client
 * or admin for transaction creators) when the MSP classifies identities by node OU.
 *
 * A chain is judged once per certificate and cached (a ledger has few identities and
 * hundreds of thousands of signatures by them).
 */
import { X509Certificate, type KeyObject } from 'node:crypto';
import type { MspInfo } from '@anxin/network';

export interface MspSet {
  /** Serialisable form, for worker threads. */
  msps: MspInfo[];
}

export type Role = 'peer' | 'orderer' | 'creator';

export interface Verdict {
  key: KeyObject;
  cert: X509Certificate;
  subject: string;
  notBefore: number;
  notAfter: number;
  ous: string[];
  msp: MspInfo;
}

function ousOf(subject: string): string[] {
  return subject
    .split('\n')
    .filter((l) => l.startsWith('OU='))
    .map((l) => l.slice(3));
}

export class MspRegistry {
  private readonly byId = new Map<
    string,
    { info: MspInfo; roots: X509Certificate[]; intermediates: X509Certificate[] }
  >();
  private readonly verdicts = new Map<string, Map<string, Verdict | string>>();

  constructor(readonly set: MspSet = { msps: [] }) {
    const certs = (pems: string[]) =>
      pems.flatMap((p) => {
        try {
          return [new X509Certificate(p)];
        } catch {
          return []; // a root that is not a certificate roots nothing (the config block's own checks say why)
        }
      });
    for (const m of set.msps) {
      this.byId.set(m.mspId, { info: m, roots: certs(m.rootCerts), intermediates: certs(m.intermediateCerts) });
    }
  }

  get size(): number {
    return this.byId.size;
  }

  /**
   * The identity's public key when its certificate chains to a root of its MSP, is
   * valid at `at` and (with node OUs) has the role `role`; otherwise a string saying why not.
   */
  identity(mspId: string, certPem: string, at: Date, role?: Role): Verdict | string {
    let byCert = this.verdicts.get(mspId);
    if (!byCert) this.verdicts.set(mspId, (byCert = new Map()));
    let v = byCert.get(certPem);
    if (v === undefined) {
      v = this.chain(mspId, certPem);
      byCert.set(certPem, v);
    }
    if (typeof v === 'string') return v;
    const t = at.getTime();
    if (!(t >= v.notBefore && t <= v.notAfter)) {
      return `certificate ${v.subject} is not valid at ${Number.isFinite(t) ? at.toISOString() : 'an invalid time'}`;
    }
    if (role) {
      const problem = roleProblem(v, role);
      if (problem) return problem;
    }
    return v;
  }

  private chain(mspId: string, certPem: string): Verdict | string {
    const msp = this.byId.get(mspId);
    if (!msp) return `MSP ${mspId || '(none)'} is not in the channel configuration`;
    let cert: X509Certificate;
    try {
      cert = new X509Certificate(certPem);
    } catch {
      return 'the identity is not an X.509 certificate';
    }
    const subject = cert.subject.replace(/\n/g, ', ');
    if (cert.ca) return `certificate ${subject} is a CA certificate, which cannot sign transactions`;
    // Walk up through intermediates to a root; at most a few levels.
    let current = cert;
    for (let depth = 0; depth < 5; depth++) {
      const root = msp.roots.find((r) => current.checkIssued(r) && current.verify(r.publicKey));
      if (root) {
        return {
          key: cert.publicKey,
          cert,
          subject,
          notBefore: Date.parse(cert.validFrom),
          notAfter: Date.parse(cert.validTo),
          ous: ousOf(cert.subject),
          msp: msp.info,
        };
      }
      const mid = msp.intermediates.find((r) => current.checkIssued(r) && current.verify(r.publicKey));
      if (!mid) break;
      current = mid;
    }
    return `certificate ${subject} does not chain to a root of ${mspId}`;
  }
}

/** With node OUs enabled, the OU the role needs; without, only what the place implies. */
function roleProblem(v: Verdict, role: Role): string | undefined {
  const ous = v.msp.nodeOUs;
  if (role === 'orderer' && v.msp.section !== 'Orderer') return `${v.msp.mspId} is not an orderer organisation`;
  if (!ous.enabled) {
    // Without node OUs, Fabric cannot tell roles apart; the embedded ledger's certificates still say.
    if (role === 'peer' && !v.ous.includes('peer')) return `endorser ${v.subject} is not a peer`;
    return undefined;
  }
  const want =
    role === 'creator'
      ? [ous.client ?? 'client', ous.admin ?? 'admin']
      : [(role === 'peer' ? ous.peer : ous.orderer) ?? role];
  if (!v.ous.some((o) => want.includes(o))) {
    return `${role === 'creator' ? 'creator' : role} ${v.subject} is not ${role === 'creator' ? 'a client or admin' : `a${role === 'orderer' ? 'n' : ''} ${role}`} of ${v.msp.mspId}`;
  }
  return undefined;
}
