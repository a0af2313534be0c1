/**
 * Fabric's transaction semantics on the embedded ledger, probed with a tiny contract:
 * reads see committed state only, stale reads lose at commit (MVCC_READ_CONFLICT) and
 * their writes are dropped, range reads detect phantoms, pagination works with
 * bookmarks and is refused in a transaction that writes.
 */
import { expect } from 'chai';
import { after, before, describe, it } from 'mocha';
import { common, ledger as L, peer } from '@hyperledger/fabric-protos';
import { CommitError, RejectedError } from '@anxin/network';
import { EmbeddedLedger } from '@anxin/network/embedded';
import { expectCommitError, expectRejected, json, tempDir } from '../helpers';
import { KV_CONTRACTS_MODULE, KvContract } from './fixtures/kv-contract';

const s = (b: Uint8Array) => Buffer.from(b).toString('utf8');

/** The KVRWSet of the chaincode namespace in a committed transaction, decoded with fabric-protos. */
function rwsetOf(ledger: EmbeddedLedger, txId: string): L.rwset.kvrwset.KVRWSet {
  const where = ledger.transaction(txId)!;
  const block = common.Block.deserializeBinary(ledger.block(where.block));
  const env = common.Envelope.deserializeBinary(block.getData()!.getDataList_asU8()[where.index]!);
  const tx = peer.Transaction.deserializeBinary(common.Payload.deserializeBinary(env.getPayload_asU8()).getData_asU8());
  const cap = peer.ChaincodeActionPayload.deserializeBinary(tx.getActionsList()[0]!.getPayload_asU8());
  const prp = peer.ProposalResponsePayload.deserializeBinary(cap.getAction()!.getProposalResponsePayload_asU8());
  const cca = peer.ChaincodeAction.deserializeBinary(prp.getExtension_asU8());
  const set = L.rwset.TxReadWriteSet.deserializeBinary(cca.getResults_asU8());
  const ns = set.getNsRwsetList().find((n) => n.getNamespace() === ledger.descriptor.chaincode.name)!;
  return L.rwset.kvrwset.KVRWSet.deserializeBinary(ns.getRwset_asU8());
}

async function settle<T>(ps: Array<Promise<T>>): Promise<{ ok: T[]; errors: Error[] }> {
  const ok: T[] = [];
  const errors: Error[] = [];
  for (const x of await Promise.allSettled(ps)) {
    if (x.status === 'fulfilled') ok.push(x.value as T);
    else errors.push(x.reason as Error);
  }
  return { ok, errors };
}

describe('embedded ledger: MVCC and Fabric transaction semantics', () => {
  let ledger: EmbeddedLedger;

  before(async () => {
    ledger = await EmbeddedLedger.open(tempDir('mvcc'), { contracts: [KvContract], batch: { timeoutMs: 5 } });
  });
  after(() => ledger.close());

  const get = async (key: string) => s(await ledger.evaluate('get', [key]));

  describe('MVCC_READ_CONFLICT', () => {
    it('two concurrent read-and-write transactions on one key: exactly one commits, the other is MVCC_READ_CONFLICT', async () => {
      await ledger.submit('put', ['counter-a', '10']);
      const { ok, errors } = await settle([
        ledger.submit('incr', ['counter-a', '0', '']),
        ledger.submit('incr', ['counter-a', '0', '']),
      ]);
      expect(ok).to.have.length(1);
      expect(errors).to.have.length(1);
      await expectCommitError(Promise.reject(errors[0]), 'MVCC_READ_CONFLICT');
      const e = errors[0] as CommitError;
      expect(e.validationCode).to.equal('MVCC_READ_CONFLICT');
      expect(ledger.transaction(e.txId!)).to.deep.include({ code: 'MVCC_READ_CONFLICT', block: e.block });
      expect(await get('counter-a')).to.equal('11');
    });

    it('ten at once: one commits, nine conflict, and the counter moved by exactly one', async () => {
      await ledger.submit('put', ['counter-b', '0']);
      const { ok, errors } = await settle(
        Array.from({ length: 10 }, () => ledger.submit('incr', ['counter-b', '0', ''])),
      );
      expect(ok).to.have.length(1);
      expect(errors.map((e) => (e as CommitError).code)).to.deep.equal(Array(9).fill('MVCC_READ_CONFLICT'));
      expect(await get('counter-b')).to.equal('1');
    });

    it('an invalidated transaction’s writes are dropped, all of them', async () => {
      const slow = ledger.submit('incr', ['counter-c', '150', 'side-effect-slow']);
      await new Promise((r) => setTimeout(r, 30)); // the slow one has read by now
      const fast = await ledger.submit('incr', ['counter-c', '0', 'side-effect-fast']);
      await expectCommitError(slow, 'MVCC_READ_CONFLICT');
      expect(s(fast.result)).to.equal('1');
      expect(await get('counter-c')).to.equal('1');
      expect(await get('side-effect-fast')).to.equal(`by ${fast.txId}`);
      expect(await get('side-effect-slow'), 'the loser wrote nothing').to.equal('');
    });

    it('blind writes (no read) never conflict; the last in block order wins', async () => {
      const results = await Promise.all(
        Array.from({ length: 5 }, (_, i) => ledger.submit('put', ['blind', String(i)]).then((r) => ({ r, i }))),
      );
      const last = results.reduce((a, b) =>
        b.r.block > a.r.block || (b.r.block === a.r.block && b.r.txIndex > a.r.txIndex) ? b : a,
      );
      expect(await get('blind')).to.equal(String(last.i));
    });
  });

  describe('reads in a transaction see committed state only', () => {
    it('readOwnWrite: getState after putState gives the committed value, not the write', async () => {
      await ledger.submit('put', ['own', 'committed']);
      const r = await ledger.submit('readOwnWrite', ['own', 'written']);
      expect(s(r.result)).to.equal('committed');
      expect(await get('own')).to.equal('written');
      const fresh = await ledger.submit('readOwnWrite', ['own-new', 'written']);
      expect(s(fresh.result), 'a key that did not exist reads as empty').to.equal('');
    });

    it('readOwnDelete: getState after deleteState gives the committed value', async () => {
      await ledger.submit('put', ['gone', 'still here']);
      const r = await ledger.submit('readOwnDelete', ['gone']);
      expect(s(r.result)).to.equal('still here');
      expect(await get('gone')).to.equal('');
      const w = rwsetOf(ledger, r.txId).getWritesList();
      expect(w.map((x) => [x.getKey(), x.getIsDelete()])).to.deep.equal([['gone', true]]);
    });

    it('putTwice: the last write wins, and the write set holds the key once', async () => {
      const r = await ledger.submit('putTwice', ['twice', 'first', 'second']);
      expect(await get('twice')).to.equal('second');
      const w = rwsetOf(ledger, r.txId).getWritesList();
      expect(w.map((x) => [x.getKey(), s(x.getValue_asU8())])).to.deep.equal([['twice', 'second']]);
    });

    it('the read set records the committed version read (block, tx), and none for an absent key', async () => {
      const put = await ledger.submit('put', ['versioned', 'v1']);
      const r = await ledger.submit('incr', ['versioned-absent', '0', '']);
      const r2 = await ledger.submit('readOwnWrite', ['versioned', 'v2']);
      const absent = rwsetOf(ledger, r.txId).getReadsList();
      expect(absent.map((x) => [x.getKey(), x.hasVersion()])).to.deep.equal([['versioned-absent', false]]);
      const read = rwsetOf(ledger, r2.txId).getReadsList()[0]!;
      expect([read.getKey(), read.getVersion()!.getBlockNum(), read.getVersion()!.getTxNum()]).to.deep.equal([
        'versioned',
        put.block,
        put.txIndex,
      ]);
    });
  });

  describe('range and partial composite key reads', () => {
    before(async () => {
      const many: Record<string, string> = {};
      for (let i = 0; i < 25; i++) many[`item-${String(i).padStart(3, '0')}`] = `v${i}`;
      await ledger.submit('putMany', [JSON.stringify(many)]);
      for (let i = 0; i < 7; i++)
        await ledger.submit('putComposite', ['worker', JSON.stringify(['cd', `w${i}`]), `c${i}`]);
      for (let i = 0; i < 3; i++)
        await ledger.submit('putComposite', ['worker', JSON.stringify(['bj', `w${i}`]), `b${i}`]);
    });

    it('getStateByRange: [start, end) in key order', async () => {
      const r = json<Array<{ key: string }>>(await ledger.evaluate('range', ['item-005', 'item-010']));
      expect(r.map((x) => x.key)).to.deep.equal(['item-005', 'item-006', 'item-007', 'item-008', 'item-009']);
    });

    it('simple-key range queries never return composite keys', async () => {
      const all = json<Array<{ key: string }>>(await ledger.evaluate('range', ['', '']));
      expect(all.some((x) => x.key.startsWith('\u0000'))).to.equal(false);
      expect(all.filter((x) => x.key.startsWith('item-'))).to.have.length(25);
    });

    it('getStateByPartialCompositeKey: only the matching prefix, attributes split back out', async () => {
      const cd = json<Array<{ attributes: string[] }>>(
        await ledger.evaluate('composite', ['worker', JSON.stringify(['cd'])]),
      );
      expect(cd.map((x) => x.attributes)).to.deep.equal(Array.from({ length: 7 }, (_, i) => ['cd', `w${i}`]));
      const all = json<unknown[]>(await ledger.evaluate('composite', ['worker', '[]']));
      expect(all).to.have.length(10);
    });

    it('getStateByRangeWithPagination: bookmarks walk every key once, in order', async () => {
      for (const size of [1, 7, 10, 25, 30]) {
        const keys: string[] = [];
        let bookmark = '';
        let pages = 0;
        do {
          const p = json<{ items: Array<{ key: string }>; bookmark: string; fetched: number }>(
            await ledger.evaluate('page', ['item-', 'item.', String(size), bookmark]),
          );
          expect(p.fetched).to.equal(p.items.length);
          expect(p.items.length).to.be.at.most(size);
          keys.push(...p.items.map((x) => x.key));
          bookmark = p.bookmark;
          expect(++pages).to.be.below(40);
        } while (bookmark);
        expect(keys, `page size ${size}`).to.deep.equal(
          Array.from({ length: 25 }, (_, i) => `item-${String(i).padStart(3, '0')}`),
        );
      }
    });

    it('getStateByPartialCompositeKeyWithPagination: bookmarks walk every entry once', async () => {
      const seen: string[][] = [];
      let bookmark = '';
      let pages = 0;
      do {
        const p = json<{ items: Array<{ attributes: string[] }>; bookmark: string }>(
          await ledger.evaluate('pageComposite', ['worker', '[]', '3', bookmark]),
        );
        seen.push(...p.items.map((x) => x.attributes));
        bookmark = p.bookmark;
        pages++;
      } while (bookmark);
      expect(pages).to.be.at.least(4);
      expect(seen).to.deep.equal([
        ...Array.from({ length: 3 }, (_, i) => ['bj', `w${i}`]),
        ...Array.from({ length: 7 }, (_, i) => ['cd', `w${i}`]),
      ]);
    });

    it('a range read is recorded in the read-write set (RangeQueryInfo with the keys and versions read)', async () => {
      const r = await ledger.submit('countRange', ['item-020', 'item-023', 'range-count-1', '0']);
      expect(s(r.result)).to.equal('3');
      const q = rwsetOf(ledger, r.txId).getRangeQueriesInfoList();
      expect(q).to.have.length(1);
      expect([q[0]!.getStartKey(), q[0]!.getEndKey(), q[0]!.getItrExhausted()]).to.deep.equal([
        'item-020',
        'item-023',
        true,
      ]);
      expect(
        q[0]!
          .getRawReads()!
          .getKvReadsList()
          .map((x) => x.getKey()),
      ).to.deep.equal(['item-020', 'item-021', 'item-022']);
    });

    it('PHANTOM_READ_CONFLICT: a key inserted into a range after it was read', async () => {
      const reader = ledger.submit('countRange', ['item-', 'item.', 'range-count-2', '150']);
      await new Promise((r) => setTimeout(r, 30));
      await ledger.submit('put', ['item-012a', 'inserted']);
      await expectCommitError(reader, 'PHANTOM_READ_CONFLICT');
      expect(await get('range-count-2'), 'its write was dropped').to.equal('');
    });

    it('PHANTOM_READ_CONFLICT: a key in the range updated after it was read', async () => {
      const reader = ledger.submit('countRange', ['item-000', 'item-005', 'range-count-3', '150']);
      await new Promise((r) => setTimeout(r, 30));
      await ledger.submit('put', ['item-003', 'changed']);
      await expectCommitError(reader, 'PHANTOM_READ_CONFLICT');
    });

    it('PHANTOM_READ_CONFLICT: a key deleted from the range after it was read', async () => {
      const reader = ledger.submit('countRange', ['item-005', 'item-010', 'range-count-4', '150']);
      await new Promise((r) => setTimeout(r, 30));
      await ledger.submit('del', ['item-007']);
      await expectCommitError(reader, 'PHANTOM_READ_CONFLICT');
    });

    it('PHANTOM_READ_CONFLICT: an entry added under a partial composite key after it was read', async () => {
      const reader = ledger.submit('countComposite', ['worker', JSON.stringify(['cd']), 'composite-count', '150']);
      await new Promise((r) => setTimeout(r, 30));
      await ledger.submit('putComposite', ['worker', JSON.stringify(['cd', 'w99']), 'late']);
      await expectCommitError(reader, 'PHANTOM_READ_CONFLICT');
    });

    it('no conflict when the concurrent insert is outside the range read', async () => {
      const reader = ledger.submit('countRange', ['item-000', 'item-005', 'range-count-5', '150']);
      await new Promise((r) => setTimeout(r, 30));
      await ledger.submit('put', ['zzz-outside', 'x']);
      await ledger.submit('putComposite', ['worker', JSON.stringify(['sh', 'w1']), 'elsewhere']);
      expect(s((await reader).result)).to.equal('5');
      expect(await get('range-count-5')).to.equal('5');
    });
  });

  describe('paginated queries in a transaction that writes (refused, as on Fabric)', () => {
    it('a paginated query followed by a write', async () => {
      const e = await expectRejected(
        ledger.submit('pageThenWrite', ['item-', 'item.', 'paged-write']),
        'CHAINCODE_ERROR',
      );
      expect(e).to.be.instanceOf(RejectedError);
      expect(await get('paged-write')).to.equal('');
    });

    it('a write followed by a paginated query', async () => {
      await expectRejected(ledger.submit('writeThenPage', ['item-', 'item.', 'write-paged']), 'CHAINCODE_ERROR');
      expect(await get('write-paged')).to.equal('');
    });
  });

  describe('history and transaction facts', () => {
    it('getHistoryForKey: every committed value, newest first (Fabric’s order), deletes included, invalidated ones not', async () => {
      const t1 = await ledger.submit('put', ['hist', 'one']);
      const t2 = await ledger.submit('put', ['hist', 'two']);
      const t3 = await ledger.submit('del', ['hist']);
      const slow = ledger.submit('incr', ['hist', '150', '']);
      await new Promise((r) => setTimeout(r, 30));
      const t4 = await ledger.submit('put', ['hist', '41']);
      await expectCommitError(slow, 'MVCC_READ_CONFLICT');
      const h = json<Array<{ txId: string; isDelete: boolean; value: string }>>(
        await ledger.evaluate('history', ['hist']),
      );
      expect(h).to.deep.equal([
        { txId: t4.txId, isDelete: false, value: '41' },
        { txId: t3.txId, isDelete: true, value: '' },
        { txId: t2.txId, isDelete: false, value: 'two' },
        { txId: t1.txId, isDelete: false, value: 'one' },
      ]);
    });

    it('the stub gives the tx id, channel, creator MSP and the proposal timestamp', async () => {
      const r = await ledger.submit('whoami', []);
      const me = json<{ txId: string; channel: string; mspId: string; time: string }>(r.result);
      expect(me).to.deep.equal({
        txId: r.txId,
        channel: ledger.channel,
        mspId: ledger.clientIdentity.mspId,
        time: r.timestamp.toISOString(),
      });
    });
  });
});

describe('embedded ledger: MVCC with endorsement workers', () => {
  it('concurrent increments endorsed on worker threads: exactly one commits per round', async () => {
    const ledger = await EmbeddedLedger.open(tempDir('mvcc-workers'), {
      contractsModule: KV_CONTRACTS_MODULE,
      endorsers: 2,
      batch: { timeoutMs: 5 },
    });
    try {
      let committed = 0;
      for (let round = 0; round < 3; round++) {
        const { ok, errors } = await settle(
          Array.from({ length: 12 }, () => ledger.submit('incr', ['worker-counter', '0', ''])),
        );
        expect(ok.length + errors.length).to.equal(12);
        expect(
          errors.every((e) => e instanceof CommitError && e.code === 'MVCC_READ_CONFLICT'),
          String(errors[0]),
        ).to.equal(true);
        // Endorsements overlapping a commit may see the new version: one or more commit per round, never a lost update.
        expect(ok.length).to.be.at.least(1);
        const values = ok.map((r) => Number(s(r.result))).sort((a, b) => a - b);
        expect(new Set(values).size, 'no two commits computed the same value').to.equal(values.length);
        committed += ok.length;
      }
      expect(
        Number(s(await ledger.evaluate('get', ['worker-counter']))),
        'every committed increment counted, nothing else',
      ).to.equal(committed);
    } finally {
      await ledger.close();
    }
  });
});
