/**
 * anxin verify <credential | file | ->: the same report as POST /v1/verify, offline.
 *
 * What it verifies against, in order of preference:
 *   --data DIR       the ledger's current state in DIR's index (issuers, keys, anchors, status);
 *                    with --replay, the state rebuilt by a full replay with every check (exit 1
 *                    if the replay finds anything)
 *   --file / --fabric  the state rebuilt by a full replay of those blocks
 *   --trust-list FILE  a trust list as GET /v1/trust-list serves it (its JWS is verified with
 *                    the key it names; pin that key with --trust-key-thumbprint). A trust list
 *                    holds issuers and keys, not anchors: without --status-url the anchor, the
 *                    digest and the status are unknown and `anchored` fails with a reason that
 *                    says so; with --status-url the gateway's public status endpoint is asked.
 */
import { existsSync, readFileSync } from 'node:fs';
import { Command, Option } from 'commander';
import { anchorProjection } from '@anxin/gateway/store';
// The verification core, not '@anxin/gateway': its index loads the embedded ledger and fabric-shim,
// whose older copy of @hyperledger/fabric-protos re-registers the global protobuf classes the replay decodes with.
import {
  issuersWithUscc,
  parseCredential,
  unwrapQr,
  verifyCredential,
  type VerificationReport,
} from '@anxin/gateway/verify';
import { ledgerKid, type AnchorRecord, type IssuerRecord } from '@anxin/schemas';
import { anchorKey, issuerKey, keyRange } from '@anxin/chaincode/rules';
import {
  CliError,
  EXIT,
  chaincodeName,
  chaincodeOption,
  openSource,
  out,
  outJson,
  requireSource,
  sourceOptions,
  wholeNumber,
  type SourceOptions,
} from '../common';
import { replay } from '../replay/engine';
import { describe as describeFinding } from '../replay/findings';
import { chaincodeOf, ledgerDirOf, openIndex } from '../replay/source';
import type { World } from '../replay/world';
import { DEFAULT_WORKERS } from './replay';
import { loadTrustList, statusAnchor } from './trust-list';
import { offlineDeps } from './verify-offline';

type VerifyDeps = Parameters<typeof verifyCredential>[1];

interface VerifyCliOptions extends SourceOptions {
  offline?: boolean;
  statusList?: string[];
  trustList?: string;
  trustKeyThumbprint?: string;
  statusUrl?: string;
  replay?: boolean;
  workers: number;
  json?: boolean;
  nonce?: string;
  audience?: string;
  /** Accepted for older scripts; a bound credential always needs its key-binding JWT. */
  holderBinding?: 'optional' | 'required';
}

/** The credential text: from stdin ('-'), a file, or the argument itself. */
export function readCredentialArg(arg: string): string {
  if (arg === '-') return readFileSync(0, 'utf8').trim();
  if (arg.length < 4096 && !/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*\./.test(arg) && existsSync(arg))
    return readFileSync(arg, 'utf8').trim();
  return arg.trim();
}

/** Deps over the ledger's current state in a data directory's index (read-only, one query per lookup). */
function indexDeps(dir: string, o: SourceOptions): { deps: VerifyDeps; describe: string; close: () => void } {
  const ledgerDir = ledgerDirOf(dir);
  const chaincode = chaincodeName(o, { chaincode: chaincodeOf(ledgerDir) });
  const db = openIndex(ledgerDir);
  if (!db)
    throw new CliError(
      `${ledgerDir} has no index (index/state.sqlite): use --replay to rebuild the state from the blocks`,
      { code: 'SOURCE' },
    );
  const get = db.prepare('SELECT value, block, tx FROM state WHERE ns = ? AND key = ?');
  const allIssuers = db.prepare('SELECT value FROM state WHERE ns = ? AND key >= ? AND key < ?');
  const txBlock = db.prepare('SELECT block FROM txs WHERE txid = ?');
  const read = (key: string) =>
    get.get(chaincode, Buffer.from(key, 'utf8')) as { value: Buffer; block: number; tx: number } | undefined;
  const issuers = new Map<string, IssuerRecord | undefined>();
  return {
    describe: `the ledger's current state in ${ledgerDir}`,
    deps: {
      issuer(id) {
        if (!issuers.has(id)) {
          const r = read(issuerKey(id));
          issuers.set(id, r ? (JSON.parse(r.value.toString('utf8')) as IssuerRecord) : undefined);
        }
        return issuers.get(id);
      },
      issuersByUscc(uscc) {
        const { start, end } = keyRange('issuer');
        const rows = allIssuers.all(chaincode, Buffer.from(start, 'utf8'), Buffer.from(end, 'utf8')) as Array<{
          value: Buffer;
        }>;
        return issuersWithUscc(
          rows.map((r) => JSON.parse(r.value.toString('utf8')) as IssuerRecord),
          uscc,
        );
      },
      async anchor(id) {
        const r = read(anchorKey(id));
        if (!r) return undefined;
        const a = JSON.parse(r.value.toString('utf8')) as AnchorRecord;
        const t = txBlock.get(a.txId) as { block: number } | undefined;
        return anchorProjection(a, t?.block ?? -1, { block: r.block, tx: r.tx });
      },
      now: () => new Date(),
    },
    close: () => db.close(),
  };
}

/** Deps over a state rebuilt by a replay of the ledger whose Anxin chaincode is `chaincode`. */
function worldDeps(world: World, chaincode: string): VerifyDeps {
  const value = <T>(key: string): { v: T; version: { block: number; tx: number } } | undefined => {
    const x = world.get(chaincode, key);
    return x ? { v: JSON.parse(Buffer.from(x.value).toString('utf8')) as T, version: x.version } : undefined;
  };
  return {
    issuer: (id) => value<IssuerRecord>(issuerKey(id))?.v,
    issuersByUscc: (uscc) =>
      issuersWithUscc(
        world
          .range(chaincode, keyRange('issuer').start, keyRange('issuer').end)
          .map((x) => value<IssuerRecord>(x.key)!.v),
        uscc,
      ),
    anchor: async (id) => {
      const x = value<AnchorRecord>(anchorKey(id));
      return x ? anchorProjection(x.v, world.txs.get(x.v.txId)?.block ?? -1, x.version) : undefined;
    },
    now: () => new Date(),
  };
}

const PAD = 24;

export function formatReport(r: VerificationReport, against: string): string {
  const L: string[] = [];
  const c = r.credential;
  L.push(
    `${r.verified ? 'VERIFIED' : 'NOT VERIFIED'}${c?.id ? `  ${c.id}` : ''}${c?.type ? `  ${c.type}` : ''}${c?.issuer ? ` by ${c.issuer.name ? `${c.issuer.name} (${c.issuer.id})` : c.issuer.id}` : ''}`,
  );
  L.push(`  against ${against}, at ${r.checkedAt}`);
  for (const [check, outcome] of Object.entries(r.checks)) {
    const reason = r.reasons.find((x) => x.check === check);
    L.push(`  ${check.padEnd(PAD)}${outcome}${reason ? `  ${reason.code}: ${reason.detail}` : ''}`);
  }
  if (r.presentation)
    L.push(
      `  ${'presentation'.padEnd(PAD)}${r.presentation.binding === 'challenge' ? "answered this verifier's challenge" : 'static: a fresh key-binding JWT, no challenge'}`,
    );
  if (r.anchor)
    L.push(
      `  anchor                  block ${r.anchor.block}, tx ${r.anchor.txId}, anchored ${r.anchor.anchoredAt}; ${r.anchor.status}${r.anchor.statusReason ? ` (${r.anchor.statusReason})` : ''} since ${r.anchor.updatedAt}`,
    );
  const sl = r.statusList;
  if (sl)
    L.push(
      `  status as of ${sl.asOf}  ${sl.status}, say the issuer's status lists${sl.exp ? ` (valid until ${sl.exp})` : ''}`,
    );
  const a = r.authority;
  if (a) {
    const standing = a.issuer.revokedSince
      ? `revoked since ${a.issuer.revokedSince}`
      : a.issuer.suspendedAt
        ? `suspended since ${a.issuer.suspendedAt}`
        : a.issuer.status;
    L.push(
      `  authority               judged at ${a.judgedAt} (${a.basis}): ${a.rule}${a.typeRule ? `, type ${a.typeRule}` : ''}${a.namedIssuer ? `, ${a.namedIssuer.field} ${a.namedIssuer.outcome}` : ''}; issuer now ${standing}`,
    );
  }
  const b = c?.issuer?.onBehalfOf;
  if (b) {
    const who = b.disclosed ? `${b.name ?? '?'}${b.uscc ? ` (${b.uscc})` : ''}` : 'not disclosed';
    const reg = b.registeredAs
      ? b.registeredAs.length
        ? `registered as ${b.registeredAs.map((x) => `${x.id} (${x.kind}, ${x.status})`).join(', ')}`
        : 'not a registered issuer'
      : 'registration unknown';
    L.push(`  on behalf of            ${b.member} ${who}${b.disclosed && b.uscc ? `; ${reg}` : ''}`);
  }
  return L.join('\n');
}

async function run(arg: string, o: VerifyCliOptions): Promise<number> {
  const text = readCredentialArg(arg);
  if (o.trustList && (o.data || o.file || o.fabric))
    throw new CliError('give either a ledger (--data, --file, --fabric) or --trust-list, not both');
  if (o.statusUrl && !o.trustList) throw new CliError('--status-url goes with --trust-list');
  let deps: VerifyDeps;
  let against: string;
  let close = () => undefined as void;
  const notes: string[] = [];
  if (o.offline || o.statusList) {
    ({ deps, against } = await offlineDeps(o, notes));
  } else if (o.trustList) {
    const t = await loadTrustList(o.trustList, o.trustKeyThumbprint);
    const issuers = new Map(t.list.issuers.map((i) => [i.id, i] as const));
    const parsed = parseCredential(unwrapQr(text));
    // The anchor names the key as the ledger does; a credential may name it under the issuer's URL.
    const kid = 'error' in parsed ? '' : ledgerKid(typeof parsed.header.kid === 'string' ? parsed.header.kid : '');
    deps = {
      issuer: (id) => issuers.get(id),
      issuersByUscc: (uscc) => issuersWithUscc(issuers.values(), uscc),
      anchor: o.statusUrl ? statusAnchor(o.statusUrl, () => kid) : async () => undefined,
      now: () => new Date(),
    };
    const when = t.list.iat ? new Date(t.list.iat * 1000).toISOString() : 'an unknown time';
    against = `the trust list ${o.trustList} (signed by ${t.kid} at ${when}${t.pinned ? ', pinned' : ', key not pinned: give --trust-key-thumbprint'})${o.statusUrl ? ` and the status at ${o.statusUrl}` : ''}`;
    if (!t.pinned)
      notes.push(
        `the trust list's key ${t.thumbprint} is not pinned: anyone can sign a trust list with a key of their own; compare it with the gateway's /.well-known/jwks.json and pass --trust-key-thumbprint`,
      );
  } else {
    requireSource(o);
    if ((o.data || process.env.ANXIN_DATA_DIR) && !o.file && !o.fabric && !o.replay) {
      const d = indexDeps(o.data ?? process.env.ANXIN_DATA_DIR!, o);
      deps = d.deps;
      against = d.describe;
      close = d.close;
    } else {
      const source = await openSource(o);
      const chaincode = chaincodeName(o, source);
      let r;
      try {
        r = await replay(source, { workers: o.workers, keepWorld: true, chaincode });
      } finally {
        await source.close().catch(() => undefined);
      }
      if (!r.ok) {
        process.stderr.write(
          `anxin: the replay of ${source.describe} found ${r.findingsTotal} mismatches; not verifying against it:\n`,
        );
        for (const f of r.findings.slice(0, 20)) process.stderr.write(`  ${describeFinding(f)}\n`);
        return EXIT.MISMATCH;
      }
      if (r.summary.notes.some((n) => /starts at block/.test(n)))
        throw new CliError('the export does not start at block 0: the state cannot be rebuilt from it', {
          code: 'SOURCE',
        });
      deps = worldDeps(r.world!, chaincode);
      against = `the state rebuilt by replaying ${source.describe} (every check passed)`;
    }
  }
  let report: VerificationReport;
  try {
    report = await verifyCredential(text, deps, {
      ...(o.nonce !== undefined ? { nonce: o.nonce } : {}),
      ...(o.audience !== undefined ? { audience: o.audience } : {}),
    });
  } finally {
    close();
  }
  if (o.trustList && !o.statusUrl && !o.offline) {
    const r = report.reasons.find((x) => x.check === 'anchored');
    if (r)
      r.detail =
        'unknown offline: a trust list holds issuers and keys, not anchors, so anchoring, digest and status cannot be checked; give --status-url URL (the gateway) or verify against a ledger (--data)';
  }
  if (o.json) outJson(report);
  else out(formatReport(report, against));
  for (const n of notes) process.stderr.write(`anxin: note: ${n}\n`);
  return report.verified ? EXIT.OK : EXIT.MISMATCH;
}

export function verifyCommand(): Command {
  const c = new Command('verify')
    .argument('<credential>', "the credential (compact JWS, SD-JWT or QR text), a file holding it, or '-' for stdin")
    .summary('verify a credential offline: the same report as POST /v1/verify')
    .description(
      [
        'Verifies a credential as POST /v1/verify does and prints the same report: format, signature, issuer trusted and authorised for the type, key valid at issue, anchored, digest, status, validity window, schema, holder binding.',
        "Against: --data DIR (the ledger's current state in its index; add --replay to rebuild it from the blocks with every check first), --file/--fabric (state rebuilt by a full replay), --trust-list FILE (issuers and keys only: anchored fails as unknown unless --status-url is given), or --offline with --trust-list and --status-list files (no ledger: the status as of the lists' time; a list past its exp fails status_list_expired, a trust list past its exp is refused with EXPIRED).",
        'Exit code: 0 when verified; 1 when not verified; 2 on usage or source errors.',
      ].join('\n\n'),
    );
  for (const opt of sourceOptions()) c.addOption(opt);
  c.addOption(chaincodeOption())
    .option('--replay', 'with --data: rebuild the state by a full replay (every check) instead of reading the index')
    .option(
      '--offline',
      'verify from files alone: --trust-list (with its exp) and the --status-list files; the status is read from the lists, as of their time',
    )
    .option(
      '--status-list <file...>',
      'with --offline: status lists saved from GET /v1/status-lists/… (files, or directories of them)',
    )
    .option('--trust-list <file>', 'a trust list saved from GET /v1/trust-list (JSON: { trustList, kid, publicJwk })')
    .option(
      '--trust-key-thumbprint <t>',
      "the trust list signer's JWK thumbprint you expect (from the gateway's /.well-known/jwks.json)",
    )
    .option('--status-url <url>', "with --trust-list: the gateway's base URL, to ask GET /v1/credentials/:id/status")
    .option('--nonce <nonce>', 'expected key-binding nonce (SD-JWT)')
    .option('--audience <aud>', 'expected key-binding audience (SD-JWT)')
    .addOption(
      // Ignored: a credential bound to a key never verifies without a valid key-binding JWT.
      new Option('--holder-binding <mode>', 'ignored (kept for older scripts)')
        .choices(['optional', 'required'])
        .hideHelp(),
    )
    .addOption(
      new Option('--workers <n>', 'worker threads for a replay').argParser(wholeNumber(64)).default(DEFAULT_WORKERS),
    )
    .option('--json', 'print the report as JSON (as POST /v1/verify answers)')
    .addHelpText(
      'after',
      `
Examples:
  $ anxin verify eyJhbGciOiJFUzI1NiIs… --data ./data
  $ anxin verify credential.jwt --data ./data --replay --json
  $ pbpaste | anxin verify - --data ./data
  $ curl -s https://anxin.example/v1/trust-list > trust.json
  $ anxin verify card.txt --trust-list trust.json --trust-key-thumbprint 3Jf… --status-url https://anxin.example
  $ curl -s https://anxin.example/v1/status-lists/Abc… > lists/Abc.jwt
  $ anxin verify card.txt --offline --trust-list trust.json --trust-key-thumbprint 3Jf… --status-list lists/`,
    )
    .action(async (arg: string, o: VerifyCliOptions) => {
      process.exitCode = await run(arg, o);
    });
  return c;
}
