/** The Ledger contract's cases: at once, and at the end: concurrent submits, conflicting changes, close. */
import { expect } from 'chai';
import { CommitError, RejectedError, type SubmitResult } from '@anxin/network';
import { decodeBlock, type DecodedBlock } from '@anxin/network/blocks';
import type { AnchorRecord } from '@anxin/schemas';
import { anchorSpec, sign, statements } from '../../helpers/statements';
import { json, anchorNew, statusJws, collect, failsClosed, settle, note, type Case } from './port';

export const CONCURRENCY_CASES: Case[] = [
  {
    title: 'concurrent submits: each result names the block and the index at which that block holds its transaction',
    async run({ t }) {
      const specs = Array.from({ length: 12 }, () => anchorSpec(t.issuer.key));
      const jwss = await Promise.all(specs.map((s) => sign(statements.anchor(t.issuer.id, s), t.issuer.key)));
      const results = await Promise.all(jwss.map((j) => t.ledger.submit('anchor', [j])));
      expect(new Set(results.map((r) => r.txId)).size).to.equal(results.length);
      const blocks = new Map<number, DecodedBlock>();
      for (const n of new Set(results.map((r) => r.block))) {
        const [b] = await collect(t.ledger.blocks(n, { follow: false }));
        blocks.set(n, decodeBlock(b!.bytes));
      }
      for (const r of results) {
        const tx = blocks.get(r.block)!.transactions[r.txIndex];
        expect(tx?.txId, `tx ${r.txId} at block ${r.block} index ${r.txIndex}`).to.equal(r.txId);
        expect(tx!.validationCode).to.equal(0);
      }
      const shared = [...blocks.values()].some((b) => b.transactions.length > 1);
      expect(shared, 'concurrent submits share a block').to.equal(true);
    },
  },
  {
    title:
      'two status changes of one credential at once: one commits, the other conflicts (MVCC) or is refused by the contract',
    async run({ t }) {
      const a = await anchorNew(t.ledger, t.issuer);
      const from = (await t.ledger.info()).height;
      const [suspend, revoke] = await Promise.all([
        statusJws(t.issuer, 'suspend', a.spec.id),
        statusJws(t.issuer, 'revoke', a.spec.id),
      ]);
      const [s, r] = await settle([t.ledger.submit('suspend', [suspend]), t.ledger.submit('revoke', [revoke])]);
      note(t.ledger, 'suspend ∥ revoke', [s!, r!]);
      const valid = [s, r]
        .filter((x): x is PromiseFulfilledResult<SubmitResult> => x.status === 'fulfilled')
        .map((x) => x.value);
      expect(valid.length, 'at least one of them commits').to.be.at.least(1);
      for (const x of [s, r]) {
        if (x.status === 'fulfilled') continue;
        const e = x.reason as unknown;
        // Acceptable losers: invalidated at commit (no retry, or retries used up), or —
        // after a retry re-simulated against the winner's state — refused by the contract
        // (suspend after revoke). Never anything else.
        const ok =
          (e instanceof CommitError && e.code === 'MVCC_READ_CONFLICT') ||
          (e instanceof RejectedError && e.reason === 'INVALID_TRANSITION');
        expect(ok, `unexpected outcome: ${String(e)}`).to.equal(true);
      }
      // Only "suspend then revoke" lets both commit.
      if (valid.length === 2)
        expect(
          s.status === 'fulfilled' &&
            r.status === 'fulfilled' &&
            (s.value.block < r.value.block || (s.value.block === r.value.block && s.value.txIndex < r.value.txIndex)),
        ).to.equal(true);
      const last = [...valid].sort((x, y) => x.block - y.block || x.txIndex - y.txIndex).pop()!;
      const state = json<AnchorRecord>(await t.ledger.evaluate('getAnchor', [a.spec.id]));
      expect(state.status).to.equal(json<AnchorRecord>(last.result).status);
      const events = (await collect(t.ledger.events(from, { follow: false }))).filter(
        (e) => json<{ id: string }>(e.payload).id === a.spec.id,
      );
      expect(events.map((e) => e.txId).sort()).to.deep.equal(
        valid.map((v) => v.txId).sort(),
        'events of valid transactions only',
      );
      const history = json<unknown[]>(await t.ledger.evaluate('getAnchorHistory', [a.spec.id]));
      expect(history).to.have.length(1 + valid.length);
    },
  },
  {
    title:
      'the same statement submitted twice at once is applied once: the other is invalidated (MVCC) or refused STATEMENT_REPLAYED',
    async run({ t }) {
      const a = await anchorNew(t.ledger, t.issuer);
      const from = (await t.ledger.info()).height;
      const jws = await statusJws(t.issuer, 'suspend', a.spec.id);
      const outcomes = await settle([t.ledger.submit('suspend', [jws]), t.ledger.submit('suspend', [jws])]);
      note(t.ledger, 'same suspend twice', outcomes);
      const valid = outcomes.filter((x): x is PromiseFulfilledResult<SubmitResult> => x.status === 'fulfilled');
      expect(valid, 'exactly one applies it').to.have.length(1);
      const loser = outcomes.find((x) => x.status === 'rejected')!.reason as unknown;
      const ok =
        (loser instanceof CommitError && loser.code === 'MVCC_READ_CONFLICT') ||
        (loser instanceof RejectedError &&
          (loser.reason === 'STATEMENT_REPLAYED' || loser.reason === 'INVALID_TRANSITION'));
      expect(ok, `unexpected outcome: ${String(loser)}`).to.equal(true);
      const events = (await collect(t.ledger.events(from, { follow: false }))).filter(
        (e) => json<{ id: string }>(e.payload).id === a.spec.id,
      );
      expect(events.map((e) => e.txId)).to.deep.equal([valid[0]!.value.txId]);
      expect(json<AnchorRecord>(await t.ledger.evaluate('getAnchor', [a.spec.id])).status).to.equal('suspended');
    },
  },
  {
    title:
      'close: a submit already in flight still completes; afterwards submit and evaluate fail with CLOSED or UNAVAILABLE',
    async run({ t }) {
      const spec = anchorSpec(t.issuer.key);
      const jws = await sign(statements.anchor(t.issuer.id, spec), t.issuer.key);
      const inflight = t.ledger.submit('anchor', [jws]);
      await t.ledger.close();
      expect((await inflight).code).to.equal('VALID');
      await t.ledger.close(); // twice is fine
      await failsClosed('submit', () => t.ledger.submit('anchor', [jws]));
      await failsClosed('evaluate', () => t.ledger.evaluate('getAnchor', [spec.id]));
    },
  },
  {
    title: 'close: afterwards info, blocks and events fail with CLOSED or UNAVAILABLE too',
    async run({ t }) {
      await t.ledger.close();
      await failsClosed('info', () => t.ledger.info());
      await failsClosed('blocks', () => collect(t.ledger.blocks(0, { follow: false })));
      await failsClosed('events', () => collect(t.ledger.events(0, { follow: false })));
      await failsClosed('blocks (following)', () => collect(t.ledger.blocks(0)));
    },
  },
];
