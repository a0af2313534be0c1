/**
 * The rebuilt anchors and issuers against the gateway's store (its projection of the
 * ledger): how far the projection got, then each record field by field, with where it
 * was anchored and last changed. Records the store changed after the replay's last block
 * (a gateway still running) are counted, not compared.
 */
import type { Store } from '@anxin/gateway/store';
import type { Finding } from './findings';
import type { LedgerRecords } from './records';
import type { World } from './world';

/** The anchor fields the projection copies from the ledger's record. */
/** A projected field as a finding shows it: absent as '(none)', an object as JSON. */
function shown(v: unknown): string {
  if (v === undefined || v === null) return '(none)';
  return typeof v === 'object' ? JSON.stringify(v) : String(v as string | number | boolean);
}

const ANCHOR_FIELDS = [
  'type',
  'issuer',
  'kid',
  'digest',
  'holderRef',
  'validFrom',
  'validUntil',
  'status',
  'statusReason',
  'replaces',
  'replacedBy',
  'anchoredAt',
  'txId',
  'updatedAt',
] as const;

/**
 * Compare `records` (rebuilt from blocks 0 to height − 1) with the store's projection;
 * findings go to `report`. Resolves to how many records the store changed after that
 * height, and so did not compare.
 *
 * @example
 * const newer = await compareStore(store, records, world, last + 1, log.report);
 */
export async function compareStore(
  store: Store,
  records: LedgerRecords,
  world: World,
  height: number,
  report: (f: Finding) => void,
): Promise<{ newer: number }> {
  const cp = await store.getCheckpoint('projection');
  if (!cp || cp.block < height) {
    report({
      kind: 'store',
      detail: `the store's projection has applied the ledger only up to block ${cp ? cp.block - 1 : -1}; the ledger has ${height} blocks`,
      expected: String(height),
      actual: String(cp?.block ?? 0),
    });
  }
  const anchors = await compareAnchors(store, records.anchors, world, height, cp?.block, report);
  const issuers = await compareIssuers(store, records.issuers, height, report);
  return { newer: anchors + issuers };
}

async function compareAnchors(
  store: Store,
  anchors: LedgerRecords['anchors'],
  world: World,
  height: number,
  projectedTo: number | undefined,
  report: (f: Finding) => void,
): Promise<number> {
  let newer = 0;
  for (const a of anchors) {
    const p = await store.getAnchor(a.id);
    if (!p) {
      if (projectedTo !== undefined && a.version.block < projectedTo)
        report({ kind: 'store', key: a.id, detail: "the store's projection lacks this anchor" });
      continue;
    }
    if (p.updatedBlock > a.version.block || (p.updatedBlock === a.version.block && p.updatedTx > a.version.tx)) {
      if (p.updatedBlock >= height) {
        newer++; // changed after the height this replay covers (a running gateway)
        continue;
      }
    }
    const proj = p as unknown as Record<string, unknown>;
    const led = a as unknown as Record<string, unknown>;
    for (const f of ANCHOR_FIELDS) {
      if (proj[f] !== led[f]) {
        report({
          kind: 'store',
          key: a.id,
          detail: `the store's projection differs in ${f}`,
          expected: shown(led[f]),
          actual: shown(proj[f]),
        });
      }
    }
    const anchoring = world.txs.get(a.txId);
    if (anchoring && p.block !== anchoring.block) {
      report({
        kind: 'store',
        key: a.id,
        detail: "the store's projection names another anchoring block",
        expected: String(anchoring.block),
        actual: String(p.block),
      });
    }
    if (p.updatedBlock !== a.version.block || p.updatedTx !== a.version.tx) {
      report({
        kind: 'store',
        key: a.id,
        detail: "the store's projection names another last change",
        expected: `${a.version.block}:${a.version.tx}`,
        actual: `${p.updatedBlock}:${p.updatedTx}`,
      });
    }
  }
  return newer;
}

async function compareIssuers(
  store: Store,
  issuers: LedgerRecords['issuers'],
  height: number,
  report: (f: Finding) => void,
): Promise<number> {
  let newer = 0;
  const projected = await store.listIssuers();
  for (const i of issuers) {
    const { version, ...record } = i;
    const p = projected.find((x) => x.issuer.id === i.id);
    if (!p) report({ kind: 'store', key: i.id, detail: "the store's projection lacks this issuer" });
    else if (p.updatedBlock >= height) newer++;
    else if (JSON.stringify(p.issuer) !== JSON.stringify(record)) {
      report({
        kind: 'store',
        key: i.id,
        detail: "the store's projection of this issuer differs",
        expected: JSON.stringify(record),
        actual: JSON.stringify(p.issuer),
      });
    } else if (p.updatedBlock !== version.block || p.updatedTx !== version.tx) {
      report({
        kind: 'store',
        key: i.id,
        detail: "the store's projection names another last change",
        expected: `${version.block}:${version.tx}`,
        actual: `${p.updatedBlock}:${p.updatedTx}`,
      });
    }
  }
  for (const p of projected) {
    if (p.updatedBlock < height && !issuers.some((i) => i.id === p.issuer.id))
      report({ kind: 'store', key: p.issuer.id, detail: 'the store knows an issuer the ledger does not' });
  }
  return newer;
}
