/**
 * bench/fabric on its own:
 *
 *   FABRIC_BIN=/opt/fabric/bin node bench/dist/fabric/main.js [--quick] [--json]
 *        [--concurrency 1,16,64,256] [--seconds S] [--batch-timeout 250ms] [--max-message-count 100]
 *
 * Brings up a throwaway Fabric network (temporary folder; stopped and deleted at the end,
 * on failure, and on Ctrl-C) and an embedded ledger with the same batch settings, and
 * measures committed anchors/s and commit latency on both. Without FABRIC_BIN it says it
 * is skipped and exits 0; with a FABRIC_BIN that is not usable it says why and exits 1.
 *
 * --json   one JSON document on stdout (progress goes to stderr)
 * --quick  fewer concurrencies, 3 s per phase
 */
import { defaultFabricBenchOptions, formatFabricReport, runFabricBench, type FabricBenchOptions } from './run';
import { durationMs } from './setup';

function usage(msg?: string): never {
  if (msg) process.stderr.write(`${msg}\n`);
  process.stderr.write(
    'usage: FABRIC_BIN=… node bench/dist/fabric/main.js [--quick] [--json] [--concurrency a,b,c] [--seconds S] [--batch-timeout 250ms] [--max-message-count N]\n',
  );
  process.exit(msg ? 2 : 0);
}

export async function main(argv = process.argv.slice(2)): Promise<void> {
  const flags = new Map<string, string | true>();
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (!a.startsWith('--')) usage(`unexpected argument ${a}`);
    const [name, inline] = a.slice(2).split('=', 2) as [string, string | undefined];
    if (['quick', 'json', 'help'].includes(name)) flags.set(name, true);
    else if (['concurrency', 'seconds', 'batch-timeout', 'max-message-count'].includes(name)) {
      const v = inline ?? argv[++i];
      if (v === undefined) usage(`--${name} needs a value`);
      flags.set(name, v);
    } else usage(`unknown option --${name}`);
  }
  if (flags.has('help')) usage();
  const json = flags.has('json');
  const log = (line: string) => process.stderr.write(`${line}\n`);
  const o: FabricBenchOptions = { ...defaultFabricBenchOptions(flags.has('quick')), log };
  const num = (name: string, v: string): number => {
    const n = Number(v);
    if (!Number.isFinite(n) || n <= 0) usage(`--${name} takes a positive number`);
    return n;
  };
  const c = flags.get('concurrency');
  if (typeof c === 'string') o.concurrencies = c.split(',').map((x) => Math.round(num('concurrency', x)));
  const s = flags.get('seconds');
  if (typeof s === 'string') o.seconds = num('seconds', s);
  const bt = flags.get('batch-timeout');
  if (typeof bt === 'string') {
    try {
      durationMs(bt);
    } catch {
      usage('--batch-timeout takes a duration like 250ms or 2s');
    }
    o.batchTimeout = bt;
  }
  const mm = flags.get('max-message-count');
  if (typeof mm === 'string') o.maxMessageCount = Math.round(num('max-message-count', mm));

  const r = await runFabricBench(o);
  if ('skipped' in r) {
    if (json) process.stdout.write(`${JSON.stringify(r)}\n`);
    else
      process.stdout.write(`bench/fabric skipped: ${r.skipped} (point FABRIC_BIN at Fabric 2.5 binaries to run it)\n`);
    return;
  }
  if (json) process.stdout.write(`${JSON.stringify(r, null, 2)}\n`);
  else process.stdout.write(`\n${formatFabricReport(r)}\n`);
}

if (require.main === module) {
  main().then(
    () => process.exit(0),
    (e: unknown) => {
      process.stderr.write(`bench/fabric failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
      process.exit(1);
    },
  );
}
