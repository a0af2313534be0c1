/**
 * anxin export: blocks as one file an auditor can take away and replay elsewhere
 * (`anxin replay --file FILE`). Format (ANXIN-BLOCKS/1): the line `ANXIN-BLOCKS/1`, one
 * line of JSON (the header: range, context blocks, source, the last block's hash), then
 * each block as Fabric's block store frames it: a protobuf varint length and the bytes.
 *
 * A partial export (--from > 0) starts with the config block(s) in force (block 0, and the
 * last config block before --from if there was one), so that its signatures can still be
 * checked against the MSP roots; validation codes, statements and state need every block
 * from 0, and a replay of a partial export says so.
 */
import { closeSync, fsyncSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { Command } from 'commander';
import { decodeBlock } from '@anxin/network';
import { encodeVarint } from '@anxin/network/embedded/blockfile';
import {
  CliError,
  blockNumber,
  bytesText,
  openSource,
  out,
  outJson,
  plural,
  readOneBlock,
  sourceOptions,
  type SourceOptions,
} from '../common';
import { EXPORT_MAGIC, type ExportHeader } from '../replay/source';

interface ExportCliOptions extends SourceOptions {
  from?: number;
  to?: number;
  out: string;
  json?: boolean;
}

export interface ExportResult {
  file: string;
  from: number;
  to: number;
  context: number[];
  blocks: number;
  bytes: number;
  lastBlockHash: string;
}

async function run(o: ExportCliOptions): Promise<ExportResult> {
  const source = await openSource(o);
  const tmp = `${o.out}.partial-${process.pid}`;
  try {
    const from = o.from ?? 0;
    const to = o.to ?? source.height - 1;
    if (source.height === 0) throw new CliError('the ledger has no blocks', { code: 'SOURCE' });
    if (to >= source.height) throw new CliError(`--to ${to}: the ledger has blocks 0–${source.height - 1}`);
    if (from > to) throw new CliError(`--from ${from} is after --to ${to}`);
    const context: Array<{ n: number; bytes: Uint8Array }> = [];
    if (from > 0) {
      const first = await readOneBlock(o, from);
      let lastConfig = 0;
      try {
        lastConfig = decodeBlock(first.bytes).lastConfig ?? 0;
      } catch {
        // a damaged block: the replay of the export will say so
      }
      for (const n of [...new Set([0, lastConfig])].filter((x) => x < from).sort((a, b) => a - b)) {
        context.push({ n, bytes: (await readOneBlock(o, n)).bytes });
      }
    }
    let lastBlockHash = '';
    try {
      lastBlockHash = decodeBlock((await readOneBlock(o, to)).bytes).hash.toString('hex');
    } catch (e) {
      if (e instanceof CliError) throw e;
      // a damaged block: the replay of the export will say so
    }
    const header: ExportHeader = {
      format: 'anxin-blocks',
      version: 1,
      from,
      to,
      context: context.map((c) => c.n),
      exportedAt: new Date().toISOString(),
      source: source.describe,
      fabric: source.fabric,
      ...(source.chaincode ? { chaincode: source.chaincode } : {}),
      ...(lastBlockHash ? { lastBlockHash } : {}),
    };
    const fd = openSync(tmp, 'w', 0o644);
    let bytes = 0;
    let blocks = 0;
    try {
      let pending: Buffer[] = [];
      let pendingBytes = 0;
      const flush = () => {
        if (pending.length) writeSync(fd, Buffer.concat(pending, pendingBytes));
        pending = [];
        pendingBytes = 0;
      };
      const write = (b: Uint8Array) => {
        const prefix = encodeVarint(b.length);
        pending.push(prefix, Buffer.from(b.buffer, b.byteOffset, b.byteLength));
        pendingBytes += prefix.length + b.length;
        bytes += b.length;
        if (pendingBytes > 8 * 1024 * 1024) flush();
      };
      writeSync(fd, Buffer.from(`${EXPORT_MAGIC}${JSON.stringify(header)}\n`, 'utf8'));
      for (const c of context) write(c.bytes);
      let expected = from;
      for await (const raw of source.blocks(from)) {
        if (raw.number > to) break;
        if (raw.number !== expected)
          throw new CliError(
            `block ${expected} is missing from the source (the next is ${raw.number}): run anxin replay`,
            { code: 'SOURCE' },
          );
        write(raw.bytes);
        blocks++;
        expected++;
      }
      if (expected <= to)
        throw new CliError(`the source ended at block ${expected - 1}, before --to ${to}`, { code: 'SOURCE' });
      flush();
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, o.out);
    return { file: o.out, from, to, context: context.map((c) => c.n), blocks, bytes, lastBlockHash };
  } finally {
    rmSync(tmp, { force: true });
    await source.close().catch(() => undefined);
  }
}

export function exportCommand(): Command {
  const c = new Command('export')
    .summary('write blocks to a file an auditor can take away and replay (anxin replay --file)')
    .description(
      [
        "Writes blocks --from … --to (default: all) to one file, framed as Fabric frames them, with a header naming the range, the source and the last block's hash. `anxin replay --file FILE` checks it anywhere. An export from block 0 is checked as fully as the ledger itself (except the comparison with the ledger's own state database); a partial one carries the config block(s) in force, so hashes and signatures are checked, but not validation codes or statements.",
        "Compare the last block hash with the ledger's (GET /v1/ledger/info currentBlockHash) to know the export is the ledger you meant, up to that block.",
        'Exit code: 0; 2 on usage or source errors.',
      ].join('\n\n'),
    );
  for (const opt of sourceOptions(['data', 'fabric'])) c.addOption(opt);
  c.option('--from <n>', 'first block (default 0)', blockNumber)
    .option('--to <n>', 'last block (default: the last committed when the export starts)', blockNumber)
    .requiredOption('--out <file>', 'the file to write')
    .option('--json', 'print what was written as JSON')
    .addHelpText(
      'after',
      `
Examples:
  $ anxin export --data ./data --out ledger-2026Q1.anxblocks
  $ anxin export --data ./data --from 1200 --to 1300 --out range.anxblocks
  $ anxin export --fabric /srv/anxin-fabric/network.json --out fabric.anxblocks
  $ anxin replay --file ledger-2026Q1.anxblocks`,
    )
    .action(async (o: ExportCliOptions) => {
      const r = await run(o);
      if (o.json) outJson(r);
      else {
        out(
          `Exported ${plural(r.blocks, 'block')} (${r.from}–${r.to}${r.context.length ? `, with config block ${r.context.join(', ')}` : ''}, ${bytesText(r.bytes)}) to ${r.file}`,
        );
        if (r.lastBlockHash) out(`Block ${r.to} hash ${r.lastBlockHash}`);
      }
    });
  return c;
}
