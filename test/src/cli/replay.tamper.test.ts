/**
 * anxin replay on a tampered ledger: every change is caught (exit 1) and located.
 *
 * - one random byte flipped anywhere in the block files: 256 trials in-process (the
 *   replay engine with --workers 0 on a copy of the ledger, the byte restored after each
 *   trial, so each trial sees the ledger with exactly one byte changed), every one
 *   detected at the block holding the byte; a handful through the real CLI too;
 * - a block dropped, two blocks swapped;
 * - a write set altered and every block re-hashed so the chain still links: the
 *   endorsement and creator signatures catch it;
 * - a transaction re-signed by an identity from another CA (same MSP id);
 * - an invalid (MVCC_READ_CONFLICT) transaction marked valid, and a valid one marked invalid.
 */
import { createHash, createPrivateKey } from 'node:crypto';
import { closeSync, openSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import { before, describe, it } from 'mocha';
import { common, msp, peer, ledger as lpb } from '@hyperledger/fabric-protos';
import {
  TxValidationCode,
  blockDataHash,
  blockHeaderHash,
  generateOrg,
  signMessage,
  type OrgSpec,
} from '@anxin/network';
import { CHAIN_DIR, scanBlockFiles } from '@anxin/network/embedded';
import { dataDirSource, replay, type Finding, type ReplayResult } from '@anxin/cli';
import {
  anxin,
  auditLedger,
  blockFile,
  copyLedger,
  expectExit,
  readFrames,
  writeFrames,
  type AuditLedger,
} from './fixture';

/** A small seeded PRNG (mulberry32): the trials are reproducible from the seed printed on failure. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const firstBlock = (r: ReplayResult) => Math.min(...r.findings.map((f) => f.block ?? Number.POSITIVE_INFINITY));
const kinds = (fs: Finding[]) => [...new Set(fs.map((f) => f.kind))];

/** Rebuild a block from its parts, with fresh data_hash and the given previous hash; returns bytes and header hash. */
function rebuild(block: common.Block, previousHash: Uint8Array): { bytes: Uint8Array; hash: Buffer } {
  const data = block.getData()!.getDataList_asU8();
  const h = block.getHeader()!;
  h.setPreviousHash(previousHash);
  h.setDataHash(blockDataHash(data));
  return {
    bytes: block.serializeBinary(),
    hash: blockHeaderHash(h.getNumber(), h.getPreviousHash_asU8(), h.getDataHash_asU8()),
  };
}

/** Re-link every block from `from` on after a change (what an attacker who can write the files does). */
function relink(frames: Uint8Array[], from: number): Uint8Array[] {
  const out = [...frames];
  let prev = blockHeaderHash(
    common.Block.deserializeBinary(out[from - 1]!)
      .getHeader()!
      .getNumber(),
    common.Block.deserializeBinary(out[from - 1]!)
      .getHeader()!
      .getPreviousHash_asU8(),
    common.Block.deserializeBinary(out[from - 1]!)
      .getHeader()!
      .getDataHash_asU8(),
  );
  for (let i = from; i < out.length; i++) {
    const r = rebuild(common.Block.deserializeBinary(out[i]!), prev);
    out[i] = r.bytes;
    prev = r.hash;
  }
  return out;
}

/** Change a transaction's envelope in place (`edit` gets the envelope and returns its new bytes). */
function editEnvelope(frame: Uint8Array, tx: number, edit: (env: common.Envelope) => Uint8Array): Uint8Array {
  const b = common.Block.deserializeBinary(frame);
  const list = b.getData()!.getDataList_asU8().slice();
  list[tx] = edit(common.Envelope.deserializeBinary(list[tx]!));
  b.getData()!.setDataList(list);
  return b.serializeBinary();
}

function setFilter(frame: Uint8Array, tx: number, code: number): Uint8Array {
  const b = common.Block.deserializeBinary(frame);
  const meta = b.getMetadata()!.getMetadataList_asU8().slice();
  const filter = Uint8Array.from(meta[2]!);
  filter[tx] = code;
  meta[2] = filter;
  b.getMetadata()!.setMetadataList(meta);
  return b.serializeBinary();
}

describe('cli: anxin replay catches tampering', function () {
  this.timeout(180_000);
  let L: AuditLedger;

  before(async () => {
    L = await auditLedger();
  });

  /**
   * Flip one byte at each of `trials` offsets picked by `pick`, replaying after each (the byte is
   * restored before the next trial); returns the trials that went unnoticed or were located elsewhere.
   */
  async function flipTrials(
    name: string,
    trials: number,
    seed: number,
    pick: (rand: () => number, size: number) => number,
  ) {
    const dir = copyLedger(L.dir, name);
    const { path, bytes } = blockFile(dir);
    const rand = prng(seed);
    const missed: string[] = [];
    const misplaced: string[] = [];
    const byKind: Record<string, number> = {};
    const fd = openSync(path, 'r+');
    try {
      for (let t = 0; t < trials; t++) {
        const at = pick(rand, bytes.length);
        const was = bytes[at]!;
        const now = was ^ (1 + Math.floor(rand() * 255));
        writeSync(fd, Buffer.from([now]), 0, 1, at);
        try {
          const r = await replay(dataDirSource(dir), { workers: 0 });
          const block = blockOf(at);
          const where = `${name} trial ${t} (seed ${seed}): byte ${at} of block ${block}, 0x${was.toString(16)} → 0x${now.toString(16)}`;
          if (r.ok) missed.push(where);
          else {
            if (firstBlock(r) !== block)
              misplaced.push(`${where}: first finding at block ${firstBlock(r)}: ${r.findings[0]?.detail}`);
            const k = r.findings.find((f) => f.block === block)?.kind ?? r.findings[0]!.kind;
            byKind[k] = (byKind[k] ?? 0) + 1;
          }
        } finally {
          writeSync(fd, Buffer.from([was]), 0, 1, at);
        }
      }
    } finally {
      closeSync(fd);
    }
    if (process.env.ANXIN_TAMPER_REPORT)
      process.stderr.write(
        `      ${name}: ${trials} flips over ${bytes.length} bytes; first finding by kind: ${JSON.stringify(byKind)}\n`,
      );
    // With every byte restored, the copy is the honest ledger again.
    expect((await replay(dataDirSource(dir), { workers: 0 })).ok, 'the restored copy').to.equal(true);
    return { missed, misplaced };
  }

  /** Where each block's frame (length prefix + bytes) ends in the block file, and where its envelopes are. */
  let spans: Array<{ n: number; start: number; end: number; envelopes: Array<[number, number]> }>;
  const blockOf = (o: number) => spans.find((s) => o < s.end)!.n;

  before(() => {
    spans = [...scanBlockFiles(join(L.dir, CHAIN_DIR))].map((b, n) => {
      const block = Buffer.from(b.bytes);
      const envelopes = common.Block.deserializeBinary(block)
        .getData()!
        .getDataList_asU8()
        .map((e): [number, number] => {
          const at = block.indexOf(Buffer.from(e));
          return [b.offset + at, b.offset + at + e.length];
        });
      return { n, start: b.offset, end: b.offset + b.length, envelopes };
    });
  });

  it('one random byte flipped anywhere in the block files: 256 trials, every one detected at the block that holds the byte', async () => {
    const trials = Number(process.env.ANXIN_TAMPER_TRIALS ?? 256);
    const seed = Number(process.env.ANXIN_TAMPER_SEED ?? 20260325);
    const { missed, misplaced } = await flipTrials('flip', trials, seed, (rand, size) => Math.floor(rand() * size));
    expect(missed, 'flips not detected').to.deep.equal([]);
    expect(misplaced, 'flips detected at another block').to.deep.equal([]);
  });

  it('one random byte flipped outside the envelopes (framing, headers, metadata, validation codes): 128 trials, every one detected there', async () => {
    // Envelopes are 90% of the bytes and the data hash guards them; these bytes are guarded by everything else.
    const outside: number[] = [];
    let o = 0;
    for (const s of spans) {
      for (const [a, b] of s.envelopes) {
        for (; o < a; o++) outside.push(o);
        o = b;
      }
      for (; o < s.end; o++) outside.push(o);
    }
    const trials = Number(process.env.ANXIN_TAMPER_TRIALS_OUTSIDE ?? 128);
    const { missed, misplaced } = await flipTrials(
      'flip-outside',
      trials,
      99,
      (rand) => outside[Math.floor(rand() * outside.length)]!,
    );
    expect(missed, 'flips not detected').to.deep.equal([]);
    expect(misplaced, 'flips detected at another block').to.deep.equal([]);
  });

  it('through the real CLI, a few flips: exit 1, the block named on stdout', async () => {
    const rand = prng(7);
    for (let t = 0; t < 4; t++) {
      const dir = copyLedger(L.dir, `flip-cli-${t}`);
      const { path, bytes } = blockFile(dir);
      const spans = [...scanBlockFiles(join(dir, CHAIN_DIR))].map((b, n) => ({
        n,
        start: b.offset,
        end: b.offset + b.length,
      }));
      // A byte inside a block (not its length prefix), so the block itself is what differs.
      const s = spans[1 + Math.floor(rand() * (spans.length - 1))]!;
      const at = s.start + Math.floor(rand() * (s.end - s.start));
      const fd = openSync(path, 'r+');
      writeSync(fd, Buffer.from([bytes[at]! ^ 0x5a]), 0, 1, at);
      closeSync(fd);
      const r = await anxin(['replay', '--data', dir, '--workers', String(t % 3)]);
      expectExit(r, 1);
      expect(r.stdout).to.match(new RegExp(`block ${s.n}\\b`));
      expect(r.stdout).to.match(/MISMATCH: \d+ findings?\./);
    }
  });

  it('a block dropped: exit 1, the gap named', async () => {
    const dir = copyLedger(L.dir, 'drop');
    const frames = readFrames(dir);
    const k = Math.floor(frames.length / 2);
    writeFrames(dir, [...frames.slice(0, k), ...frames.slice(k + 1)]);
    const r = await anxin(['replay', '--data', dir, '--json']);
    expectExit(r, 1);
    const f: Finding[] = r.json.findings;
    expect(f[0]!.block).to.equal(k);
    expect(f.some((x) => x.kind === 'source' && x.block === k)).to.equal(true);
  });

  it('two blocks swapped: exit 1 at the first of them', async () => {
    const dir = copyLedger(L.dir, 'swap');
    const frames = readFrames(dir);
    const [a, b] = [5, 9];
    [frames[a], frames[b]] = [frames[b]!, frames[a]!];
    writeFrames(dir, frames);
    const r = await anxin(['replay', '--data', dir, '--json']);
    expectExit(r, 1);
    const f: Finding[] = r.json.findings;
    expect(f[0]!.block).to.equal(a);
    expect(f.filter((x) => x.block === a).map((x) => x.kind)).to.include.members(['source', 'chain']);
  });

  it('a write set altered and the chain re-linked: data hashes and links hold, the endorsement and creator signatures do not', async () => {
    const dir = copyLedger(L.dir, 'rwset');
    const frames = readFrames(dir);
    const target = L.statusChanges.find((c) => c.kind === 'revoke')!;
    frames[target.block] = editEnvelope(frames[target.block]!, target.tx, (env) => {
      const payload = common.Payload.deserializeBinary(env.getPayload_asU8());
      const tx = peer.Transaction.deserializeBinary(payload.getData_asU8());
      const action = tx.getActionsList()[0]!;
      const cap = peer.ChaincodeActionPayload.deserializeBinary(action.getPayload_asU8());
      const cea = cap.getAction()!;
      const prp = peer.ProposalResponsePayload.deserializeBinary(cea.getProposalResponsePayload_asU8());
      const cca = peer.ChaincodeAction.deserializeBinary(prp.getExtension_asU8());
      const set = lpb.rwset.TxReadWriteSet.deserializeBinary(cca.getResults_asU8());
      const ns = set.getNsRwsetList().find((n) => n.getNamespace() === 'anxin')!;
      const kv = lpb.rwset.kvrwset.KVRWSet.deserializeBinary(ns.getRwset_asU8());
      const w = kv.getWritesList().find((x) => x.getKey().startsWith('\u0000anchor\u0000'))!;
      // The revocation becomes a mere suspension.
      w.setValue(
        Buffer.from(
          Buffer.from(w.getValue_asU8()).toString('utf8').replace('"status":"revoked"', '"status":"suspended"'),
        ),
      );
      ns.setRwset(kv.serializeBinary());
      cca.setResults(set.serializeBinary());
      prp.setExtension$(cca.serializeBinary());
      cea.setProposalResponsePayload(prp.serializeBinary());
      action.setPayload(cap.serializeBinary());
      payload.setData(tx.serializeBinary());
      env.setPayload(payload.serializeBinary());
      return env.serializeBinary();
    });
    writeFrames(dir, relink(frames, target.block));
    const r = await anxin(['replay', '--data', dir, '--json']);
    expectExit(r, 1);
    const f: Finding[] = r.json.findings;
    expect(kinds(f)).to.not.include.members(['chain']);
    expect(f.some((x) => x.kind === 'dataHash')).to.equal(false);
    const here = f.filter((x) => x.block === target.block && x.tx === target.tx);
    expect(kinds(here)).to.include.members(['endorsement', 'creator']);
    expect(here.find((x) => x.kind === 'endorsement')!.detail).to.match(/does not verify/);
    // The orderer's signatures over the re-linked headers fail too, block by block.
    expect(f.filter((x) => x.kind === 'blockSignature').map((x) => x.block)).to.include(target.block);
  });

  it('a transaction re-signed by an identity from another CA (same MSP id): its certificate does not chain to the MSP root', async () => {
    const dir = copyLedger(L.dir, 'foreign');
    const frames = readFrames(dir);
    const target = L.statusChanges.find((c) => c.kind === 'suspend')!;
    const spec: OrgSpec = {
      mspId: 'Org1MSP',
      domain: 'org1.anxin.local',
      kind: 'peer',
      nodes: ['peer0'],
      users: [{ name: 'gateway', role: 'client' }],
    };
    const foreign = generateOrg(spec);
    const user = foreign.users.find((i) => i.name.startsWith('gateway@'))!;
    const sid = new msp.SerializedIdentity();
    sid.setMspid('Org1MSP');
    sid.setIdBytes(Buffer.from(user.certPem));
    const key = createPrivateKey(user.keyPem);
    frames[target.block] = editEnvelope(frames[target.block]!, target.tx, (env) => {
      const payload = common.Payload.deserializeBinary(env.getPayload_asU8());
      const header = payload.getHeader()!;
      const sh = common.SignatureHeader.deserializeBinary(header.getSignatureHeader_asU8());
      sh.setCreator(sid.serializeBinary());
      header.setSignatureHeader(sh.serializeBinary());
      // A consistent tx id for the new creator, as a careful forger would make it.
      const ch = common.ChannelHeader.deserializeBinary(header.getChannelHeader_asU8());
      ch.setTxId(createHash('sha256').update(sh.getNonce_asU8()).update(sh.getCreator_asU8()).digest('hex'));
      header.setChannelHeader(ch.serializeBinary());
      payload.setHeader(header);
      env.setPayload(payload.serializeBinary());
      env.setSignature(signMessage(key, env.getPayload_asU8()));
      return env.serializeBinary();
    });
    writeFrames(dir, relink(frames, target.block));
    const r = await anxin(['replay', '--data', dir, '--json']);
    expectExit(r, 1);
    const f: Finding[] = r.json.findings;
    const creator = f.find((x) => x.kind === 'creator' && x.block === target.block && x.tx === target.tx);
    expect(creator, JSON.stringify(f.slice(0, 5))).to.not.equal(undefined);
    expect(creator!.detail).to.match(/does not chain to a root of Org1MSP/);
  });

  it('an MVCC_READ_CONFLICT transaction marked valid (its TRANSACTIONS_FILTER code flipped): exit 1 at that transaction', async () => {
    const dir = copyLedger(L.dir, 'filter');
    const frames = readFrames(dir);
    const c = L.conflicts[0]!;
    frames[c.block] = setFilter(frames[c.block]!, c.tx, TxValidationCode.VALID);
    writeFrames(dir, frames);
    const r = await anxin(['replay', '--data', dir, '--json']);
    expectExit(r, 1);
    const f: Finding[] = r.json.findings;
    // The block's commit hash no longer chains either: the update batch it covers changed.
    expect(f.filter((x) => x.kind === 'commitHash').map((x) => x.block)).to.deep.equal([c.block]);
    expect(f.find((x) => x.kind === 'validationCode')).to.deep.include({
      kind: 'validationCode',
      block: c.block,
      tx: c.tx,
      txId: c.txId,
      expected: 'MVCC_READ_CONFLICT',
      actual: 'VALID',
    });
  });

  it('a valid transaction marked MVCC_READ_CONFLICT: exit 1, and its writes are missing from the rebuilt state', async () => {
    const dir = copyLedger(L.dir, 'filter2');
    const frames = readFrames(dir);
    const c = L.statusChanges[0]!;
    frames[c.block] = setFilter(frames[c.block]!, c.tx, TxValidationCode.MVCC_READ_CONFLICT);
    writeFrames(dir, frames);
    const r = await anxin(['replay', '--data', dir, '--json']);
    expectExit(r, 1);
    const f: Finding[] = r.json.findings;
    expect(f.filter((x) => x.kind === 'commitHash').map((x) => x.block)).to.deep.equal([c.block]);
    expect(f.find((x) => x.kind === 'validationCode')).to.deep.include({
      kind: 'validationCode',
      block: c.block,
      tx: c.tx,
      expected: 'VALID',
      actual: 'MVCC_READ_CONFLICT',
    });
  });
});
