/**
 * The CLI's and the block decoder's errors carry stable codes: a caller branches on the
 * code, never on the message, whatever the wording becomes.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import { before, describe, it } from 'mocha';
import { BlockDecodeError, LedgerError, decodeBlock } from '@anxin/network';
import {
  CliError,
  EXIT,
  EXPORT_MAGIC,
  ReplayUsageError,
  SourceError,
  SourceOpenError,
  asCliError,
  dataDirSource,
  fileSource,
  replay,
} from '@anxin/cli';
import { tempDir } from '../helpers';
import { auditLedger, blockFile, copyLedger, readFrames, type AuditLedger } from './fixture';

/** What `f` threw (or rejected with). */
async function thrown(f: () => unknown): Promise<unknown> {
  try {
    await f();
  } catch (e) {
    return e;
  }
  throw new Error('expected a failure, but it succeeded');
}

/** Drain a source's blocks. */
async function readAll(source: ReturnType<typeof dataDirSource>): Promise<void> {
  for await (const b of source.blocks(0)) void b;
}

describe('errors carry stable codes: sources, replay, block decoding, the CLI', () => {
  let L: AuditLedger;
  before(async function () {
    this.timeout(180_000);
    L = await auditLedger();
  });

  it('a source that cannot be opened: SourceOpenError NOT_FOUND, NOT_A_LEDGER, NOT_AN_EXPORT, EXPORT_HEADER_INVALID', async () => {
    const dir = tempDir('codes');
    const cases: Array<[() => unknown, string]> = [
      [() => dataDirSource(join(dir, 'absent')), 'NOT_FOUND'],
      [() => dataDirSource(dir), 'NOT_A_LEDGER'],
      [() => fileSource(join(dir, 'absent.anxblocks')), 'NOT_FOUND'],
    ];
    writeFileSync(join(dir, 'text'), 'not an export\n');
    cases.push([() => fileSource(join(dir, 'text')), 'NOT_AN_EXPORT']);
    writeFileSync(join(dir, 'cut'), EXPORT_MAGIC + '{"from":0');
    cases.push([() => fileSource(join(dir, 'cut')), 'EXPORT_HEADER_INVALID']);
    writeFileSync(join(dir, 'notjson'), EXPORT_MAGIC + 'from 0 to 3\n');
    cases.push([() => fileSource(join(dir, 'notjson')), 'EXPORT_HEADER_INVALID']);
    for (const [open, code] of cases) {
      const e = await thrown(open);
      expect(e, String(e)).to.be.instanceOf(SourceOpenError);
      expect((e as SourceOpenError).code, String(e)).to.equal(code);
    }
  });

  it('block files that end before the height the index gives: SourceError BLOCK_FILES_END_EARLY', async () => {
    const copy = copyLedger(L.dir, 'codes-cut');
    const { path, bytes } = blockFile(copy);
    writeFileSync(path, bytes.subarray(0, bytes.length - 10));
    const e = await thrown(() => readAll(dataDirSource(copy)));
    expect(e).to.be.instanceOf(SourceError);
    expect((e as SourceError).code).to.equal('BLOCK_FILES_END_EARLY');
  });

  it('a range with no block of the source: ReplayUsageError EMPTY_RANGE', async () => {
    const e = await thrown(() => replay(dataDirSource(L.dir), { from: L.height + 3 }));
    expect(e).to.be.instanceOf(ReplayUsageError);
    expect((e as ReplayUsageError).code).to.equal('EMPTY_RANGE');
  });

  it('a block that does not decode: BlockDecodeError BLOCK_UNPARSABLE, TRANSACTION_UNPARSABLE with where', () => {
    const e1 = (() => {
      try {
        decodeBlock(Buffer.from('not a block at all'));
      } catch (e) {
        return e;
      }
    })();
    expect(e1).to.be.instanceOf(BlockDecodeError);
    expect((e1 as BlockDecodeError).code).to.equal('BLOCK_UNPARSABLE');
    // Block 1's first envelope with its payload's bytes cut: the block parses, the transaction does not.
    const block = readFrames(L.dir)[1]!;
    const decoded = decodeBlock(block);
    const env = decoded.data[0]!;
    const at = Buffer.from(block).indexOf(Buffer.from(env));
    const damaged = Buffer.from(block);
    damaged.fill(0xff, at + 2, at + 40);
    let e2: unknown;
    try {
      decodeBlock(damaged);
    } catch (e) {
      e2 = e;
    }
    expect(e2, 'the damaged block decodes').to.be.instanceOf(BlockDecodeError);
    expect((e2 as BlockDecodeError).code).to.equal('TRANSACTION_UNPARSABLE');
    expect((e2 as BlockDecodeError).at).to.deep.equal({ block: 1, tx: 0 });
  });

  it('the CLI maps what it meets to its own codes, exit 2', () => {
    const cases: Array<[unknown, string]> = [
      [new SourceOpenError('NOT_FOUND', 'x'), 'SOURCE'],
      [new SourceError('EXPORT_DAMAGED', 'x'), 'SOURCE'],
      [new LedgerError('UNAVAILABLE', 'x'), 'UNREACHABLE'],
      [Object.assign(new Error('x'), { code: 'ENOENT' }), 'INVALID_INPUT'],
      [new Error('x'), 'FAILED'],
    ];
    for (const [e, code] of cases) {
      const c = asCliError(e);
      expect(c).to.be.instanceOf(CliError);
      expect(c.code, String(e)).to.equal(code);
      expect(c.exitCode).to.equal(EXIT.USAGE);
    }
    expect(new CliError('x').code).to.equal('USAGE');
  });
});
