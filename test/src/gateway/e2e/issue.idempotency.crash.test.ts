/**
 * kill -9 in the middle of an issuance with an Idempotency-Key: a gateway process is
 * SIGKILLed (it kills itself there, ANXIN_TEST_KILL_AT) right after claiming the key, right
 * after recording the pending credential, or right after the ledger committed its anchor.
 * A new gateway on the same data directory answers a retry 409 request_in_progress (with
 * Retry-After) while the dead one's lease lasts, then takes the claim over and answers 201:
 * one credential, anchored once, verifying; the claim is completed (a later retry replays
 * it; retention prunes it). A recorded statement too old for the ledger is issued afresh.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import { after, describe, it } from 'mocha';
import { loadConfig, startGateway, type RunningGateway } from '@anxin/gateway';
import { signStatementFast } from '@anxin/gateway/server';
import type { Loose } from '../../helpers/gateway';
import { DAY, exampleHolder, exampleSubject, expectProblem, expectVerified, isoFromNow } from '../../helpers/gateway';
import { tempDir } from '../../helpers/tmp';

const MAIN = require.resolve('@anxin/gateway/main');
/** Short, so the test waits it out; far longer than the restart that precedes the first retry. */
const LEASE_MS = 6_000;

type Point = 'issue:claimed' | 'issue:recorded' | 'issue:anchored';

interface Child {
  url: string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  stderr: () => string;
}

/** `npm start` as a child process on `dataDir`, dying at `killAt`. Resolves once it listens. */
function startChild(env: Record<string, string>): Promise<Child> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [MAIN], {
      env: { PATH: process.env.PATH ?? '', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((r) =>
      child.on('exit', (code, signal) => r({ code, signal })),
    );
    const safety = setTimeout(() => child.kill('SIGKILL'), 60_000);
    void exited.then(() => clearTimeout(safety));
    child.stdout!.setEncoding('utf8');
    child.stderr!.setEncoding('utf8');
    child.stderr!.on('data', (c: string) => (err += c));
    child.stdout!.on('data', (c: string) => {
      out += c;
      const m = /listening on (http:\/\/\S+)/.exec(out);
      if (m) resolvePromise({ url: m[1]!, exited, stderr: () => err });
    });
    child.on('error', reject);
    void exited.then(({ code, signal }) => {
      if (!/listening on/.test(out))
        reject(new Error(`the gateway exited (${code ?? signal}) before listening: ${err}`));
    });
  });
}

async function call(url: string, method: string, path: string, key: string, body?: unknown, headers = {}) {
  const res = await fetch(`${url}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${key}`,
      ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      ...headers,
    },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const text = await res.text();
  let parsed: Loose = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // not JSON
  }
  return {
    status: res.status,
    headers: res.headers,
    body: parsed,
    text,
    contentType: res.headers.get('content-type') ?? '',
  };
}

/** Valid anchor transactions of the ledger, by credential id (from its blocks as JSON). */
async function anchoredIds(url: string): Promise<string[]> {
  const info = await (await fetch(`${url}/v1/ledger/info`)).json();
  const ids: string[] = [];
  for (let b = 0; b < (info as { height: number }).height; b++) {
    const block = (await (await fetch(`${url}/v1/ledger/blocks/${b}?format=json`)).json()) as Loose;
    for (const tx of block.transactions) {
      if (tx.validation !== 'VALID') continue;
      for (const a of tx.actions) {
        if (a.function !== 'anchor') continue;
        for (const s of a.rwsets) for (const w of s.writes) if (/^\/anchor\//.test(w.key)) ids.push(w.key.slice(8, -1));
      }
    }
  }
  return ids;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, Math.max(0, ms)));

interface Crashed {
  env: Record<string, string>;
  dataDir: string;
  issuerKey: string;
  issuerId: string;
  body: Record<string, unknown>;
  idemKey: string;
  killedAt: number;
  /** Anchors on the ledger right after the kill. */
  anchoredAfterKill: string[];
}

/** A gateway child process issues with an Idempotency-Key and dies (SIGKILL) at `point`. */
async function crashAt(point: Point): Promise<Crashed> {
  const dataDir = join(tempDir('idem-crash'), 'data');
  const env = {
    ANXIN_DATA_DIR: dataDir,
    ANXIN_PORT: '0',
    ANXIN_HOST: '127.0.0.1',
    ANXIN_BATCH_TIMEOUT_MS: '5',
    ANXIN_LOG_LEVEL: 'silent',
    ANXIN_VERIFY_THREADS: '0',
    ANXIN_IDEMPOTENCY_LEASE_MS: String(LEASE_MS),
  };
  const child = await startChild({ ...env, ANXIN_TEST_KILL_AT: point });
  const admin = readFileSync(join(dataDir, 'admin.key'), 'utf8').trim();
  const subject = exampleSubject('HealthCertificate');
  const reg = await call(child.url, 'POST', '/v1/issuers', admin, {
    name: '成都市锦江区疾控中心',
    kind: 'health_authority',
    allowedTypes: ['HealthCertificate'],
    // The subject names its issuer: the authority's USCC is the issuer's.
    uscc: (subject.issuingAuthority as { uscc: string }).uscc,
  });
  expect(reg.status, reg.text).to.equal(201);
  const body = {
    type: 'HealthCertificate',
    holder: exampleHolder(),
    subject,
    validFrom: isoFromNow(-DAY),
    validUntil: isoFromNow(180 * DAY),
  };
  const idemKey = `crash-${point.replace(':', '-')}-${Date.now()}`;
  const answer = await call(child.url, 'POST', '/v1/credentials', reg.body.apiKey, body, {
    'idempotency-key': idemKey,
  }).then(
    (r) => `answered ${r.status} ${r.text.slice(0, 200)}`,
    () => 'no answer',
  );
  const killedAt = Date.now();
  expect(answer, 'the gateway died before answering').to.equal('no answer');
  const exit = await child.exited;
  expect(exit.signal, `killed at ${point} (stderr: ${child.stderr().slice(0, 500)})`).to.equal('SIGKILL');
  // What the dead gateway left on the ledger, read by a gateway that does not retry anything.
  const peek = await startGateway(loadConfig(env));
  let anchoredAfterKill: string[];
  try {
    anchoredAfterKill = await anchoredIds(peek.url);
  } finally {
    await peek.close();
  }
  return {
    env,
    dataDir,
    issuerKey: reg.body.apiKey,
    issuerId: reg.body.issuer.id,
    body,
    idemKey,
    killedAt,
    anchoredAfterKill,
  };
}

describe('e2e: an issuance interrupted by kill -9 is finished by a retry with the same Idempotency-Key', function () {
  this.timeout(120_000);
  const open: RunningGateway[] = [];
  after(async () => {
    for (const g of open.splice(0)) await g.close().catch(() => undefined);
  });

  async function restart(c: Crashed): Promise<RunningGateway> {
    const gw = await startGateway(loadConfig(c.env));
    open.push(gw);
    return gw;
  }

  const retry = (gw: RunningGateway, c: Crashed) =>
    call(gw.url, 'POST', '/v1/credentials', c.issuerKey, c.body, { 'idempotency-key': c.idemKey });

  /** The retry after the lease: 201, one anchor, verifying, the claim completed and replayed. */
  async function finishes(gw: RunningGateway, c: Crashed, expectedId?: string): Promise<string> {
    await sleep(c.killedAt + LEASE_MS + 100 - Date.now());
    const res = await retry(gw, c);
    expect(res.status, res.text).to.equal(201);
    if (expectedId) expect(res.body.id).to.equal(expectedId);
    expect(await anchoredIds(gw.url), 'anchored once').to.deep.equal([res.body.id]);
    const admin = readFileSync(join(c.dataDir, 'admin.key'), 'utf8').trim();
    const verifier = await call(gw.url, 'POST', '/v1/api-keys', admin, {
      principal: { type: 'verifier', id: 'hotpot-chengdu' },
      scopes: ['verify'],
    });
    const report = await call(gw.url, 'POST', '/v1/verify', verifier.body.apiKey, { credential: res.body.credential });
    expectVerified(report.body);
    // Completed: replayed as it is, and old enough, pruned.
    const again = await retry(gw, c);
    expect(again.status, again.text).to.be.oneOf([200, 201]);
    expect(again.body.id).to.equal(res.body.id);
    expect(again.body.credential).to.equal(res.body.credential);
    const metrics = await (await fetch(`${gw.url}/metrics`)).text();
    expect(metrics).to.match(/^anxin_idempotency_takeovers_total 1$/m);
    const pruned = await gw.services.store.prune({
      verifications: '2000-01-01T00:00:00Z',
      idempotency: new Date(Date.now() + DAY).toISOString(),
      notifications: '2000-01-01T00:00:00Z',
      nonces: '2000-01-01T00:00:00Z',
    });
    expect(pruned.idempotency, 'the completed claim is pruned').to.equal(1);
    return res.body.id as string;
  }

  it('killed right after claiming the key (nothing recorded): 409 with Retry-After while its lease lasts, then 201', async () => {
    const c = await crashAt('issue:claimed');
    expect(c.anchoredAfterKill).to.deep.equal([]);
    const gw = await restart(c);
    expect(Date.now() - c.killedAt, 'restarted well within the lease').to.be.below(LEASE_MS - 1_000);
    const early = await retry(gw, c);
    expectProblem(early as Loose, 409, 'request_in_progress');
    expect(Number(early.headers.get('retry-after'))).to.be.within(1, Math.ceil(LEASE_MS / 1000));
    await finishes(gw, c);
  });

  it('killed right after recording the credential, before anchoring: the recorded credential is anchored', async () => {
    const c = await crashAt('issue:recorded');
    expect(c.anchoredAfterKill).to.deep.equal([]);
    const gw = await restart(c);
    const recorded = await pendingOf(gw, c);
    await finishes(gw, c, recorded.id);
  });

  it('killed right after the ledger committed the anchor, before answering: finished without a second anchor', async () => {
    const c = await crashAt('issue:anchored');
    expect(c.anchoredAfterKill).to.have.length(1);
    const gw = await restart(c);
    await finishes(gw, c, c.anchoredAfterKill[0]);
  });

  it('a recorded anchor statement grown too old for the ledger (a day) is never anchored: the retry issues afresh, once', async () => {
    const c = await crashAt('issue:recorded');
    const gw = await restart(c);
    const rec = await pendingOf(gw, c);
    // As if the retry came 25 hours later: the same statement, signed then.
    const payload = JSON.parse(Buffer.from(rec.anchorStatement.split('.')[1]!, 'base64url').toString('utf8'));
    const signer = (await gw.services.keys.signer(payload.anchor.kid))!;
    const old = await signStatementFast({ ...payload, iat: Math.floor(Date.now() / 1000) - 25 * 3600 }, signer);
    await gw.services.store.putCredential({ ...rec, anchorStatement: old });
    const id = await finishes(gw, c);
    expect(id).to.not.equal(rec.id);
    expect((await gw.services.store.getCredential(rec.id))?.state, 'the old one stays unanchored').to.equal('pending');
  });

  /** The pending credential the dead gateway recorded (the only credential of its issuer). */
  async function pendingOf(gw: RunningGateway, c: Crashed) {
    const db = (await import('better-sqlite3')).default(join(c.dataDir, 'store.sqlite'), { readonly: true });
    try {
      const row = db.prepare('SELECT id FROM credentials WHERE issuer = ?').get(c.issuerId) as { id: string };
      const rec = (await gw.services.store.getCredential(row.id))!;
      expect(rec.state).to.equal('pending');
      return rec;
    } finally {
      db.close();
    }
  }
});
