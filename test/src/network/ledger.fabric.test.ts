/**
 * The Ledger contract suite on a real Hyperledger Fabric network, when FABRIC_BIN points
 * at usable Fabric binaries: one throwaway network for the test process (a temporary
 * folder; see helpers/fabric-network), the chaincode deployed as a service, the
 * registrar initialised once; each case gets its own FabricLedger connection and a
 * freshly registered issuer. Then what only the Fabric adapter has: checkpoints that
 * survive a restart, deadlines, an unreachable peer, and a submit whose commit status
 * was lost. Without Fabric every case is listed as skipped, with the reason in the
 * suite's title — never run against a mock.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { after, before, describe, it } from 'mocha';
import { LedgerError, type SubmitResult } from '@anxin/network';
import { fileCheckpointer, openFabricLedger, type FabricLedger } from '@anxin/network/fabric';
import { anchorSpec, sign, statements } from '../helpers/statements';
import { fabricSkipReason, withFabricNetwork, type FabricTestNetwork } from '../helpers/fabric-network';
import { json, ledgerContract, registerTestIssuer } from './ledger.contract';

const skip = fabricSkipReason();

ledgerContract(
  'Fabric',
  async () => {
    const net = await withFabricNetwork();
    const ledger = await net.openLedger();
    try {
      const issuer = await registerTestIssuer(ledger, net.registrar);
      return { ledger, registrar: net.registrar, issuer, teardown: () => ledger.close() };
    } catch (e) {
      await ledger.close();
      throw e;
    }
  },
  skip === undefined ? { prepare: () => withFabricNetwork(), prepareTimeoutMs: 300_000, timeoutMs: 120_000 } : { skip },
);

async function failure(p: Promise<unknown>): Promise<LedgerError> {
  try {
    await p;
  } catch (e) {
    expect(e, String(e)).to.be.instanceOf(LedgerError);
    return e as LedgerError;
  }
  throw new Error('expected a LedgerError, but the call succeeded');
}

const SPECIFIC: Array<{
  title: string;
  run: (net: FabricTestNetwork, ledger: FabricLedger, dir: string) => Promise<void>;
}> = [
  {
    title:
      'blocks with a file checkpointer: a new process (a new ledger, the same file) resumes after the last block handled',
    async run(net, ledger, dir) {
      const file = join(dir, 'blocks.checkpoint');
      const first: number[] = [];
      for await (const b of ledger.blocks(0, { checkpointer: await fileCheckpointer(file) })) {
        first.push(b.number);
        if (first.length === 3) break; // blocks 0, 1 handled; 2 received but not acknowledged
      }
      expect(first).to.deep.equal([0, 1, 2]);
      const again = await net.openLedger();
      try {
        const next: number[] = [];
        for await (const b of again.blocks(0, { follow: false, checkpointer: await fileCheckpointer(file) }))
          next.push(b.number);
        expect(next[0], 'resumes at the block that was not acknowledged').to.equal(2);
        expect(next[next.length - 1]).to.equal((await again.info()).height - 1);
      } finally {
        await again.close();
      }
    },
  },
  {
    title: 'events with a file checkpointer resume after the last event handled, inside a block',
    async run(net, ledger, dir) {
      const issuer = await registerTestIssuer(ledger, net.registrar);
      const from = (await ledger.info()).height;
      const specs = Array.from({ length: 6 }, () => anchorSpec(issuer.key));
      const res: SubmitResult[] = await Promise.all(
        specs.map(async (s) => ledger.submit('anchor', [await sign(statements.anchor(issuer.id, s), issuer.key)])),
      );
      const order = [...res].sort((a, b) => a.block - b.block || a.txIndex - b.txIndex).map((r) => r.txId);
      const file = join(dir, 'events.checkpoint');
      const seen: string[] = [];
      for await (const e of ledger.events(from, { checkpointer: await fileCheckpointer(file) })) {
        seen.push(e.txId);
        if (seen.length === 4) break; // 3 acknowledged, the 4th not
      }
      const rest: string[] = [];
      for await (const e of ledger.events(0, { follow: false, checkpointer: await fileCheckpointer(file) }))
        rest.push(e.txId);
      expect([...seen.slice(0, 3), ...rest]).to.deep.equal(order);
    },
  },
  {
    title: 'deadlines: an evaluate that cannot finish in time fails with TIMEOUT',
    async run(net) {
      const hurried = await net.openLedger({ timeouts: { evaluateMs: 1 } });
      try {
        const e = await failure(hurried.evaluate('listIssuers', ['100', '']));
        expect(e.code).to.equal('TIMEOUT');
      } finally {
        await hurried.close();
      }
    },
  },
  {
    title: 'an unreachable peer: open fails with UNAVAILABLE within the connect timeout; without the check, calls do',
    async run(net) {
      const cfg = { ...net.config, peerEndpoint: '127.0.0.1:1' };
      const t0 = Date.now();
      const e = await failure(openFabricLedger(cfg, { timeouts: { connectMs: 1_000 } }));
      expect(e.code).to.equal('UNAVAILABLE');
      expect(Date.now() - t0).to.be.below(5_000);
      const lazy = await openFabricLedger(cfg, { waitForReady: false });
      try {
        expect((await failure(lazy.evaluate('getRegistrar', []))).code).to.equal('UNAVAILABLE');
        expect((await failure(lazy.info())).code).to.equal('UNAVAILABLE');
      } finally {
        await lazy.close();
      }
    },
  },
  {
    title:
      'a lost commit status: TIMEOUT with the tx id; submitting the same statement again returns that committed transaction',
    async run(net, ledger) {
      const issuer = await registerTestIssuer(ledger, net.registrar);
      const spec = anchorSpec(issuer.key);
      const jws = await sign(statements.anchor(issuer.id, spec), issuer.key);
      const impatient = await net.openLedger({ timeouts: { commitStatusMs: 1 } });
      try {
        const e = await failure(impatient.submit('anchor', [jws]));
        expect(e.code).to.equal('TIMEOUT');
        expect(e.txId).to.match(/^[0-9a-f]{64}$/);
        // it did commit meanwhile
        const deadline = Date.now() + 10_000;
        while (!(await ledger.transaction(e.txId!)) && Date.now() < deadline)
          await new Promise((r) => setTimeout(r, 50));
        expect((await ledger.transaction(e.txId!))?.code).to.equal('VALID');
        // the caller retries: the contract says STATEMENT_REPLAYED, the adapter knows it was its own
        const again = await impatient.submit('anchor', [jws]);
        expect(again.txId).to.equal(e.txId);
        expect(json<{ id: string; txId: string }>(again.result)).to.include({ id: spec.id, txId: e.txId });
        expect(impatient.stats.replayResolved).to.equal(1);
        // another client submitting it is told the truth
        const other = await failure(ledger.submit('anchor', [jws]));
        expect(other.code).to.equal('REJECTED');
      } finally {
        await impatient.close();
      }
    },
  },
];

if (skip !== undefined) {
  describe(`Fabric ledger adapter (skipped: ${skip})`, () => {
    for (const c of SPECIFIC) it.skip(c.title);
  });
} else {
  describe('Fabric ledger adapter', function () {
    this.timeout(120_000);
    let net: FabricTestNetwork;
    let ledger: FabricLedger;
    let dir: string;
    before(async function () {
      this.timeout(300_000);
      net = await withFabricNetwork();
      ledger = await net.openLedger();
      dir = mkdtempSync(join(tmpdir(), 'anxin-fabric-checkpoints-'));
    });
    after(async () => {
      await ledger?.close();
      if (dir) rmSync(dir, { recursive: true, force: true });
    });
    for (const c of SPECIFIC) it(c.title, () => c.run(net, ledger, dir));
  });
}
