/**
 * anxin inspect block N: one block decoded for a human (or, with --json, for a tool):
 * header, each transaction's creator, chaincode call (statements decoded), read-write
 * set with readable keys and values, events and validation code.
 */
import { X509Certificate } from 'node:crypto';
import { Command } from 'commander';
import { blockToJson, decodeBlock, mspsFromConfig, readable, type DecodedBlock } from '@anxin/network';
import {
  CliError,
  EXIT,
  blockNumber,
  bytesText,
  out,
  outJson,
  readOneBlock,
  sourceOptions,
  type SourceOptions,
} from '../common';

const COMPACT_JWS = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;

/** Header and payload of a compact JWS, decoded (signature not checked: `anxin replay` does that). */
export function decodeJws(text: string): { header: unknown; payload: unknown } | undefined {
  if (!COMPACT_JWS.test(text)) return undefined;
  try {
    const [h, p] = text.split('.');
    return {
      header: JSON.parse(Buffer.from(h!, 'base64url').toString('utf8')) as unknown,
      payload: JSON.parse(Buffer.from(p!, 'base64url').toString('utf8')) as unknown,
    };
  } catch {
    return undefined;
  }
}

// A decoded block as JSON: many shapes, read field by field below.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = Record<string, any>;

/** blockToJson, plus: block size, decoded statements, config MSPs. */
export function inspectJson(b: DecodedBlock, size: number): Json {
  const j = blockToJson(b) as Json;
  j.size = size;
  j.transactionCount = b.transactions.length;
  for (const [i, tx] of (j.transactions as Json[]).entries()) {
    const d = b.transactions[i]!;
    tx.validationCode = d.validationCode;
    if (d.config) {
      tx.config = {
        msps: mspsFromConfig(d.config).map((m) => ({
          mspId: m.mspId,
          section: m.section,
          roots: m.rootCerts.map((pem) => {
            try {
              return new X509Certificate(pem).subject.replace(/\n/g, ', ');
            } catch {
              return '(not a certificate)';
            }
          }),
        })),
      };
    }
    for (const a of tx.actions as Json[]) {
      const statements = (a.args as string[]).map((x) => decodeJws(x)).filter((x) => x !== undefined);
      if (statements.length) a.statement = statements.length === 1 ? statements[0] : statements;
      else if (a.function === 'init' && a.args[0]) a.init = readable(Buffer.from(a.args[0] as string));
    }
  }
  return j;
}

const short = (s: string, n = 16) => (s.length > n ? `${s.slice(0, n)}…` : s);

function who(id: { mspId: string; subject?: string }): string {
  return `${id.mspId}${id.subject ? `  ${id.subject}` : ''}`;
}

function indentJson(v: unknown, pad: string): string {
  return JSON.stringify(v, null, 2)
    .split('\n')
    .map((l, i) => (i === 0 ? l : `${pad}${l}`))
    .join('\n');
}

export function formatInspect(j: Json): string {
  const L: string[] = [];
  const pad = '                 ';
  L.push(
    `Block ${j.number}  (${j.transactionCount} transaction${j.transactionCount === 1 ? '' : 's'}, ${bytesText(j.size)})`,
  );
  L.push(`  hash           ${j.hash}`);
  L.push(`  previous hash  ${j.previousHash || '(none)'}`);
  L.push(`  data hash      ${j.dataHash}`);
  L.push(`  last config    ${j.lastConfig ?? '(not recorded)'}`);
  for (const s of j.signatures as Json[]) L.push(`  signed by      ${who(s as { mspId: string; subject?: string })}`);
  for (const tx of j.transactions as Json[]) {
    L.push('');
    const fn = (tx.actions as Json[])[0]?.function;
    L.push(
      `  tx ${tx.index}  ${tx.type === 'ENDORSER_TRANSACTION' ? (fn ?? '?') : tx.type}  ${tx.validation}${tx.validation === 'VALID' ? '' : '  (invalid: its writes were not applied)'}`,
    );
    L.push(`    id           ${tx.txId || '(none)'}`);
    L.push(`    time         ${tx.timestamp}`);
    L.push(`    creator      ${who(tx.creator)}`);
    if (tx.config) {
      for (const m of tx.config.msps as Json[])
        L.push(`    msp          ${m.mspId} (${m.section}): ${(m.roots as string[]).join('; ')}`);
    }
    for (const a of tx.actions as Json[]) {
      for (const e of a.endorsements as Json[])
        L.push(`    endorsed by  ${who(e as { mspId: string; subject?: string })}`);
      const args = (a.args as string[]).map((x) => (COMPACT_JWS.test(x) ? '<statement>' : short(x, 60)));
      L.push(
        `    call         ${a.chaincode.name}${a.chaincode.version ? `@${a.chaincode.version}` : ''}.${a.function ?? '?'}(${args.join(', ')})`,
      );
      const stmts = a.statement ? (Array.isArray(a.statement) ? a.statement : [a.statement]) : [];
      for (const s of stmts as Json[]) {
        L.push(`    statement    ${JSON.stringify(s.header)}`);
        L.push(`${pad}${indentJson(s.payload, pad)}`);
      }
      if (a.init) L.push(`    init         ${indentJson(a.init, pad)}`);
      L.push(`    response     ${a.response.status}${a.response.message ? ` ${a.response.message}` : ''}`);
      for (const s of a.rwsets as Json[]) {
        for (const r of s.reads as Json[]) {
          L.push(
            `    read         ${s.namespace} ${r.key}  ${r.version ? `@ block ${r.version.block} tx ${r.version.tx}` : '(absent)'}`,
          );
        }
        for (const q of s.rangeQueries as Json[])
          L.push(
            `    range read   ${s.namespace} [${q.start}, ${q.end || '∞'}) ${q.reads} keys${q.exhausted ? '' : ' (not exhausted)'}`,
          );
        for (const w of s.writes as Json[]) {
          L.push(`    write        ${s.namespace} ${w.key}${w.delete ? '  (delete)' : ` =`}`);
          if (!w.delete) L.push(`${pad}${indentJson(w.value, pad)}`);
        }
      }
      if (a.event) L.push(`    event        ${a.event.name} ${JSON.stringify(a.event.payload)}`);
    }
  }
  return L.join('\n');
}

export function inspectCommand(): Command {
  const inspect = new Command('inspect')
    .summary('decode ledger data for a human')
    .description('Decode ledger data for a human (or, with --json, for a tool).');
  const block = new Command('block')
    .argument('<n>', 'block number', blockNumber)
    .summary('one block: header, transactions, statements, read-write sets, events, validation codes')
    .description(
      [
        'One block decoded: its header and hashes, who signed it, and for each transaction its creator, endorsers, chaincode call (statements shown as their decoded JWS header and payload), read-write set with readable keys and values, event and validation code.',
        'Nothing is verified here: `anxin replay` does that. Exit code: 0; 2 when the block or the source does not exist.',
      ].join('\n\n'),
    );
  for (const opt of sourceOptions()) block.addOption(opt);
  block
    .option('--json', 'print the block as JSON (network/blocks blockToJson, with statements decoded)')
    .addHelpText(
      'after',
      `
Examples:
  $ anxin inspect block 0 --data ./data          # the config block: MSPs and their roots
  $ anxin inspect block 42 --data ./data
  $ anxin inspect block 42 --file audit.anxblocks --json | jq '.transactions[].actions[].statement.payload'`,
    )
    .action(async (n: number, o: SourceOptions & { json?: boolean }) => {
      const { bytes } = await readOneBlock(o, n);
      let b: DecodedBlock;
      try {
        b = decodeBlock(bytes);
      } catch (e) {
        throw new CliError(
          `block ${n} does not decode: ${(e as Error).message} (run anxin replay to locate the damage)`,
          { code: 'DAMAGED', exitCode: EXIT.MISMATCH },
        );
      }
      const j = inspectJson(b, bytes.length);
      if (o.json) outJson(j);
      else out(formatInspect(j));
    });
  inspect.addCommand(block);
  return inspect;
}
