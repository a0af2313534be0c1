/**
 * anxin replay follows the COMMIT_HASH chain a Fabric peer writes (and the embedded ledger
 * writes as one): every link of a real 2.5.12 peer's export and of an embedded ledger
 * recomputed; a hash altered or removed is one finding at that block; a ledger from before
 * commit hashes (none on any block) passes with none verified.
 */
import { join } from 'node:path';
import { expect } from 'chai';
import { before, describe, it } from 'mocha';
import { common } from '@hyperledger/fabric-protos';
import { MetadataIndex } from '@anxin/network';
import { dataDirSource, replay, type ReplayResult } from '@anxin/cli';
import { anxin, auditLedger, copyLedger, expectExit, readFrames, writeFrames, type AuditLedger } from './fixture';

const FIXTURE = join(__dirname, '..', '..', 'src', 'network', 'fixtures', 'fabric-2.5.12.anxblocks');

/** The block with its COMMIT_HASH slot replaced by `slot`. */
function withCommitHashSlot(frame: Uint8Array, slot: (current: Uint8Array) => Uint8Array): Uint8Array {
  const b = common.Block.deserializeBinary(frame);
  const meta = b.getMetadata()!.getMetadataList_asU8().slice();
  meta[MetadataIndex.COMMIT_HASH] = slot(meta[MetadataIndex.COMMIT_HASH]!);
  b.getMetadata()!.setMetadataList(meta);
  return b.serializeBinary();
}

const kinds = (r: ReplayResult) => r.findings.map((f) => `${f.kind}@${f.block}`);

describe('cli: anxin replay checks the COMMIT_HASH chain', function () {
  this.timeout(120_000);
  let L: AuditLedger;

  before(async () => {
    L = await auditLedger();
  });

  it('a Fabric 2.5.12 peer’s blocks: every link recomputed, exit 0', async () => {
    const r = await anxin(['replay', '--file', FIXTURE, '--json', '--workers', '1']);
    expectExit(r, 0);
    expect(r.json.summary.commitHashesVerified).to.equal(11);
  });

  it('the embedded ledger: every block after 0 verified', async () => {
    const r = await replay(dataDirSource(L.dir), { workers: 0 });
    expect(r.findings).to.deep.equal([]);
    expect(r.summary.commitHashesVerified).to.equal(L.height - 1);
  });

  it('one flipped byte in a COMMIT_HASH: one finding, at that block; the chain resumes after it', async () => {
    const dir = copyLedger(L.dir, 'commit-hash-flip');
    const frames = readFrames(dir);
    const n = 3;
    frames[n] = withCommitHashSlot(frames[n]!, (s) => {
      const x = Uint8Array.from(s);
      x[x.length - 1]! ^= 0x01;
      return x;
    });
    writeFrames(dir, frames);
    const r = await replay(dataDirSource(dir), { workers: 0 });
    expect(r.ok).to.equal(false);
    expect(kinds(r)).to.deep.equal([`commitHash@${n}`]);
    expect(r.summary.commitHashesVerified).to.equal(L.height - 2);
  });

  it('a COMMIT_HASH removed from one block: a finding at that block', async () => {
    const dir = copyLedger(L.dir, 'commit-hash-cut');
    const frames = readFrames(dir);
    const n = 4;
    frames[n] = withCommitHashSlot(frames[n]!, () => new Uint8Array(0));
    writeFrames(dir, frames);
    const r = await replay(dataDirSource(dir), { workers: 0 });
    expect(kinds(r)).to.deep.equal([`commitHash@${n}`]);
  });

  it('a state update changed with its commit hash left as it was is caught by the chain too', async () => {
    // The validation code of a valid transaction set to invalid: its writes leave the update
    // batch, so the recorded hash no longer chains (besides the revalidation's own finding).
    const dir = copyLedger(L.dir, 'commit-hash-filter');
    const frames = readFrames(dir);
    const { block, tx } = L.statusChanges[0]!;
    const b = common.Block.deserializeBinary(frames[block]!);
    const meta = b.getMetadata()!.getMetadataList_asU8().slice();
    const filter = Uint8Array.from(meta[MetadataIndex.TRANSACTIONS_FILTER]!);
    filter[tx] = 11; // MVCC_READ_CONFLICT
    meta[MetadataIndex.TRANSACTIONS_FILTER] = filter;
    b.getMetadata()!.setMetadataList(meta);
    frames[block] = b.serializeBinary();
    writeFrames(dir, frames);
    const r = await replay(dataDirSource(dir), { workers: 0 });
    expect(kinds(r)).to.include(`commitHash@${block}`);
  });

  it('a ledger from before commit hashes (none on any block): no finding, none verified', async () => {
    const dir = copyLedger(L.dir, 'commit-hash-none');
    writeFrames(
      dir,
      readFrames(dir).map((f) => withCommitHashSlot(f, () => new Uint8Array(0))),
    );
    const r = await replay(dataDirSource(dir), { workers: 0 });
    expect(r.findings).to.deep.equal([]);
    expect(r.summary.commitHashesVerified).to.equal(0);
  });
});
