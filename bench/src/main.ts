/**
 * `npm run bench` — benchmarks: print figures, assert nothing about time.
 *
 *   node bench/dist/main.js [ledger|api|replay|fabric ...] [--quick] [--json] [--endorsers N]
 *        [--concurrency 50,200,1000] [--rates 250,500,1000] [--count N] [--seconds S]
 *
 * ledger  committed anchors/s and commit latency of the embedded ledger (in this process)
 * api     the gateway over HTTP: verifications/s beside raw jose, issuances/s (bench/dist/api)
 * replay  the auditor's replay of a 100,000-transaction ledger, 1 and 2 workers (bench/dist/replay)
 * fabric  Fabric against the embedded ledger, same machine (needs FABRIC_BIN; bench/dist/fabric)
 * The last three run as child processes, each on its own, with --quick and --json passed on.
 *
 * --quick   a short run (fewer transactions, 3 s per offered rate)
 * --json    print the results as one JSON document on stdout (progress goes to stderr)
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { defaultLedgerOptions, formatLedgerReport, runLedgerBench } from './ledger';

const SUITES = ['ledger', 'api', 'replay', 'fabric'] as const;
/** Suites run by default (fabric joins when FABRIC_BIN is set). */
const DEFAULT_SUITES = ['ledger', 'api', 'replay'];
const CHILD_SUITES: Record<string, string> = { api: 'api/main.js', replay: 'replay/main.js', fabric: 'fabric/main.js' };

function usage(msg?: string): never {
  if (msg) process.stderr.write(`${msg}\n`);
  const out = msg ? process.stderr : process.stdout;
  out.write(
    'usage: node bench/dist/main.js [ledger|api|replay|fabric ...] [--quick] [--json] [--endorsers N] [--concurrency a,b,c] [--rates a,b,c] [--count N] [--seconds S]\n',
  );
  process.exit(msg ? 2 : 0);
}

function numbers(v: string | undefined, flag: string): number[] {
  const xs = (v ?? '').split(',').map(Number);
  if (!v || xs.some((x) => !Number.isFinite(x) || x <= 0)) usage(`${flag} takes positive numbers separated by commas`);
  return xs;
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const suites: string[] = [];
  const flags = new Map<string, string | true>();
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (!a.startsWith('--')) {
      if (!(SUITES as readonly string[]).includes(a)) usage(`unknown suite ${a}; suites: ${SUITES.join(', ')}`);
      suites.push(a);
      continue;
    }
    const [name, inline] = a.slice(2).split('=', 2) as [string, string | undefined];
    if (['quick', 'json', 'help'].includes(name)) flags.set(name, true);
    else if (['endorsers', 'concurrency', 'rates', 'count', 'seconds'].includes(name)) {
      const v = inline ?? args[++i];
      if (v === undefined) usage(`--${name} needs a value`);
      flags.set(name, v);
    } else usage(`unknown option --${name}`);
  }
  if (flags.has('help')) usage();
  const json = flags.has('json');
  const log = (line: string) => process.stderr.write(`${line}\n`);

  const chosen = suites.length ? suites : [...DEFAULT_SUITES, ...(process.env.FABRIC_BIN ? ['fabric'] : [])];
  for (const suite of chosen) {
    if (CHILD_SUITES[suite]) {
      const passOn = [...(flags.has('quick') ? ['--quick'] : []), ...(json ? ['--json'] : [])];
      const r = spawnSync(process.execPath, [join(__dirname, CHILD_SUITES[suite]!), ...passOn], { stdio: 'inherit' });
      if (r.status !== 0) throw new Error(`the ${suite} suite exited with ${r.status ?? r.signal}`);
      continue;
    }
    if (suite === 'ledger') {
      const o = { ...defaultLedgerOptions(flags.has('quick')), log };
      if (flags.has('concurrency')) o.concurrencies = numbers(flags.get('concurrency') as string, '--concurrency');
      if (flags.has('rates')) o.rates = numbers(flags.get('rates') as string, '--rates');
      if (flags.has('count')) o.saturatedCount = numbers(flags.get('count') as string, '--count')[0]!;
      if (flags.has('seconds')) o.openLoopSeconds = numbers(flags.get('seconds') as string, '--seconds')[0]!;
      const endorsers = flags.get('endorsers');
      if (endorsers !== undefined) {
        const n = Number(endorsers);
        if (!Number.isInteger(n) || n < 0) usage('--endorsers takes a whole number (0 = endorse in the main thread)');
        Object.assign(o, { endorsers: n });
      }
      const result = await runLedgerBench(o);
      if (json) process.stdout.write(`${JSON.stringify({ suite: 'ledger', ...result }, null, 2)}\n`);
      else process.stdout.write(`\n${formatLedgerReport(result)}\n`);
    }
  }
}

main().catch((e: unknown) => {
  process.stderr.write(`bench failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exit(1);
});
