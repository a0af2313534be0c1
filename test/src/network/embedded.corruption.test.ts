/**
 * Damaged block files. A torn tail — what a crash in the middle of an append leaves —
 * is cut off on open and the ledger stays consistent. Damage anywhere else (a flipped
 * byte in the middle of the file) makes open fail loudly, never silently serve or drop
 * data.
 */
import { appendFileSync, readFileSync, readdirSync, rmSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import { describe, it } from 'mocha';
import { EmbeddedLedger } from '@anxin/network/embedded';
import type { AnchorRecord } from '@anxin/schemas';
import {
  allBlocks,
  anchorCredential,
  auditChain,
  expectRejected,
  json,
  openLedger,
  registerIssuer,
  type TestIssuer,
} from '../helpers';

const CHAIN = join('chains', 'anxin');

interface Frame {
  /** Offset of the varint length prefix. */
  start: number;
  /** Offset of the block bytes, and their length. */
  offset: number;
  length: number;
}

/** Fabric's block file framing: protobuf varint length, then the block. */
function frames(file: string): Frame[] {
  const buf = readFileSync(file);
  const out: Frame[] = [];
  for (let at = 0; at < buf.length;) {
    let len = 0;
    let mult = 1;
    let i = at;
    for (;;) {
      const b = buf[i++]!;
      len += (b & 0x7f) * mult;
      mult *= 128;
      if (!(b & 0x80)) break;
    }
    out.push({ start: at, offset: i, length: len });
    at = i + len;
  }
  return out;
}

function blockFile(dir: string): string {
  const files = readdirSync(join(dir, CHAIN))
    .filter((f) => /^blockfile_\d{6}$/.test(f))
    .sort();
  expect(files, 'one block file').to.have.length(1);
  return join(dir, CHAIN, files[0]!);
}

/** A ledger with a few blocks of anchors, closed. Returns the anchors by block. */
async function ledgerWithBlocks(): Promise<{
  dir: string;
  issuer: TestIssuer;
  anchors: Array<{ id: string; txId: string; block: number }>;
  height: number;
}> {
  const { ledger, dir, registrar } = await openLedger();
  const issuer = await registerIssuer(ledger, registrar);
  const anchors: Array<{ id: string; txId: string; block: number }> = [];
  for (let i = 0; i < 6; i++) {
    const a = await anchorCredential(ledger, issuer);
    anchors.push({ id: a.spec.id, txId: a.res.txId, block: a.res.block });
  }
  const height = ledger.height;
  await ledger.close();
  return { dir, issuer, anchors, height };
}

async function openFails(dir: string): Promise<unknown> {
  let ledger: EmbeddedLedger | undefined;
  try {
    ledger = await EmbeddedLedger.open(dir, { batch: { timeoutMs: 5 } });
  } catch (e) {
    return e;
  } finally {
    await ledger?.close();
  }
  return undefined;
}

describe('embedded ledger: damaged block files', () => {
  it('a torn append after the last block (crash mid-write) is cut off; nothing committed is lost', async () => {
    const { dir, issuer, anchors, height } = await ledgerWithBlocks();
    const file = blockFile(dir);
    const size = statSync(file).size;
    const last = frames(file).at(-1)!;
    const lastBytes = readFileSync(file).subarray(last.start, last.offset + last.length);
    // A new frame of the same size, cut after its first half.
    appendFileSync(file, lastBytes.subarray(0, Math.floor(lastBytes.length / 2)));
    const ledger = await EmbeddedLedger.open(dir, { batch: { timeoutMs: 5 } });
    try {
      expect(ledger.height).to.equal(height);
      expect(statSync(file).size, 'the torn tail was cut').to.equal(size);
      for (const a of anchors) expect(ledger.transaction(a.txId)?.code).to.equal('VALID');
      const next = await anchorCredential(ledger, issuer);
      expect(next.res.block).to.equal(height);
      expect(auditChain(await allBlocks(ledger)).problems).to.deep.equal([]);
    } finally {
      await ledger.close();
    }
  });

  it('a torn length prefix alone at the end is cut off too', async () => {
    const { dir, height } = await ledgerWithBlocks();
    const file = blockFile(dir);
    const size = statSync(file).size;
    appendFileSync(file, Buffer.from([0xe8])); // a varint that promises more bytes
    const ledger = await EmbeddedLedger.open(dir);
    try {
      expect(ledger.height).to.equal(height);
      expect(statSync(file).size).to.equal(size);
    } finally {
      await ledger.close();
    }
  });

  describe('the last block truncated by a few bytes', () => {
    it('with the databases to be rebuilt: the block is cut off, its transactions and their writes are gone, the rest is intact', async () => {
      const { dir, issuer, anchors, height } = await ledgerWithBlocks();
      const file = blockFile(dir);
      truncateSync(file, statSync(file).size - 5);
      rmSync(join(dir, 'index'), { recursive: true, force: true });
      const ledger = await EmbeddedLedger.open(dir, { batch: { timeoutMs: 5 } });
      try {
        expect(ledger.height).to.equal(height - 1);
        const lost = anchors.filter((a) => a.block === height - 1);
        expect(lost.length).to.be.at.least(1);
        for (const a of anchors) {
          if (a.block === height - 1) {
            expect(ledger.transaction(a.txId)).to.equal(undefined);
            await expectRejected(ledger.evaluate('getAnchor', [a.id]), 'ANCHOR_NOT_FOUND');
          } else {
            expect(json<AnchorRecord>(await ledger.evaluate('getAnchor', [a.id])).txId).to.equal(a.txId);
          }
        }
        expect(auditChain(await allBlocks(ledger)).problems).to.deep.equal([]);
        expect((await anchorCredential(ledger, issuer)).res.block).to.equal(height - 1);
      } finally {
        await ledger.close();
      }
    });

    it('with the databases intact (they already hold the block): open cuts the block and stays consistent, or refuses loudly', async () => {
      const { dir, issuer, anchors, height } = await ledgerWithBlocks();
      const file = blockFile(dir);
      truncateSync(file, statSync(file).size - 5);
      let ledger: EmbeddedLedger | undefined;
      let err: unknown;
      try {
        ledger = await EmbeddedLedger.open(dir, { batch: { timeoutMs: 5 } });
      } catch (e) {
        err = e;
      }
      if (!ledger) {
        expect(err, 'refused loudly').to.have.property('code', 'UNAVAILABLE');
        return;
      }
      try {
        // If it opens, it must be consistent with what the files now hold.
        expect(ledger.height).to.equal(height - 1);
        for (const a of anchors.filter((x) => x.block === height - 1)) {
          expect(ledger.transaction(a.txId)).to.equal(undefined);
          await expectRejected(ledger.evaluate('getAnchor', [a.id]), 'ANCHOR_NOT_FOUND');
        }
        expect(auditChain(await allBlocks(ledger)).problems).to.deep.equal([]);
        expect((await anchorCredential(ledger, issuer)).res.block).to.equal(height - 1);
      } finally {
        await ledger.close();
      }
    });
  });

  describe('a flipped byte in the middle of the block file', () => {
    /** Flip one bit in the middle of block `n`'s bytes. */
    function flipInBlock(dir: string, n: number): void {
      const file = blockFile(dir);
      const f = frames(file)[n]!;
      const buf = readFileSync(file);
      buf[f.offset + Math.floor(f.length / 2)]! ^= 0x04;
      writeFileSync(file, buf);
    }

    it('with the databases intact: the damaged block is never served — reading it fails loudly', async () => {
      // Open checks the newest block only (a full check of every block is `anxin replay`);
      // every block is checked against its data hash and the index as it is read.
      const { dir, height } = await ledgerWithBlocks();
      const n = Math.floor(height / 2);
      flipInBlock(dir, n);
      const ledger = await EmbeddedLedger.open(dir);
      try {
        expect(() => ledger.block(n))
          .to.throw()
          .with.property('code', 'UNAVAILABLE');
        let streamed: unknown;
        try {
          for await (const b of ledger.blocks(0, { follow: false })) void b;
        } catch (e) {
          streamed = e;
        }
        expect(streamed, 'a stream over the damaged block fails').to.have.property('code', 'UNAVAILABLE');
        expect(() => ledger.block(n - 1), 'its neighbours still read').to.not.throw();
      } finally {
        await ledger.close();
      }
    });

    it('with the databases to be rebuilt: open fails loudly (no silent truncation of later blocks)', async () => {
      const { dir, height } = await ledgerWithBlocks();
      const file = blockFile(dir);
      const size = statSync(file).size;
      flipInBlock(dir, Math.floor(height / 2));
      rmSync(join(dir, 'index'), { recursive: true, force: true });
      const err = await openFails(dir);
      expect(statSync(file).size, 'acknowledged blocks after the damage were not thrown away').to.equal(size);
      expect(err, 'open must not silently accept a damaged block file').to.have.property('code', 'UNAVAILABLE');
    });

    it('a middle block that no longer parses (databases to be rebuilt): open fails loudly and keeps the blocks after it', async () => {
      const { dir, height, anchors } = await ledgerWithBlocks();
      const file = blockFile(dir);
      const size = statSync(file).size;
      const n = Math.floor(height / 2);
      const f = frames(file)[n]!;
      const buf = readFileSync(file);
      buf[f.offset] = 0xff; // the block's first tag: field 31, wire type 7 (no such wire type)
      writeFileSync(file, buf);
      rmSync(join(dir, 'index'), { recursive: true, force: true });
      let ledger: EmbeddedLedger | undefined;
      let err: unknown;
      try {
        ledger = await EmbeddedLedger.open(dir);
      } catch (e) {
        err = e;
      }
      const heightAfter = ledger?.height;
      const lostAcks = ledger ? anchors.filter((a) => !ledger!.transaction(a.txId)).length : 0;
      await ledger?.close();
      expect(
        statSync(file).size,
        `blocks ${n}…${height - 1} were cut off (height now ${heightAfter}, ${lostAcks} acknowledged anchors gone)`,
      ).to.equal(size);
      expect(err).to.have.property('code', 'UNAVAILABLE');
    });

    it('in the middle of the file as a whole (wherever that falls): open fails loudly', async () => {
      const { dir } = await ledgerWithBlocks();
      const file = blockFile(dir);
      const buf = readFileSync(file);
      buf[Math.floor(buf.length / 2)]! ^= 0x01;
      writeFileSync(file, buf);
      rmSync(join(dir, 'index'), { recursive: true, force: true });
      expect(await openFails(dir)).to.have.property('code', 'UNAVAILABLE');
    });
  });

  describe('a flipped byte in block 0 (the genesis block, which names the network)', () => {
    /** Flip one bit of block 0 at `at` (an offset into its bytes; negative from its end). */
    function flipInGenesis(dir: string, at: number): void {
      const file = blockFile(dir);
      const f = frames(file)[0]!;
      const buf = readFileSync(file);
      buf[f.offset + (at < 0 ? f.length + at : at)]! ^= 0x10;
      writeFileSync(file, buf);
    }

    for (const [where, at] of [
      ['its header', 6],
      ['its data (the channel configuration)', 0.5],
      ['its metadata (which no hash covers)', -24],
    ] as const) {
      it(`in ${where}: the ledger does not open, saying block 0 is not the one it was created with`, async () => {
        const { dir } = await ledgerWithBlocks();
        const f = frames(blockFile(dir))[0]!;
        flipInGenesis(dir, at > 0 && at < 1 ? Math.floor(f.length * at) : at);
        const err = await openFails(dir);
        expect(err, 'open must refuse a changed genesis block').to.have.property('code', 'UNAVAILABLE');
      });
    }
  });
});
