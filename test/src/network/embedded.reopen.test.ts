/**
 * State survives close and reopen — and a reopen that has to rebuild every database
 * from the block files alone: every key, every history, every transaction's status.
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import { describe, it } from 'mocha';
// The embedded ledger first: it loads fabric-shim quietly, before the contract pulls it in.
import { EmbeddedLedger, type EmbeddedLedgerOptions } from '@anxin/network/embedded';
import { AnxinContract } from '@anxin/chaincode';
import {
  anchorCredential,
  auditChain,
  allBlocks,
  expectCommitError,
  json,
  newIssuerKey,
  openLedger,
  registerIssuer,
  sign,
  statements,
  tempDir,
} from '../helpers';
import { KvContract } from './fixtures/kv-contract';

const OPTIONS: EmbeddedLedgerOptions = { contracts: [AnxinContract, KvContract], batch: { timeoutMs: 5 } };
const COMPOSITE_TYPES = JSON.stringify(['anchor', 'issuer', 'stmt', 'worker']);

interface Snapshot {
  info: unknown;
  state: Array<[string, string]>;
  histories: unknown[];
  txs: unknown[];
  issuers: unknown[];
  registrar: unknown;
}

async function snapshot(ledger: EmbeddedLedger, anchorIds: string[], txIds: string[]): Promise<Snapshot> {
  const issuers: unknown[] = [];
  let bookmark = '';
  do {
    const page = json<{ issuers: unknown[]; bookmark: string }>(await ledger.evaluate('listIssuers', ['2', bookmark]));
    issuers.push(...page.issuers);
    bookmark = page.bookmark;
  } while (bookmark);
  return {
    info: await ledger.info(),
    state: json(await ledger.evaluate('kv:dump', [COMPOSITE_TYPES])),
    histories: await Promise.all(anchorIds.map(async (id) => json(await ledger.evaluate('getAnchorHistory', [id])))),
    txs: txIds.map((t) => ledger.transaction(t)),
    issuers,
    registrar: json(await ledger.evaluate('getRegistrar', [])),
  };
}

describe('embedded ledger: reopen', () => {
  it('state after close and reopen equals state before — and after rebuilding the databases from the blocks', async () => {
    const { ledger, dir, registrar } = await openLedger(OPTIONS);
    const txIds: string[] = [];
    const anchorIds: string[] = [];
    let before: Snapshot;
    let l2: EmbeddedLedger | undefined;
    try {
      const issuers = await Promise.all(
        Array.from({ length: 5 }, (_, i) => registerIssuer(ledger, registrar, { slug: `reopen-clinic-${i}` })),
      );
      const anchors = await Promise.all(
        issuers.flatMap((i) => [anchorCredential(ledger, i), anchorCredential(ledger, i)]),
      );
      for (const a of anchors) {
        txIds.push(a.res.txId);
        anchorIds.push(a.spec.id);
      }
      const [i0] = issuers;
      for (const kind of ['suspend', 'reinstate', 'revoke'] as const) {
        txIds.push(
          (await ledger.submit(kind, [await sign(statements[kind](i0!.id, anchors[0]!.spec.id), i0!.key)])).txId,
        );
      }
      const k2 = await newIssuerKey(i0!.id, 'EdDSA');
      txIds.push((await ledger.submit('addKey', [await sign(statements.addKey(i0!.id, k2.newKey), registrar)])).txId);
      txIds.push(
        (await ledger.submit('retireKey', [await sign(statements.retireKey(i0!.id, i0!.key.keyId), registrar)])).txId,
      );
      txIds.push((await ledger.submit('kv:putMany', [JSON.stringify({ alpha: '1', beta: '2', gamma: '3' })])).txId);
      txIds.push((await ledger.submit('kv:del', ['beta'])).txId);
      txIds.push((await ledger.submit('kv:putComposite', ['worker', JSON.stringify(['cd', 'w1']), 'x'])).txId);
      const race = await Promise.allSettled([
        ledger.submit('kv:incr', ['counter', '0', '']),
        ledger.submit('kv:incr', ['counter', '0', '']),
      ]);
      for (const r of race) txIds.push(r.status === 'fulfilled' ? r.value.txId : (r.reason as { txId: string }).txId);

      before = await snapshot(ledger, anchorIds, txIds);
      expect(before.state.length).to.be.greaterThan(30);
      expect(before.txs.every((t) => t !== undefined)).to.equal(true);
      await ledger.close();

      // 1. Plain reopen.
      l2 = await EmbeddedLedger.open(dir, OPTIONS);
      expect(await snapshot(l2, anchorIds, txIds)).to.deep.equal(before);
      await l2.close();

      // 2. Reopen with the databases gone: everything rebuilt from the block files.
      rmSync(join(dir, 'index'), { recursive: true, force: true });
      l2 = await EmbeddedLedger.open(dir, OPTIONS);
      expect(await snapshot(l2, anchorIds, txIds)).to.deep.equal(before);
      expect(auditChain(await allBlocks(l2)).problems).to.deep.equal([]);

      // Versions were recovered too: MVCC still works on keys written before the reopen.
      const again = await Promise.allSettled([
        l2.submit('kv:incr', ['counter', '0', '']),
        l2.submit('kv:incr', ['counter', '0', '']),
      ]);
      expect(again.filter((r) => r.status === 'fulfilled')).to.have.length(1);
      await expectCommitError(
        Promise.reject((again.find((r) => r.status === 'rejected') as PromiseRejectedResult).reason as Error),
        'MVCC_READ_CONFLICT',
      );
      expect(Buffer.from(await l2.evaluate('kv:get', ['counter'])).toString()).to.equal('2');
      // And statements applied before the reopen stay applied (replay protection is state too).
      await anchorCredential(l2, issuers[1]!);
    } finally {
      await ledger.close();
      await l2?.close();
    }
  });

  it('a second open of the same directory in the same process is refused while the first is open', async () => {
    const { ledger, dir } = await openLedger({ init: false });
    let second: EmbeddedLedger | undefined;
    let err: unknown;
    try {
      second = await EmbeddedLedger.open(dir);
    } catch (e) {
      err = e;
    } finally {
      await second?.close();
      await ledger.close();
    }
    expect(second, 'two writers on one set of block files').to.equal(undefined);
    expect(err).to.have.property('code', 'UNAVAILABLE');
  });

  it('close() commits what is pending first; a submit after close is refused with CLOSED', async () => {
    const dir = join(tempDir('close'), 'ledger');
    const kv = { contracts: [KvContract], batch: { timeoutMs: 10_000 } };
    const ledger = await EmbeddedLedger.open(dir, kv);
    const started = Date.now();
    const pending = [ledger.submit('put', ['a', '1']), ledger.submit('put', ['b', '2'])];
    await ledger.close();
    const done = await Promise.all(pending);
    expect(Date.now() - started, 'close cut the block instead of waiting for the batch timeout').to.be.below(5_000);
    let err: unknown;
    try {
      await ledger.submit('put', ['c', '3']);
    } catch (e) {
      err = e;
    }
    expect(err).to.have.property('code', 'CLOSED');
    const l2 = await EmbeddedLedger.open(dir, kv);
    try {
      for (const r of done) expect(l2.transaction(r.txId)?.code).to.equal('VALID');
      expect(Buffer.from(await l2.evaluate('get', ['a'])).toString()).to.equal('1');
      expect(Buffer.from(await l2.evaluate('get', ['b'])).toString()).to.equal('2');
    } finally {
      await l2.close();
    }
  });
});
