/**
 * A disk that fills up for a moment while the ledger runs, and is freed without a restart:
 * a block that cannot be written whole, or whose state cannot be committed, is cut off the
 * block files again and nothing of it becomes visible; the ledger goes on where it was once
 * space returns, its chain intact, and reopens the same. Should even the cut fail, it refuses
 * every commit (INCONSISTENT) until it has repaired itself.
 *
 * Runs on a small tmpfs (needs root to mount; skipped, by name, where it cannot).
 */
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import { after, afterEach, before, describe, it } from 'mocha';
import { LedgerError } from '@anxin/network';
import { EmbeddedLedger } from '@anxin/network/embedded';
import type { AnchorRecord } from '@anxin/schemas';
import {
  PAGE,
  SmallDisk,
  allBlocks,
  anchorSpec,
  auditChain,
  expectRejected,
  json,
  openLedger,
  registerIssuer,
  sign,
  statements,
  type OpenedLedger,
  type TestIssuer,
} from '../helpers';

const CHAIN = join('chains', 'anxin');

function blockFile(dir: string): string {
  const files = readdirSync(join(dir, CHAIN))
    .filter((f) => /^blockfile_\d{6}$/.test(f))
    .sort();
  return join(dir, CHAIN, files.at(-1)!);
}

async function failure(p: Promise<unknown>): Promise<LedgerError> {
  try {
    await p;
  } catch (e) {
    expect(e, String(e)).to.be.instanceOf(LedgerError);
    return e as LedgerError;
  }
  throw new Error('expected the submit to fail');
}

describe('embedded ledger: a disk that fills up and is freed (tmpfs; needs root to mount)', function () {
  this.timeout(120_000);
  let disk: SmallDisk;
  let n = 0;

  before(function () {
    const mounted = SmallDisk.mount(16);
    if (typeof mounted === 'string') {
      console.warn(`    skipped: ${mounted}`);
      this.skip();
    }
    disk = mounted as SmallDisk;
  });
  afterEach(() => disk?.release());
  after(() => {
    disk?.release();
    disk?.unmount();
  });

  /** A ledger on the small disk with an issuer and three anchors. */
  async function ledgerOnDisk(): Promise<OpenedLedger & { issuer: TestIssuer }> {
    const opened = await openLedger({ dir: join(disk.dir, `ledger-${n++}`), endorsers: 0 });
    const issuer = await registerIssuer(opened.ledger, opened.registrar);
    for (let i = 0; i < 3; i++) {
      const spec = anchorSpec(issuer.key, { type: issuer.spec.allowedTypes[0]! });
      await opened.ledger.submit('anchor', [await sign(statements.anchor(issuer.id, spec), issuer.key)]);
    }
    return { ...opened, issuer };
  }

  async function anchorStatement(issuer: TestIssuer): Promise<{ id: string; jws: string }> {
    const spec = anchorSpec(issuer.key, { type: issuer.spec.allowedTypes[0]! });
    return { id: spec.id, jws: await sign(statements.anchor(issuer.id, spec), issuer.key) };
  }

  /** After the disk is freed: the failed statement anchors now, once, where the chain goes on; reopening agrees. */
  async function goesOn(o: OpenedLedger, st: { id: string; jws: string }, height: number): Promise<void> {
    disk.release();
    const res = await o.ledger.submit('anchor', [st.jws]);
    expect(res.block, 'the next block is the one that failed').to.equal(height);
    expect(json<AnchorRecord>(await o.ledger.evaluate('getAnchor', [st.id])).txId).to.equal(res.txId);
    const audit = auditChain(await allBlocks(o.ledger));
    expect(audit.problems).to.deep.equal([]);
    expect(audit.height).to.equal(height + 1);
    await o.ledger.close();
    const again = await EmbeddedLedger.open(o.dir, { endorsers: 0 });
    try {
      expect(again.height).to.equal(height + 1);
      expect(again.transaction(res.txId)?.code).to.equal('VALID');
      expect(auditChain(await allBlocks(again)).problems).to.deep.equal([]);
    } finally {
      await again.close();
    }
  }

  /** How much of the small disk to leave free (pages), given the last block file's size and the ledger. */
  type Room = (size: number, o: OpenedLedger) => Promise<number>;

  /** Room for the next block (a little more than the last one took) but not for its state. */
  const blockButNoState: Room = async (size, o) => {
    const last = (await allBlocks(o.ledger)).at(-1)!.length + 64;
    return Math.ceil((size + last) / PAGE) - Math.ceil(size / PAGE);
  };
  /**
   * A ledger on the small disk, its last block file (and that file's size), its height and a
   * statement not yet submitted; the disk then filled to leave only `room`.
   */
  async function filledUp(room: Room) {
    const o = await ledgerOnDisk();
    const file = blockFile(o.dir);
    const size = statSync(file).size;
    const height = o.ledger.height;
    const st = await anchorStatement(o.issuer);
    disk.fill(await room(size, o));
    return { o, file, size, height, st };
  }

  const cases: Array<{ title: string; room: Room }> = [
    {
      title: 'a block the full disk cuts short is cut off: no partial block stays, nothing of it is visible',
      // Only the unused end of each file's last page is left: a block is written in part, then no more.
      room: () => Promise.resolve(0),
    },
    {
      title: 'a block written whose state cannot be committed is cut off again; its writes never show',
      room: blockButNoState,
    },
  ];
  for (const { title, room } of cases)
    it(title, async () => {
      const { o, file, size, height, st } = await filledUp(room);
      await expectRejected(o.ledger.evaluate('getAnchor', [st.id]), 'ANCHOR_NOT_FOUND');
      const e = await failure(o.ledger.submit('anchor', [st.jws]));
      expect(e.code).to.equal('UNAVAILABLE');
      expect(statSync(file).size, 'the block was cut off').to.equal(size);
      expect(o.ledger.height).to.equal(height);
      // Not in the state, nor in the cache in front of it.
      await expectRejected(o.ledger.evaluate('getAnchor', [st.id]), 'ANCHOR_NOT_FOUND');
      await goesOn(o, st, height);
    });

  it('when the block cannot even be cut off, every commit is refused (INCONSISTENT) until space returns; then it is repaired', async () => {
    const { o, file, size, height, st } = await filledUp(blockButNoState);
    // The cut fails (as on a disk that fails outright): the block stays in the file, unindexed.
    const writer = (o.ledger as unknown as { writer: { dropLast(): Promise<void> } }).writer;
    const dropLast = writer.dropLast.bind(writer);
    writer.dropLast = () => Promise.reject(new Error('EIO: i/o error, ftruncate'));
    const e = await failure(o.ledger.submit('anchor', [st.jws]));
    writer.dropLast = dropLast;
    expect(e.code).to.equal('INCONSISTENT');
    expect(statSync(file).size).to.be.greaterThan(size);
    const other = await anchorStatement(o.issuer);
    expect((await failure(o.ledger.submit('anchor', [other.jws]))).code, 'refused while the disk is full').to.equal(
      'INCONSISTENT',
    );
    expect(o.ledger.height).to.equal(height);
    await expectRejected(o.ledger.evaluate('getAnchor', [st.id]), 'ANCHOR_NOT_FOUND');

    disk.release();
    // The repair applies the block the files hold (as reopening would): its anchor is committed after all.
    const res = await o.ledger.submit('anchor', [other.jws]);
    expect(res.block).to.equal(height + 1);
    expect(json<AnchorRecord>(await o.ledger.evaluate('getAnchor', [st.id]))).to.include({ id: st.id });
    await expectRejected(o.ledger.submit('anchor', [st.jws]), 'STATEMENT_REPLAYED');
    expect(auditChain(await allBlocks(o.ledger)).problems).to.deep.equal([]);
    await o.ledger.close();
    const again = await EmbeddedLedger.open(o.dir, { endorsers: 0 });
    try {
      expect(again.height).to.equal(height + 2);
    } finally {
      await again.close();
    }
  });
});
