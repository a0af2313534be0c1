/**
 * anxin history <credential-id>: every change to one anchor, from the blocks: block,
 * transaction, time, statement kind, the key that signed the statement (kid), and the
 * status before and after. Transactions that tried and were invalidated (e.g. an MVCC
 * conflict) are listed too, marked as not applied.
 */
import { Command } from 'commander';
import { anchorKey } from '@anxin/chaincode/rules';
import { TxValidationCode, decodeBlock, validationCodeName } from '@anxin/network';
import type { AnchorRecord } from '@anxin/schemas';
import {
  CliError,
  EXIT,
  chaincodeName,
  chaincodeOption,
  openSource,
  out,
  outJson,
  plural,
  sourceOptions,
  type SourceOptions,
} from '../common';
import { decodeJws } from './inspect';

export interface HistoryEntry {
  block: number;
  tx: number;
  txId: string;
  time: string;
  function: string;
  validation: string;
  applied: boolean;
  /** The statement's signer and identity (its JWS header kid, its jti and iat). */
  signedBy?: string;
  statement?: { jti?: string; iat?: number; iss?: string; reason?: string };
  status: { from?: string; to?: string; reason?: string };
  /** The anchor record as this transaction wrote it. */
  record?: AnchorRecord;
}

export interface History {
  credentialId: string;
  source: string;
  entries: HistoryEntry[];
}

export async function credentialHistory(o: SourceOptions, id: string): Promise<History> {
  const key = anchorKey(id);
  const needle = Buffer.from(key, 'utf8');
  const source = await openSource(o);
  const chaincode = chaincodeName(o, source);
  const entries: HistoryEntry[] = [];
  let current: AnchorRecord | undefined;
  try {
    for await (const raw of source.blocks(0)) {
      // Only a block whose bytes hold the key can write it.
      if (Buffer.from(raw.bytes.buffer, raw.bytes.byteOffset, raw.bytes.byteLength).indexOf(needle) < 0) continue;
      const b = decodeBlock(raw.bytes);
      for (const t of b.transactions) {
        for (const a of t.actions) {
          const w = a.rwsets.find((s) => s.namespace === chaincode)?.writes.find((x) => x.key === key);
          if (!w) continue;
          const fn = a.args[0] ? Buffer.from(a.args[0]).toString('utf8') : '';
          const st = a.args[1] ? decodeJws(Buffer.from(a.args[1]).toString('utf8')) : undefined;
          const header = (st?.header ?? {}) as { kid?: string };
          const p = (st?.payload ?? {}) as { jti?: string; iat?: number; iss?: string; reason?: string };
          const record = w.isDelete ? undefined : (JSON.parse(Buffer.from(w.value).toString('utf8')) as AnchorRecord);
          const applied = t.validationCode === TxValidationCode.VALID;
          entries.push({
            block: b.number,
            tx: t.index,
            txId: t.txId,
            time: t.timestamp.toISOString(),
            function: fn,
            validation: validationCodeName(t.validationCode),
            applied,
            ...(header.kid ? { signedBy: header.kid } : {}),
            ...(st
              ? {
                  statement: {
                    ...(p.jti ? { jti: p.jti } : {}),
                    ...(p.iat !== undefined ? { iat: p.iat } : {}),
                    ...(p.iss ? { iss: p.iss } : {}),
                    ...(p.reason ? { reason: p.reason } : {}),
                  },
                }
              : {}),
            status: {
              ...(current ? { from: current.status } : {}),
              ...(record ? { to: record.status } : {}),
              ...(record?.statusReason ? { reason: record.statusReason } : {}),
            },
            ...(record ? { record } : {}),
          });
          if (applied) current = record;
        }
      }
    }
  } finally {
    await source.close().catch(() => undefined);
  }
  return { credentialId: id, source: source.describe, entries };
}

export function formatHistory(h: History): string {
  const L: string[] = [];
  const applied = h.entries.filter((e) => e.applied).length;
  L.push(
    `History of ${h.credentialId} (${plural(applied, 'change')}${applied < h.entries.length ? `, ${h.entries.length - applied} not applied` : ''}; from the blocks of ${h.source})`,
  );
  for (const e of h.entries) {
    const change = e.applied
      ? e.status.from && e.status.from !== e.status.to
        ? `${e.status.from} → ${e.status.to}`
        : `${e.status.to ?? '(deleted)'}`
      : `not applied: ${e.validation}`;
    L.push(
      `  block ${e.block} tx ${e.tx}  ${e.time}  ${e.function.padEnd(9)}  ${change}${e.applied && e.status.reason ? ` (${e.status.reason})` : ''}`,
    );
    L.push(`      signed by ${e.signedBy ?? '(no statement)'}  ·  tx ${e.txId}`);
  }
  const last = [...h.entries].reverse().find((e) => e.applied)?.record;
  if (last)
    L.push(
      `Now: ${last.status}${last.statusReason ? ` (${last.statusReason})` : ''}, ${last.type} by ${last.issuer}, anchored ${last.anchoredAt}.`,
    );
  return L.join('\n');
}

export function historyCommand(): Command {
  const c = new Command('history')
    .argument('<credential-id>', 'the credential id, e.g. urn:uuid:…')
    .summary('every change to one anchor: block, tx, time, statement kind, who signed it')
    .description(
      [
        "Every change to one credential's anchor, read from the blocks: block, transaction, time, the statement's kind, the key that signed it (kid), and the status before and after. Transactions that tried to change it and were invalidated (e.g. MVCC_READ_CONFLICT) are listed as not applied.",
        'Nothing is verified here: `anxin replay` does that. Exit code: 0; 1 when the ledger never anchored this credential; 2 on usage or source errors.',
      ].join('\n\n'),
    );
  for (const opt of sourceOptions()) c.addOption(opt);
  c.addOption(chaincodeOption())
    .option('--json', 'print the history as JSON')
    .addHelpText(
      'after',
      `
Examples:
  $ anxin history urn:uuid:5b1e0c1e-8f0a-4a53-9b0e-2a3c4d5e6f70 --data ./data
  $ anxin history urn:uuid:5b1e0c1e-8f0a-4a53-9b0e-2a3c4d5e6f70 --file audit.anxblocks --json`,
    )
    .action(async (id: string, o: SourceOptions & { json?: boolean }) => {
      if (!id.trim()) throw new CliError('give a credential id');
      const h = await credentialHistory(o, id);
      if (o.json) outJson(h);
      else if (h.entries.length) out(formatHistory(h));
      else out(`The ledger (${h.source}) never anchored ${id}.`);
      process.exitCode = h.entries.length ? EXIT.OK : EXIT.MISMATCH;
    });
  return c;
}
