/**
 * kill -9 at any moment loses nothing acknowledged: a child process anchors credentials
 * continuously and prints each committed tx id; it is SIGKILLed at random moments —
 * during genesis, the first blocks, and under load, again and again on the same
 * directory. After each kill the ledger reopens, every acknowledged transaction is VALID
 * and its anchor readable, the chain verifies independently, and new submissions work.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import { describe, it } from 'mocha';
import { exportJWK } from 'jose';
import { RejectedError } from '@anxin/network';
import { EmbeddedLedger } from '@anxin/network/embedded';
import type { AnchorRecord } from '@anxin/schemas';
import {
  allBlocks,
  anchorCredential,
  auditChain,
  issuerSpec,
  json,
  newIssuerKey,
  newRegistrar,
  sign,
  statements,
  tempDir,
  type OwnedKey,
} from '../helpers';
import type { ChildConfig, ChildKey } from './crash-child';

const CHILD = join(__dirname, 'crash-child.js');

async function childKey(k: OwnedKey): Promise<ChildKey> {
  const jwk = await exportJWK(k.privateKey);
  return { alg: k.alg, keyId: k.keyId, publicJwk: k.publicJwk, d: jwk.d! };
}

interface Run {
  acks: Array<{ txId: string; what: string }>;
  lines: string[];
  stderr: string;
  killedAfterMs: number;
  exit: { code: number | null; signal: NodeJS.Signals | null };
}

/**
 * Start the child on `dir`; `killWhen` decides from each stdout line (and time) when to
 * SIGKILL it. Resolves once it has exited, with the complete lines it printed.
 */
function runChild(
  dir: string,
  config: ChildConfig,
  killWhen: (line: string, child: ChildProcess, since: number) => void,
): Promise<Run> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    let killedAt = -1;
    const child = spawn(process.execPath, [CHILD, dir], {
      env: { ...process.env, CRASH_CHILD_CONFIG: JSON.stringify(config) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const kill = child.kill.bind(child);
    child.kill = (sig?: NodeJS.Signals | number) => {
      if (killedAt < 0) killedAt = Date.now() - started;
      return kill(sig);
    };
    const lines: string[] = [];
    let partial = '';
    let err = '';
    const safety = setTimeout(() => child.kill('SIGKILL'), 30_000);
    child.stdout!.setEncoding('utf8');
    child.stderr!.setEncoding('utf8');
    child.stdout!.on('data', (chunk: string) => {
      const parts = (partial + chunk).split('\n');
      partial = parts.pop()!; // an incomplete line is no acknowledgement (yet)
      for (const line of parts) {
        lines.push(line);
        killWhen(line, child, started);
      }
    });
    child.stderr!.on('data', (c: string) => (err += c));
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      clearTimeout(safety);
      const acks = lines
        .filter((l) => l.startsWith('ack '))
        .map((l) => ({ txId: l.split(' ')[1]!, what: l.split(' ')[2]! }));
      resolve({ acks, lines, stderr: err, killedAfterMs: killedAt, exit: { code, signal } });
    });
  });
}

/** SIGKILL `delayMs` after the first line satisfying `match` (once). */
function killAfter(match: (line: string) => boolean, delayMs: number) {
  let armed = true;
  return (line: string, child: ChildProcess) => {
    if (!armed || !match(line)) return;
    armed = false;
    if (delayMs <= 0) child.kill('SIGKILL');
    else setTimeout(() => child.kill('SIGKILL'), delayMs);
  };
}

const isAnchorAck = (l: string) => l.startsWith('ack ') && l.split(' ')[2]!.startsWith('urn:uuid:');

describe('embedded ledger: kill -9 loses nothing acknowledged', function () {
  this.timeout(120_000);

  let config: ChildConfig;
  let registrarKey: OwnedKey;
  let issuerKey: OwnedKey;

  before(async () => {
    const registrar = await newRegistrar();
    const spec = issuerSpec({ slug: 'crash-test-clinic' });
    issuerKey = await newIssuerKey(spec.id);
    registrarKey = registrar;
    config = {
      mode: 'anchor',
      registrar: await childKey(registrar),
      issuer: { spec, key: await childKey(issuerKey) },
      concurrency: 8,
    };
  });

  /** Reopen after a kill and check everything the child was told. Returns the new height. */
  async function verifyAfterKill(dir: string, run: Run, label: string): Promise<number> {
    expect(run.exit.signal, `${label}: the child died of SIGKILL (stderr: ${run.stderr.slice(0, 500)})`).to.equal(
      'SIGKILL',
    );
    const ledger = await EmbeddedLedger.open(dir, { batch: { timeoutMs: 5 } });
    try {
      for (const a of run.acks) {
        expect(ledger.transaction(a.txId)?.code, `${label}: acknowledged ${a.what} ${a.txId}`).to.equal('VALID');
        if (a.what.startsWith('urn:uuid:')) {
          expect(
            json<AnchorRecord>(await ledger.evaluate('getAnchor', [a.what])).txId,
            `${label}: anchor ${a.what}`,
          ).to.equal(a.txId);
        }
      }
      const audit = auditChain(await allBlocks(ledger));
      expect(audit.problems, label).to.deep.equal([]);
      expect(audit.height).to.equal(ledger.height);
      // The ledger works: init and register if the child never got that far, then anchor.
      const registrar = { ...registrarKey, initArgs: JSON.stringify({ registrarKeys: [registrarKey.newKey] }) };
      try {
        await ledger.evaluate('getRegistrar', []);
      } catch (e) {
        if (!(e instanceof RejectedError)) throw e;
        await ledger.submit('init', [registrar.initArgs]);
      }
      try {
        await ledger.evaluate('getIssuer', [config.issuer.spec.id]);
      } catch (e) {
        if (!(e instanceof RejectedError)) throw e;
        await ledger.submit('registerIssuer', [
          await sign(statements.registerIssuer(config.issuer.spec, issuerKey.newKey), registrarKey),
        ]);
      }
      const after = await anchorCredential(ledger, {
        id: config.issuer.spec.id,
        spec: config.issuer.spec,
        key: issuerKey,
      });
      expect(ledger.transaction(after.res.txId)?.code).to.equal('VALID');
      return ledger.height;
    } finally {
      await ledger.close();
    }
  }

  it('killed at its first acknowledgement (init, block 1)', async () => {
    const dir = join(tempDir('crash'), 'ledger');
    const run = await runChild(
      dir,
      config,
      killAfter((l) => l.startsWith('ack '), 0),
    );
    expect(run.acks.length).to.be.at.least(1);
    await verifyAfterKill(dir, run, 'first ack');
  });

  it('killed at its first anchor (the first blocks under load)', async () => {
    const dir = join(tempDir('crash'), 'ledger');
    const run = await runChild(dir, config, killAfter(isAnchorAck, 0));
    expect(run.acks.some((a) => a.what === 'issuer')).to.equal(true);
    await verifyAfterKill(dir, run, 'first anchor');
  });

  it('killed during genesis or start-up (random moment right after start)', async () => {
    const dir = join(tempDir('crash'), 'ledger');
    const delay = Math.floor(Math.random() * 120);
    const run = await runChild(
      dir,
      config,
      killAfter((l) => l === 'start', delay),
    );
    // Whatever state genesis was in, the directory opens (creating the network if it never finished).
    await verifyAfterKill(dir, run, `genesis +${delay}ms`);
    expect(existsSync(join(dir, 'network.json'))).to.equal(true);
  });

  it('killed again and again on the same directory under load, at random moments', async () => {
    const dir = join(tempDir('crash'), 'ledger');
    const schedule = [40, 130, 260, 420, 610].map((ms) => ms + Math.floor(Math.random() * 60));
    let total = 0;
    let lastHeight = 0;
    for (const [i, delay] of schedule.entries()) {
      const run = await runChild(dir, config, killAfter(isAnchorAck, delay));
      total += run.acks.length;
      const label = `kill ${i + 1} at first anchor +${delay}ms (${run.acks.length} acknowledged)`;
      const height = await verifyAfterKill(dir, run, label);
      if (process.env.ANXIN_TEST_VERBOSE)
        console.log(`    ${label}, killed after ${run.killedAfterMs} ms, height ${height}`);
      expect(height, label).to.be.greaterThan(lastHeight);
      lastHeight = height;
    }
    expect(total, 'the child got work done before each kill').to.be.at.least(schedule.length);
  });

  it('the directory lock: a second process cannot open a ledger that is open; after a kill -9 it can', async () => {
    const dir = join(tempDir('crash'), 'ledger');
    await (await EmbeddedLedger.open(dir)).close();
    let holder: ChildProcess | undefined;
    const opened = new Promise<void>((resolve) => {
      void runChild(dir, { ...config, mode: 'hold' }, (line, child) => {
        holder = child;
        if (line.startsWith('open')) resolve();
      });
    });
    await opened;
    let err: unknown;
    try {
      await (await EmbeddedLedger.open(dir)).close();
    } catch (e) {
      err = e;
    }
    expect(err, 'open while another process holds the ledger').to.have.property('code', 'UNAVAILABLE');
    const exited = new Promise((r) => holder!.once('exit', r));
    holder!.kill('SIGKILL');
    await exited;
    const l = await EmbeddedLedger.open(dir);
    await l.close();
  });
});
