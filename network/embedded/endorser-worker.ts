/**
 * An endorsement worker: a thread that simulates and endorses transactions for the
 * embedded ledger (see ./endorser-pool). It opens the state database read-only — it
 * sees committed state exactly as the main thread does — loads the contract, and signs
 * as the peer (endorsement) and as the client (envelope), in its own thread.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { join } from 'node:path';
import { decodeBlock } from '../blocks/decode';
import { LedgerError } from '../ports/ledger';
import { readBlockAt } from './blockfile';
import { ContractRunner } from './chaincode';
import { Endorser, Limiter, committedStateReader, type EndorseRequest } from './endorser';
import { WORKER_CONCURRENCY, packOutcome, type WorkerCall, type WorkerInit, type WorkerReply } from './endorser-pool';
import { loadFabricQuietly } from './fabric-quiet';
import { CHAIN_DIR, networkIdentity, readDescriptor } from './genesis';
import { StateDb } from './statedb';

/** Warm-up: at most this long, on at most this many recent transactions, this many times over. */
const WARM_UP_MS = 2000;
const WARM_UP_TXS = 64;
const WARM_UP_ROUNDS = 3;

async function loadContracts(specifier: string): Promise<unknown[]> {
  let m: { contracts?: unknown[]; default?: { contracts?: unknown[] } };
  try {
    m = require(specifier) as typeof m;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ERR_REQUIRE_ESM') throw e;
    m = (await import(specifier)) as typeof m;
  }
  const contracts = m.contracts ?? m.default?.contracts;
  if (!Array.isArray(contracts)) throw new Error(`${specifier} exports no 'contracts' array`);
  return contracts;
}

/**
 * Before taking calls, simulate the ledger's most recent transactions again as a dry
 * run (reads only; results thrown away) and sign a little: a fresh thread's first
 * endorsements are slow — lazily built validators, uncompiled code — and a call should
 * not pay for that.
 */
async function warmUp(endorser: Endorser, db: StateDb, chainDir: string): Promise<void> {
  const deadline = Date.now() + WARM_UP_MS;
  const recent: Array<{ fn: string; args: string[] }> = [];
  try {
    for (let n = db.lastBlock()?.number; n !== undefined && n > 0 && recent.length < WARM_UP_TXS; n--) {
      const loc = db.block(n);
      if (!loc) break;
      for (const tx of decodeBlock(readBlockAt(chainDir, loc)).transactions) {
        const args = tx.actions[0]?.args.map((a) => Buffer.from(a).toString('utf8'));
        if (args?.length) recent.push({ fn: args[0]!, args: args.slice(1) });
      }
    }
  } catch {
    // Nothing to learn from: warm up on what there is.
  }
  for (let i = 0; i < WARM_UP_ROUNDS && Date.now() < deadline; i++) {
    for (const r of recent.slice(0, WARM_UP_TXS)) {
      if (Date.now() >= deadline) break;
      await endorser.simulate(r.fn, r.args, new Date(), 'warm-up').catch(() => undefined);
    }
    await endorser.signSample();
  }
}

async function main(): Promise<void> {
  const port = parentPort;
  if (!port) throw new Error('endorser-worker runs as a worker thread');
  const init = workerData as WorkerInit;
  loadFabricQuietly();
  const d = readDescriptor(init.dir);
  // Most reads of an endorsement repeat those of the one before (the chaincode definition, the
  // issuer); they come from a cache that lasts until the next block commits.
  const db = new StateDb(join(init.dir, 'index', 'state.sqlite'), { readonly: true, cacheUntilChanged: true });
  const contracts = await loadContracts(init.contractsModule);
  const endorser = new Endorser({
    channel: d.channel,
    chaincode: d.chaincode,
    runner: new ContractRunner(contracts, { title: d.chaincode.name, version: d.chaincode.version }),
    reader: committedStateReader(db, join(init.dir, CHAIN_DIR)),
    client: networkIdentity(init.dir, d, d.client),
    peer: networkIdentity(init.dir, d, d.peer),
    signInThread: true,
  });
  await warmUp(endorser, db, join(init.dir, CHAIN_DIR));
  const reply = (r: WorkerReply) => port.postMessage(r);
  const limiter = new Limiter(WORKER_CONCURRENCY);
  port.on('message', (m: WorkerCall) => {
    const req: EndorseRequest = { fn: m.fn, args: m.args, timestamp: m.timestamp };
    limiter
      .run(() => {
        db.refresh();
        return endorser.endorse(req);
      })
      .then(
        (out) => {
          const [packed, transfer] = packOutcome(out);
          port.postMessage({ id: m.id, out: packed } satisfies WorkerReply, transfer);
        },
        (e: unknown) =>
          reply({
            id: m.id,
            error: e instanceof Error ? e.message : String(e),
            ...(e instanceof LedgerError ? { code: e.code } : {}),
          }),
      );
  });
  reply({ ready: true });
}

main().catch((e: unknown) => {
  parentPort?.postMessage({ failed: e instanceof Error ? (e.stack ?? e.message) : String(e) } satisfies WorkerReply);
});
