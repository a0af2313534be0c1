/**
 * anxin replay: stream every block from 0 and re-check everything (see ../replay/engine).
 */
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { resolve } from 'node:path';
import { Command, Option } from 'commander';
import type { Store } from '@anxin/gateway/store';
import {
  CliError,
  EXIT,
  blockNumber,
  chaincodeOption,
  openSource,
  out,
  outJson,
  plural,
  sourceOptions,
  wholeNumber,
  type SourceOptions,
} from '../common';
import { progressBar } from '../progress';
import { replay, ReplayUsageError, type ReplayResult } from '../replay/engine';
import { describe } from '../replay/findings';
import { httpLists } from '../replay/status-lists-compare';

export const DEFAULT_WORKERS = Math.max(1, Math.min(8, availableParallelism()));

interface ReplayCliOptions extends SourceOptions {
  store?: string;
  statusLists?: string;
  from?: number;
  to?: number;
  json?: boolean;
  workers: number;
  maxFindings: number;
  progress: boolean;
}

type StoreConfig = ({ kind: 'sqlite'; path: string } | { kind: 'mongodb'; uri: string; dbName?: string }) & {
  readonly?: boolean;
};

/** --store: a SQLite file (PATH or sqlite:PATH) or a mongodb:// / mongodb+srv:// URI. */
export function storeConfigOf(uri: string): StoreConfig {
  if (/^mongodb(\+srv)?:\/\//i.test(uri)) return { kind: 'mongodb', uri };
  const path = uri.replace(/^sqlite:(\/\/)?/i, '');
  if (!path) throw new CliError('--store: give a SQLite file (PATH or sqlite:PATH) or a mongodb:// URI');
  if (!existsSync(path))
    throw new CliError(`--store: ${path} does not exist (the gateway's store is <data dir>/store.sqlite)`, {
      code: 'INVALID_INPUT',
    });
  return { kind: 'sqlite', path: resolve(path) };
}

async function openStoreOf(uri: string): Promise<Store> {
  const cfg = storeConfigOf(uri);
  type Mod = { openStore: (c: StoreConfig) => Promise<Store> };
  const mod = (await import('@anxin/gateway/store')) as unknown as Mod & { default?: Mod };
  const openStore = mod.openStore ?? mod.default!.openStore;
  try {
    // Read only: an auditor's replay never migrates or writes the gateway's store.
    return await openStore({ ...cfg, readonly: true });
  } catch (e) {
    throw new CliError(
      `--store: cannot open ${cfg.kind === 'sqlite' ? cfg.path : 'the MongoDB store'}: ${(e as Error).message}`,
      { code: 'INVALID_INPUT' },
    );
  }
}

function counts(map: Record<string, number>): string {
  const entries = Object.entries(map);
  return entries.length ? entries.map(([k, v]) => `${k} ${v}`).join(' · ') : 'none';
}

export function formatReplay(r: ReplayResult): string {
  const s = r.summary;
  const lines: string[] = [];
  const secs = s.elapsedMs / 1000;
  lines.push(`Anxin replay of ${s.source}`);
  lines.push(
    `  blocks       ${s.blocks.from}–${s.blocks.to} (${s.blocks.checked} checked) · ${plural(s.transactions.total, 'transaction')} · ${secs.toFixed(1)} s · ${s.txPerSecond} tx/s · ${plural(s.workers, 'worker')}`,
  );
  const invalid = Object.entries(s.transactions.invalid);
  lines.push(
    `  validation   ${s.transactions.valid} valid${invalid.length ? ` · invalid: ${invalid.map(([k, v]) => `${k} ${v}`).join(' · ')}` : ''}`,
  );
  lines.push(`  signatures   ${s.signaturesVerified} verified (orderer, creators, endorsers, statements)`);
  lines.push(
    `  commit hash  ${s.commitHashesVerified ? `chain verified over ${plural(s.commitHashesVerified, 'block')}` : 'none on these blocks'}`,
  );
  lines.push(`  statements   ${counts(s.statements)}`);
  if (s.stateComplete) {
    lines.push(
      `  credentials  ${s.credentials.total}${s.credentials.total ? ` — by type: ${counts(s.credentials.byType)}; by status: ${counts(s.credentials.byStatus)}` : ''}`,
    );
    lines.push(
      `  issuers      ${s.issuers.total}${s.issuers.total ? ` (${counts(s.issuers.byStatus)})` : ''} · keys ${s.issuers.keys.total} (${s.issuers.keys.retired} retired, ${s.issuers.keys.compromised} compromised)`,
    );
  } else {
    lines.push('  credentials  not known: the state could not be rebuilt from block 0');
  }
  lines.push(
    `  state        ${s.stateCompared ? "rebuilt state compared with the ledger's current state, key by key" : 'not compared'}`,
  );
  lines.push(
    `  store        ${s.storeCompared ? "compared with the store's projection" : 'not compared (give --store)'}`,
  );
  if (s.trustAnchors.genesisBlockHash) {
    lines.push(`  trust        block 0 ${s.trustAnchors.genesisBlockHash}`);
    for (const m of s.trustAnchors.msps)
      lines.push(`               ${m.mspId} root sha256 ${m.rootCertSha256.join(', ')}`);
  }
  for (const n of s.notes) lines.push(`  note         ${n}`);
  lines.push('');
  if (r.ok) {
    lines.push('OK: every check holds.');
  } else {
    lines.push(
      `${plural(r.findingsTotal, 'finding')}${r.findings.length < r.findingsTotal ? ` (the first ${r.findings.length} listed)` : ''}:`,
    );
    for (const f of r.findings) lines.push(`  ${describe(f)}`);
    lines.push('');
    lines.push(`MISMATCH: ${plural(r.findingsTotal, 'finding')}.`);
  }
  return lines.join('\n');
}

async function run(o: ReplayCliOptions): Promise<number> {
  if (o.from !== undefined && o.to !== undefined && o.from > o.to)
    throw new CliError(`--from ${o.from} is after --to ${o.to}`);
  const store = o.store ? await openStoreOf(o.store) : undefined;
  try {
    const source = await openSource(o);
    const bar = progressBar('replay', o.progress && !!process.stderr.isTTY);
    let result: ReplayResult;
    try {
      result = await replay(source, {
        ...(o.from !== undefined ? { from: o.from } : {}),
        ...(o.to !== undefined ? { to: o.to } : {}),
        workers: o.workers,
        maxFindings: o.maxFindings,
        ...(o.chaincode ? { chaincode: o.chaincode } : {}),
        ...(store ? { store } : {}),
        ...(o.statusLists ? { statusLists: httpLists(o.statusLists) } : {}),
        onBlock: (p) => bar.update(p),
      });
    } catch (e) {
      if (e instanceof ReplayUsageError) throw new CliError(e.message);
      throw e;
    } finally {
      bar.stop();
      await source.close().catch(() => undefined);
    }
    if (o.json) outJson(result);
    else out(formatReplay(result));
    return result.ok ? EXIT.OK : EXIT.MISMATCH;
  } finally {
    await store?.close().catch(() => undefined);
  }
}

export function replayCommand(): Command {
  const c = new Command('replay')
    .summary('re-check the whole ledger from block 0: hashes, signatures, validation codes, statements, state')
    .description(
      [
        "Streams every block from 0 and checks, in order: the header chain and each data_hash; every orderer, creator and endorsement signature, with certificates chained to the MSP roots of the config block; every transaction's validation code, by re-running MVCC validation; every statement's JWS and the contract's rules, on the state of that moment; then the rebuilt world state against the ledger's current state and, with --store, the store's projection.",
        'With --data it reads the data directory read-only: a gateway running on it is neither blocked nor disturbed, and the replay covers the blocks committed when it started.',
        'Exit code: 0 when everything holds; 1 on any mismatch (each names block, transaction, key and what differs); 2 on usage, connection or source errors.',
      ].join('\n\n'),
    );
  for (const opt of sourceOptions()) c.addOption(opt);
  c.addOption(chaincodeOption())
    .option(
      '--store <uri>',
      "also compare the store's projection: a SQLite file (PATH or sqlite:PATH) or a mongodb:// URI",
    )
    .option(
      '--status-lists <url>',
      "also compare the published status lists with the ledger's statuses: the gateway's public URL",
    )
    .option(
      '--from <n>',
      'check from this block on (earlier blocks are read, to rebuild the state, but not checked)',
      blockNumber,
    )
    .option('--to <n>', 'stop after this block', blockNumber)
    .option('--json', 'print the result as JSON on stdout')
    .addOption(
      new Option('--workers <n>', 'worker threads for signatures and statements (0: all in the main thread)')
        .argParser(wholeNumber(64))
        .default(DEFAULT_WORKERS),
    )
    .addOption(
      new Option('--max-findings <n>', 'list at most this many findings (all are counted)')
        .argParser(wholeNumber(1_000_000))
        .default(1000),
    )
    .option('--no-progress', 'no progress bar, even on a terminal')
    .addHelpText(
      'after',
      `
Examples:
  $ anxin replay --data ./data                          # a gateway's data directory (running or not)
  $ anxin replay --data ./data --store ./data/store.sqlite
  $ anxin replay --data ./data --store "mongodb://db.example:27017/anxin"
  $ anxin replay --data ./data --status-lists https://anxin.example.cn
  $ anxin replay --file audit-2026Q1.anxblocks --json > report.json
  $ anxin replay --fabric /srv/anxin-fabric/network.json --workers 4
  $ anxin replay --data ./data --from 1200 --to 1300      # check a range (state rebuilt from block 0)`,
    )
    .action(async (o: ReplayCliOptions) => {
      process.exitCode = await run(o);
    });
  return c;
}
