/** The Ledger contract's cases: info, blocks and events: heights, hashes, streams that follow and that stop. */
import { expect } from 'chai';
import { type SubmitResult } from '@anxin/network';
import { decodeBlock, type DecodedBlock } from '@anxin/network/blocks';
import { HEX64, json, anchorNew, statusJws, expectRejected, collect, firstOf, type Case } from './port';

export const STREAMS_CASES: Case[] = [
  {
    title: 'info: the height grows by the block a submit lands in, hashes are hex and chain to the previous head',
    async run({ t }) {
      const i0 = await t.ledger.info();
      expect(i0.height).to.be.at.least(3); // config block, init, registerIssuer at least
      expect(i0.currentBlockHash).to.match(HEX64);
      expect(i0.previousBlockHash).to.match(HEX64);
      const { res } = await anchorNew(t.ledger, t.issuer);
      const i1 = await t.ledger.info();
      expect(res.block).to.equal(i0.height, 'nothing else is submitted meanwhile: the next block');
      expect(i1.height).to.equal(res.block + 1);
      expect(i1.previousBlockHash).to.equal(i0.currentBlockHash);
      const [b] = await collect(t.ledger.blocks(res.block, { follow: false }));
      expect(decodeBlock(b!.bytes).hash.toString('hex')).to.equal(i1.currentBlockHash);
    },
  },
  {
    title: 'blocks(0): Fabric protobuf blocks, block 0 a CONFIG block, numbers consecutive, header hashes chained',
    async run({ t }) {
      const { res } = await anchorNew(t.ledger, t.issuer);
      const info = await t.ledger.info();
      const raw = await collect(t.ledger.blocks(0, { follow: false }));
      expect(raw.map((b) => b.number)).to.deep.equal([...Array(info.height).keys()]);
      const decoded: DecodedBlock[] = raw.map((b) => decodeBlock(b.bytes));
      decoded.forEach((d, i) => expect(d.number).to.equal(i));
      expect(decoded[0]!.transactions).to.have.length(1);
      expect(decoded[0]!.transactions[0]!.type).to.equal('CONFIG');
      expect(decoded[0]!.transactions[0]!.config, 'block 0 carries the channel config').to.not.equal(undefined);
      expect(decoded[0]!.previousHash.length).to.equal(0);
      for (let i = 1; i < decoded.length; i++) {
        expect(decoded[i]!.previousHash.equals(decoded[i - 1]!.hash), `block ${i} links to block ${i - 1}`).to.equal(
          true,
        );
        expect(decoded[i]!.txFilter.length).to.equal(decoded[i]!.transactions.length);
        expect(decoded[i]!.signatures.signatures.length, `block ${i} is signed by the orderer`).to.be.at.least(1);
      }
      expect(decoded[decoded.length - 1]!.hash.toString('hex')).to.equal(info.currentBlockHash);
      const tx = decoded[res.block]!.transactions[res.txIndex]!;
      expect(tx.txId).to.equal(res.txId);
      expect(tx.validationCode).to.equal(0);
      expect(tx.type).to.equal('ENDORSER_TRANSACTION');
      expect(tx.actions[0]!.event?.name).to.equal('AnchorCreated');
      expect(tx.actions[0]!.endorsements.length).to.be.at.least(1);
      // from a later block on, too
      const tail = await collect(t.ledger.blocks(res.block, { follow: false }));
      expect(tail.map((b) => b.number)).to.deep.equal(
        [...Array(info.height - res.block).keys()].map((i) => i + res.block),
      );
    },
  },
  {
    title: 'events: one per change, in commit order, with the block, tx id and index of its submit',
    async run({ t }) {
      const from = (await t.ledger.info()).height;
      const a = await anchorNew(t.ledger, t.issuer);
      const changes: SubmitResult[] = [a.res];
      for (const kind of ['suspend', 'reinstate', 'revoke'] as const) {
        changes.push(await t.ledger.submit(kind, [await statusJws(t.issuer, kind, a.spec.id)]));
      }
      const events = await collect(t.ledger.events(from, { follow: false }));
      expect(events.map((e) => e.name)).to.deep.equal([
        'AnchorCreated',
        'AnchorStatusChanged',
        'AnchorStatusChanged',
        'AnchorStatusChanged',
      ]);
      events.forEach((e, i) => {
        expect({ block: e.block, txId: e.txId, txIndex: e.txIndex }).to.deep.equal({
          block: changes[i]!.block,
          txId: changes[i]!.txId,
          txIndex: changes[i]!.txIndex,
        });
      });
      const payloads = events.map((e) => json<{ id: string; status: string; from?: string }>(e.payload));
      expect(payloads.map((p) => p.id)).to.deep.equal(Array(4).fill(a.spec.id));
      expect(payloads.map((p) => p.status)).to.deep.equal(['active', 'suspended', 'active', 'revoked']);
      expect(payloads.slice(1).map((p) => p.from)).to.deep.equal(['active', 'suspended', 'active']);
      // a refused statement leaves no event
      await expectRejected(
        t.ledger.submit('revoke', [await statusJws(t.issuer, 'revoke', a.spec.id)]),
        'INVALID_TRANSITION',
      );
      expect(await collect(t.ledger.events(from, { follow: false }))).to.have.length(4);
    },
  },
  {
    title: 'follow: streams opened at the head receive the block and the event committed after subscribing',
    async run({ t }) {
      const head = (await t.ledger.info()).height;
      const ac = new AbortController();
      const blocks = firstOf(t.ledger.blocks(head, { signal: ac.signal }), 1, 30_000);
      const events = firstOf(t.ledger.events(head, { signal: ac.signal }), 1, 30_000);
      await new Promise((r) => setTimeout(r, 300)); // both streams are waiting now
      const { res } = await anchorNew(t.ledger, t.issuer);
      try {
        const [b] = await blocks;
        const [e] = await events;
        expect(b!.number).to.equal(res.block);
        expect(decodeBlock(b!.bytes).transactions.map((x) => x.txId)).to.include(res.txId);
        expect(e).to.include({ block: res.block, txId: res.txId, txIndex: res.txIndex, name: 'AnchorCreated' });
      } finally {
        ac.abort();
      }
    },
  },
  {
    title: 'an abort signal ends a waiting stream quietly; an already-aborted signal yields nothing',
    async run({ t }) {
      const head = (await t.ledger.info()).height;
      const streams: Array<(s: AbortSignal) => AsyncIterable<unknown>> = [
        (s: AbortSignal) => t.ledger.blocks(head, { signal: s }),
        (s: AbortSignal) => t.ledger.events(head, { signal: s }),
      ];
      for (const open of streams) {
        const ac = new AbortController();
        const seen: unknown[] = [];
        const done = (async () => {
          for await (const x of open(ac.signal)) seen.push(x);
        })();
        await new Promise((r) => setTimeout(r, 200));
        const t0 = Date.now();
        ac.abort();
        await done; // ends, without throwing
        expect(Date.now() - t0).to.be.below(5_000);
        expect(seen).to.deep.equal([]);
        const pre = new AbortController();
        pre.abort();
        expect(await collect(open(pre.signal))).to.deep.equal([]);
      }
      // and from 0, an aborted stream stops mid-way
      const ac = new AbortController();
      let n = 0;
      for await (const _ of t.ledger.blocks(0, { signal: ac.signal })) {
        if (++n === 2) ac.abort();
      }
      expect(n).to.equal(2);
    },
  },
];
