/**
 * The replay's summary: what was read, how many of each statement, credential and issuer
 * the ledger holds, and the trust anchors it rests on, with counts in a stable order so
 * that two reports of one ledger compare line by line.
 */
import { createHash } from 'node:crypto';
import type { StatementFunction } from '@anxin/chaincode/rules';
import type { MspInfo } from '@anxin/network';
import type { PipelineOutcome } from './pipeline';
import type { LedgerRecords } from './records';
import type { ReplaySummary } from './result';

/** Statements in the order a ledger's life meets them (not the schemas' order): every kind, once. */
const KIND_ORDER = [
  'init',
  'registerIssuer',
  'updateIssuer',
  'addKey',
  'retireKey',
  'revokeKey',
  'rotateRegistrar',
  'anchor',
  'suspend',
  'reinstate',
  'revoke',
] as const satisfies readonly StatementFunction[];
// A statement kind added to the contract and missing here fails to compile.
const _everyKind: Record<Exclude<StatementFunction, (typeof KIND_ORDER)[number]>, never> = {};
void _everyKind;

const STATUS_ORDER = ['active', 'suspended', 'revoked'];

/** Counts in a stable order: the known keys first, in this order, then the rest by name. */
function ordered(map: Record<string, number>, first: readonly string[]): Record<string, number> {
  const keys = [
    ...first.filter((k) => k in map),
    ...Object.keys(map)
      .filter((k) => !first.includes(k))
      .sort(),
  ];
  return Object.fromEntries(keys.map((k) => [k, map[k]!]));
}

function count(map: Record<string, number>, key: string, by = 1): void {
  map[key] = (map[key] ?? 0) + by;
}

function rootFingerprints(msps: MspInfo[]): ReplaySummary['trustAnchors']['msps'] {
  return msps.map((m) => ({
    mspId: m.mspId,
    rootCertSha256: m.rootCerts.map((pem) => {
      const der = Buffer.from(pem.replace(/-----[^-]+-----/g, '').replace(/\s+/g, ''), 'base64');
      return createHash('sha256').update(der).digest('hex');
    }),
  }));
}

function credentialCounts(anchors: LedgerRecords['anchors']): ReplaySummary['credentials'] {
  const byType: Record<string, number> = {};
  const byStatus: Record<string, number> = {};
  for (const a of anchors) {
    count(byType, a.type);
    count(byStatus, a.status);
  }
  return { total: anchors.length, byType: ordered(byType, []), byStatus: ordered(byStatus, STATUS_ORDER) };
}

function issuerCounts(issuers: LedgerRecords['issuers']): ReplaySummary['issuers'] {
  const byStatus: Record<string, number> = {};
  const keys = { total: 0, retired: 0, compromised: 0 };
  for (const i of issuers) {
    count(byStatus, i.status);
    for (const k of Array.isArray(i.keys) ? i.keys : []) {
      keys.total++;
      if (k.retiredAt) keys.retired++;
      if (k.revokedAt) keys.compromised++;
    }
  }
  return { total: issuers.length, byStatus: ordered(byStatus, STATUS_ORDER), keys };
}

/** What the summary is made of, besides the pipeline's outcome and the records. */
export interface SummaryFacts {
  source: string;
  from: number;
  last: number;
  /** The source's first block. */
  start: number;
  stateCompared: boolean;
  storeCompared: boolean;
  notes: string[];
  workers: number;
  /** When the replay started: performance.now() and process.cpuUsage(). */
  started: number;
  cpuStarted: NodeJS.CpuUsage;
}

/**
 * The summary of a replay that read `p` and found `records`.
 *
 * @example
 * const summary = summarize(outcome, records, { source: source.describe, from, last, start, … });
 */
export function summarize(p: PipelineOutcome, records: LedgerRecords, f: SummaryFacts): ReplaySummary {
  const elapsedMs = Math.round(performance.now() - f.started);
  const tx = p.transactions;
  return {
    source: f.source,
    blocks: { from: f.from, to: f.last, checked: p.checked },
    transactions: { ...tx, invalid: ordered(tx.invalid, []) },
    statements: ordered(p.statements, KIND_ORDER),
    signaturesVerified: p.signatures.fabric + p.signatures.statements,
    signatures: p.signatures,
    commitHashesVerified: p.commitHashes,
    credentials: credentialCounts(records.anchors),
    issuers: issuerCounts(records.issuers),
    trustAnchors: { genesisBlockHash: p.genesisHash, msps: rootFingerprints(p.trustMsps) },
    stateComplete: p.stateKnown && f.start === 0,
    stateCompared: f.stateCompared,
    storeCompared: f.storeCompared,
    notes: f.notes,
    workers: f.workers,
    elapsedMs,
    cpuMs: Math.round(((u) => (u.user + u.system) / 1000)(process.cpuUsage(f.cpuStarted))),
    txPerSecond: elapsedMs ? Math.round((tx.total / elapsedMs) * 1000) : 0,
  };
}
