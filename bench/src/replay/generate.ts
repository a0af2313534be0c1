/**
 * A large embedded ledger, fast: the same data directory `EmbeddedLedger` writes — the
 * network's crypto and genesis block (createNetwork), block files, the index
 * (state, history, blocks, txs) — but its blocks are built here directly, without the
 * ordering service's round trips:
 *
 *   each transaction's statement is signed (ES256 JWS) by its issuer or the registrar;
 *   the contract's own rules (@anxin/chaincode/rules) run it on the committed state of
 *   the block's start — Fabric's simulation — recording the read set with versions, the
 *   writes, the event and the result; the proposal, the peer's endorsement and the
 *   client's envelope are made with network/blocks (the code the embedded ledger uses);
 *   the block is validated in order (MVCC), assembled, signed by the orderer, appended
 *   and indexed.
 *
 * The mix: ~90% anchors, status changes (suspend, reinstate, revoke) of earlier
 * credentials, a few deliberate MVCC conflicts (two changes of one credential in one
 * block), issuers registered as it goes, and a key rotation (addKey, retireKey) midway.
 * `anxin replay` of the result must find nothing.
 */
import { createHash, generateKeyPairSync, randomUUID, sign as cryptoSign, type KeyObject } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { anchorKey } from '@anxin/chaincode/rules';
import { TxValidationCode, decodeBlock } from '@anxin/network';
import {
  BlockFileWriter,
  CHAIN_DIR,
  StateDb,
  createNetwork,
  networkIdentity,
  readDescriptor,
  scanBlockFiles,
} from '@anxin/network/embedded';
import { commitBlock, inThread, type Gen, type Planned, type Versioned } from './commit-block';
import type { AnchorRecord } from '@anxin/schemas';

export interface GenerateOptions {
  dir: string;
  transactions: number;
  /** Transactions per block (default 500, the embedded ledger's maxMessageCount). */
  blockSize?: number;
  log?: (line: string) => void;
}

export interface GenerateResult {
  dir: string;
  blocks: number;
  transactions: number;
  valid: number;
  mvccConflicts: number;
  byKind: Record<string, number>;
  bytes: number;
  seconds: number;
}

interface Key {
  kid: string;
  keyId: string;
  jwk: { kty: 'EC'; crv: 'P-256'; x: string; y: string };
  privateKey: KeyObject;
}

function newKey(owner: string): Key {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const j = publicKey.export({ format: 'jwk' }) as { x: string; y: string };
  const jwk = { kty: 'EC' as const, crv: 'P-256' as const, x: j.x, y: j.y };
  const keyId = createHash('sha256')
    .update(JSON.stringify({ crv: jwk.crv, kty: jwk.kty, x: jwk.x, y: jwk.y }))
    .digest('base64url');
  return { kid: `${owner}#${keyId}`, keyId, jwk, privateKey };
}

const b64u = (s: string | Buffer) => Buffer.from(s).toString('base64url');

/** A compact ES256 JWS statement (what signStatement makes), signed in this thread. */
function statement(key: Key, body: object, iat: number): string {
  const input = `${b64u(JSON.stringify({ alg: 'ES256', kid: key.kid, typ: 'anxin-statement+jwt' }))}.${b64u(JSON.stringify({ ...body, jti: randomUUID(), iat }))}`;
  return `${input}.${cryptoSign('sha256', Buffer.from(input), { key: key.privateKey, dsaEncoding: 'ieee-p1363' }).toString('base64url')}`;
}

/** Seconds since the epoch, as a statement's iat. */
const iat = (t: Date) => Math.floor(t.getTime() / 1000);

/** Rotate an issuer's key: addKey in one block, retireKey of the old one in the next. */
async function rotateKey(
  first: { id: string; key: Key },
  registrar: Key,
  nextTime: () => Date,
  commit: (txs: Planned[]) => Promise<void>,
): Promise<void> {
  const next = newKey(first.id);
  let time = nextTime();
  await commit([
    {
      fn: 'addKey',
      time,
      arg: statement(
        registrar,
        {
          kind: 'addKey',
          iss: 'registrar',
          issuerId: first.id,
          key: { keyId: next.keyId, alg: 'ES256', publicJwk: next.jwk },
        },
        iat(time),
      ),
    },
  ]);
  time = nextTime();
  await commit([
    {
      fn: 'retireKey',
      time,
      arg: statement(
        registrar,
        { kind: 'retireKey', iss: 'registrar', issuerId: first.id, keyId: first.key.keyId },
        iat(time),
      ),
    },
  ]);
  first.key = next;
}

export async function generateLedger(o: GenerateOptions): Promise<GenerateResult> {
  const started = Date.now();
  const log = o.log ?? (() => undefined);
  const blockSize = o.blockSize ?? 500;
  const d = await createNetwork(o.dir, { batch: { maxMessageCount: blockSize } });
  const descriptor = readDescriptor(o.dir);
  const client = networkIdentity(o.dir, descriptor, descriptor.client);
  const peer = networkIdentity(o.dir, descriptor, descriptor.peer);
  const orderer = networkIdentity(o.dir, descriptor, descriptor.orderer);
  const clientSigner = inThread(client);
  const peerSigner = inThread(peer);
  const chain = join(o.dir, CHAIN_DIR);
  const genesis = [...scanBlockFiles(chain)][0]!;
  mkdirSync(join(o.dir, 'index'), { recursive: true });
  const db = new StateDb(join(o.dir, 'index', 'state.sqlite'));
  const writer = new BlockFileWriter(chain);
  await writer.open();

  const state = new Map<string, Versioned>();
  const ns = d.chaincode.name;
  // Block 0 (the config block createNetwork wrote) in the index.
  const zero = decodeBlock(genesis.bytes);
  db.commit({
    number: 0,
    hash: zero.hash,
    location: genesis,
    txs: [{ txId: '', index: 0, code: TxValidationCode.VALID, timestamp: zero.transactions[0]!.timestamp, writes: [] }],
  });
  const g: Gen = {
    d,
    ns,
    state,
    client,
    clientSigner,
    peerSigner,
    orderer,
    writer,
    db,
    previousHash: zero.hash,
    height: 1,
    byKind: {},
    valid: 0,
    conflicts: 0,
    total: 0,
    bytes: 0,
  };
  const total = () => g.total;

  // Time: 1 ms a transaction from just after the network's certificates became valid (a minute ago).
  let clock = Date.now() - 50_000;
  const nextTime = () => new Date(++clock);

  const registrar = newKey('registrar');
  const issuers: Array<{ id: string; key: Key; type: string }> = [];
  const anchored: string[] = [];

  const TYPES = [
    { type: 'HealthCertificate', kind: 'health_authority', uscc: '12510107MB1H27435B' },
    { type: 'SkillCertificate', kind: 'training_body', uscc: '52510100MJP60721XR' },
    { type: 'LaborContract', kind: 'platform', uscc: '91510100MA62T8RW59' },
  ];

  const plan: Planned[][] = [];
  const pushBlock = (txs: Planned[]) => plan.push(txs);
  const t0 = nextTime();
  pushBlock([
    {
      fn: 'init',
      arg: JSON.stringify({ registrarKeys: [{ keyId: registrar.keyId, alg: 'ES256', publicJwk: registrar.jwk }] }),
      time: t0,
    },
  ]);

  const commit = (txs: Planned[]) => commitBlock(g, txs);

  await commit(plan.shift()!);
  const registerNext = (i: number): Planned => {
    const t = TYPES[i % TYPES.length]!;
    const id = `urn:anxin:issuer:bench-${t.kind.replace(/_/g, '-')}-${i}`;
    const key = newKey(id);
    issuers.push({ id, key, type: t.type });
    const time = nextTime();
    return {
      fn: 'registerIssuer',
      time,
      arg: statement(
        registrar,
        {
          kind: 'registerIssuer',
          iss: 'registrar',
          issuer: { id, name: `基准测试机构 ${i}`, kind: t.kind, uscc: t.uscc, allowedTypes: [t.type] },
          key: { keyId: key.keyId, alg: 'ES256', publicJwk: key.jwk },
        },
        iat(time),
      ),
    };
  };
  await commit([0, 1, 2, 3, 4, 5].map(registerNext));

  const anchorTx = (): Planned => {
    const issuer = issuers[Math.floor(Math.random() * issuers.length)]!;
    const id = `urn:uuid:${randomUUID()}`;
    const time = nextTime();
    anchored.push(id);
    return {
      fn: 'anchor',
      time,
      arg: statement(
        issuer.key,
        {
          kind: 'anchor',
          iss: issuer.id,
          anchor: {
            id,
            type: issuer.type,
            kid: issuer.key.kid,
            digest: createHash('sha256').update(id).digest('hex'),
            holderRef: createHash('sha256').update(`holder ${id}`).digest('base64url'),
            validFrom: '2026-01-01T00:00:00Z',
            validUntil: '2027-01-01T00:00:00Z',
          },
        },
        iat(time),
      ),
    };
  };

  const statusOf = (cid: string) => {
    const s = state.get(anchorKey(cid));
    return s ? (JSON.parse(s.value.toString('utf8')) as AnchorRecord) : undefined;
  };

  let rotated = false;
  while (g.total + plan.flat().length < o.transactions) {
    const txs: Planned[] = [];
    const remaining = o.transactions - g.total;
    const n = Math.min(blockSize, remaining);
    const touched = new Set<string>();
    // Midway: rotate the first issuer's key (addKey now, retireKey in the next block).
    if (!rotated && total() > o.transactions / 2) {
      rotated = true;
      await rotateKey(issuers[0]!, registrar, nextTime, commit);
      continue;
    }
    for (let i = 0; i < n; i++) {
      const r = Math.random();
      if (r < 0.08 && anchored.length > 1000) {
        // A status change of an earlier credential (not changed in this block yet).
        const cid = anchored[Math.floor(Math.random() * (anchored.length - blockSize))]!;
        if (touched.has(cid)) {
          txs.push(anchorTx());
          continue;
        }
        const rec = statusOf(cid);
        if (!rec || rec.status === 'revoked') {
          txs.push(anchorTx());
          continue;
        }
        touched.add(cid);
        const issuer = issuers.find((x) => x.id === rec.issuer)!;
        const kinds = rec.status === 'active' ? (['suspend', 'revoke'] as const) : (['reinstate', 'revoke'] as const);
        const kind = kinds[Math.floor(Math.random() * kinds.length)]!;
        const reason = {
          suspend: 're_examination_pending',
          revoke: 're_examination_failed',
          reinstate: 're_examination_passed',
        }[kind];
        const time = nextTime();
        txs.push({
          fn: kind,
          time,
          arg: statement(issuer.key, { kind, iss: issuer.id, credentialId: cid, reason }, iat(time)),
        });
        // Now and then a second change of the same credential in the same block: an MVCC conflict.
        if (Math.random() < 0.05 && i + 1 < n) {
          const t2 = nextTime();
          txs.push({
            fn: 'revoke',
            time: t2,
            arg: statement(issuer.key, { kind: 'revoke', iss: issuer.id, credentialId: cid, reason: 'fraud' }, iat(t2)),
          });
          i++;
        }
      } else {
        txs.push(anchorTx());
      }
    }
    await commit(txs);
    if (g.height % 20 === 0)
      log(
        `  ${g.total} transactions in ${g.height} blocks (${Math.round((g.total / (Date.now() - started)) * 1000)} tx/s)`,
      );
  }
  await writer.close();
  db.close();
  return {
    dir: o.dir,
    blocks: g.height,
    transactions: g.total,
    valid: g.valid,
    mvccConflicts: g.conflicts,
    byKind: g.byKind,
    bytes: g.bytes,
    seconds: (Date.now() - started) / 1000,
  };
}
