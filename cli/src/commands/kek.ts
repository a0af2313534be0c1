/**
 * anxin kek rotate: re-seal every custodial key and stored credential under a new
 * key-encryption key. Crash-safe: killed at any instant, the store opens with the key files
 * left in the data directory, and running it again finishes the rotation.
 */
import { resolve } from 'node:path';
import { Command } from 'commander';
import type { Store, StoreConfig } from '@anxin/gateway/store';
import type { KekRotationPoint, KekRotationResult } from '@anxin/gateway/operations';
import { CliError, out, outJson } from '../common';
import { storeConfigOf } from './replay';

interface KekRotateOptions {
  data?: string;
  kek?: string;
  store?: string;
  json?: boolean;
}

type Loaded<T> = T & { default?: T };

/** For crash tests only: the process kills itself (SIGKILL) at this point, after this many records. */
function faultFromEnv(): ((point: KekRotationPoint, resealed: number) => void) | undefined {
  const at = process.env.ANXIN_TEST_KEK_KILL_AT;
  if (!at) return undefined;
  const [point, n] = at.split(':');
  return (p, resealed) => {
    if (p === point && (n === undefined || resealed >= Number(n))) process.kill(process.pid, 'SIGKILL');
  };
}

async function run(o: KekRotateOptions): Promise<KekRotationResult & { previousKept: boolean; kekFile: string }> {
  const dataDir = resolve(o.data ?? process.env.ANXIN_DATA_DIR ?? './data');
  const kekFile = resolve(o.kek ?? process.env.ANXIN_KEK_FILE ?? resolve(dataDir, 'kek.key'));
  const cfg: StoreConfig = storeConfigOf(o.store ?? resolve(dataDir, 'store.sqlite'));
  const storeMod = (await import('@anxin/gateway/store')) as Loaded<{ openStore(c: StoreConfig): Promise<Store> }>;
  const ops = (await import('@anxin/gateway/operations')) as Loaded<typeof import('@anxin/gateway/operations')>;
  // Module functions (ESM or CommonJS interop), not methods: nothing is bound to `this`.
  // eslint-disable-next-line @typescript-eslint/unbound-method
  const openStore = storeMod.openStore ?? storeMod.default!.openStore;
  const rotateKek = ops.rotateKek ?? ops.default!.rotateKek;
  const store = await openStore(cfg);
  try {
    const fault = faultFromEnv();
    return { ...(await rotateKek(store, kekFile, fault ? { fault } : {})), kekFile };
  } catch (e) {
    if (e instanceof ops.KekError || (ops.default && e instanceof ops.default.KekError)) {
      throw new CliError(`${e.code}: ${e.message}`, { code: 'INVALID_INPUT' });
    }
    throw e;
  } finally {
    await store.close();
  }
}

export function kekCommand(): Command {
  const kek = new Command('kek').summary('the key-encryption key: rotate it');
  const rotate = new Command('rotate')
    .summary('re-seal every custodial key and stored credential under a new KEK')
    .description(
      [
        'Writes a new key-encryption key beside the KEK file (<kek>.next), re-seals every custodial private key and every stored credential under it one record at a time, then puts it in the KEK file’s place and keeps the old one as <kek>.previous until no record is sealed under it.',
        'Killed at any instant, the store still opens: the gateway opens with <kek>, <kek>.next and <kek>.previous. Run the command again to finish. Stop the gateways first: a record sealed meanwhile under the old key keeps <kek>.previous until the next run.',
        'Exit code: 0; 2 when the KEK file or the store cannot be used.',
      ].join('\n\n'),
    )
    .option('--data <dir>', 'the gateway’s data directory (default $ANXIN_DATA_DIR or ./data)')
    .option('--kek <file>', 'the KEK file (default $ANXIN_KEK_FILE or <data>/kek.key)')
    .option('--store <uri>', 'the store: a SQLite file or a mongodb:// URI (default <data>/store.sqlite)')
    .option('--json', 'print the result as JSON')
    .addHelpText(
      'after',
      `
Examples:
  $ anxin kek rotate --data ./data
  $ anxin kek rotate --kek /etc/anxin/kek.key --store mongodb://db.example.cn/anxin`,
    )
    .action(async (o: KekRotateOptions) => {
      const r = await run(o);
      if (o.json) outJson(r);
      else {
        out(
          `${r.resumed ? 'Finished the rotation begun earlier' : 'Rotated'}: ${r.kekFile} is KEK ${r.kek} (was ${r.previous})`,
        );
        out(`Re-sealed ${r.resealed} of ${r.records} sealed records`);
        if (r.previousKept) out(`Some records are still under ${r.previous}: ${r.kekFile}.previous is kept; run again`);
      }
    });
  kek.addCommand(rotate);
  return kek;
}
