/**
 * /readyz tells the truth: 503 with a problem document whose code names the cause, and whose
 * `causes` carry the numbers, for each way a gateway can stop serving what it is asked —
 * the projection held at a change (a SQLite trigger refuses its notices), stopped (a trigger
 * refuses its checkpoint; it starts over by itself once the store takes it again), behind
 * the ledger by more blocks or seconds than configured (its follower held while anchors are
 * committed straight to the ledger), the store gone (closed), the ledger gone (the embedded
 * ledger closed; on Fabric the peer stopped with SIGSTOP). /healthz stays 200 throughout:
 * it is a liveness probe. The metrics say the same (anxin_projection_*, store errors).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { expect } from 'chai';
import { after, afterEach, before, describe, it } from 'mocha';
import type { SubmitResult } from '@anxin/network';
import { anchorSpec, sign, statements } from '../../helpers/statements';
import { withFabricNetwork } from '../../helpers/fabric-network';
import {
  TestGateway,
  describeOnLedgers,
  expectProblem,
  type ApiResponse,
  type RegisteredIssuer,
  type TestLedger,
} from '../../helpers/gateway';

async function until<T>(what: string, f: () => T | Promise<T>, ms = 20_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await f();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** The value of one sample of /metrics (NaN when absent). */
async function metric(gw: TestGateway, sample: string): Promise<number> {
  const text = (await gw.api('GET', '/metrics')).text;
  const line = text.split('\n').find((l) => l.startsWith(`${sample} `));
  return line ? Number(line.slice(sample.length + 1)) : NaN;
}

/** /readyz once it answers `status` (the follower works in the background). */
async function readyzOnce(gw: TestGateway, status: number): Promise<ApiResponse> {
  return (await until(`/readyz ${status}`, async () => {
    const r = await gw.api('GET', '/readyz');
    return r.status === status ? r : undefined;
  }))!;
}

async function expectAlive(gw: TestGateway): Promise<void> {
  const h = await gw.api('GET', '/healthz');
  expect(h.status).to.equal(200);
}

/** Anchor a fresh credential of `issuer` straight on the gateway's ledger: only the follower applies it. */
async function anchorOnLedger(gw: TestGateway, issuer: RegisteredIssuer): Promise<SubmitResult> {
  const kid = issuer.issuer.keys[0].kid as string;
  const signer = (await gw.services.keys.signer(kid))!;
  const jws = await sign(statements.anchor(issuer.id, anchorSpec({ kid })), signer);
  return gw.services.ledger.submit('anchor', [jws]);
}

/** Hold the projection's follower at the next anchor it applies, until released. */
function holdFollower(gw: TestGateway): () => void {
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  const unhook = gw.services.projection.onAnchor(() => gate);
  return () => {
    unhook();
    release();
  };
}

/** The store file, opened beside the gateway, to add triggers to. */
function storeFile(gw: TestGateway): Database.Database {
  return new Database(join(gw.dataDir, 'store.sqlite'));
}

describeOnLedgers('e2e: /readyz answers 503 naming each cause, /healthz stays 200', function (ledger: TestLedger) {
  this.timeout(Math.max(this.timeout(), 90_000));
  let gw: TestGateway;
  let cdc: RegisteredIssuer;

  before(async () => {
    gw = await TestGateway.start({
      ledger,
      env: { ANXIN_READY_MAX_LAG_BLOCKS: '3', ANXIN_READY_MAX_LAG_SECONDS: '2', ANXIN_NOTIFY_RETRY_MS: '100' },
    });
    cdc = await gw.registerIssuer({ allowedTypes: ['HealthCertificate'] });
  });
  after(async () => gw?.stop());

  it('ready: 200 with the ledger, the store and the projection caught up', async () => {
    const r = await readyzOnce(gw, 200);
    expect(r.body.status).to.equal('ready');
    expect(r.body.ledger).to.deep.include({ kind: ledger, ok: true });
    expect(r.body.store).to.deep.equal({ kind: 'sqlite', ok: true });
    expect(r.body.projection).to.deep.include({
      projectedTo: r.body.ledger.height,
      lagBlocks: 0,
      lagSeconds: 0,
      maxLagBlocks: 3,
      maxLagSeconds: 2,
    });
  });

  it('projection_stalled: held at a change whose notices the store refuses; ready again once they are queued', async () => {
    const verifier = await gw.verifierKey('readyz-stall');
    expect(
      (await gw.api('PUT', '/v1/webhook', { key: verifier, body: { url: 'http://127.0.0.1:9/hook' } })).status,
    ).to.equal(200);
    const cert = await gw.issue(cdc.apiKey, 'HealthCertificate');
    await gw.verify(verifier, cert.credential);
    const db = storeFile(gw);
    try {
      db.exec(`CREATE TRIGGER readyz_refuse BEFORE INSERT ON notifications BEGIN SELECT RAISE(ABORT, 'refused'); END`);
      const res = await gw.changeStatus(cdc.apiKey, cert.id, 'suspend', 're_examination_pending');
      expect(res.status).to.equal(200);
      const r = await readyzOnce(gw, 503);
      expectProblem(r, 503, 'projection_stalled');
      const cause = r.body.causes.find((c: { code: string }) => c.code === 'projection_stalled');
      expect(cause).to.deep.include({ block: res.body.anchor.block });
      expect(cause.attempts).to.be.at.least(1);
      await expectAlive(gw);
      expect(await metric(gw, 'anxin_projection_stalled')).to.equal(1);
    } finally {
      db.exec('DROP TRIGGER IF EXISTS readyz_refuse');
      db.close();
    }
    await readyzOnce(gw, 200);
    expect(await metric(gw, 'anxin_projection_stalled')).to.equal(0);
  });

  it('projection_stopped: a block it cannot apply stops the follower; it starts over by itself once it can', async () => {
    // A store that refuses writes holds the projection (projection_stalled, above); what stops
    // it is a block it cannot read or decode. Such a block is made here by failing the
    // follower's block step until the test lets it through again.
    const projection = gw.services.projection as unknown as { applyBlock: (...a: unknown[]) => Promise<void> };
    const original = projection.applyBlock;
    projection.applyBlock = () => Promise.reject(new Error('block could not be decoded'));
    try {
      await gw.issue(cdc.apiKey, 'HealthCertificate');
      const r = await readyzOnce(gw, 503);
      expectProblem(r, 503, 'projection_stopped');
      expect(r.body.causes[0].restarts).to.be.at.least(1);
      expect(r.body.causes[0].since).to.be.a('string');
      await expectAlive(gw);
      expect(await metric(gw, 'anxin_projection_stopped')).to.equal(1);
    } finally {
      delete (projection as { applyBlock?: unknown }).applyBlock;
      if (projection.applyBlock !== original) projection.applyBlock = original;
    }
    const r = await readyzOnce(gw, 200);
    expect(r.body.projection.projectedTo).to.equal(r.body.ledger.height);
    expect(await metric(gw, 'anxin_projection_stopped')).to.equal(0);
  });

  describe('projection_lagging', () => {
    let release: (() => void) | undefined;
    afterEach(() => release?.());

    it('behind by more seconds than allowed (one block, held), then by more blocks; caught up once released', async () => {
      release = holdFollower(gw);
      const first = await anchorOnLedger(gw, cdc);
      // One block behind is within the block limit (3): what trips is its age (over 2 s).
      await new Promise((r) => setTimeout(r, 2_300));
      let r = await gw.api('GET', '/readyz');
      expectProblem(r, 503, 'projection_lagging');
      expect(r.body.causes).to.have.length(1);
      const byAge = r.body.causes[0];
      expect(byAge.lagBlocks).to.be.at.least(1).and.at.most(3);
      expect(byAge.lagSeconds).to.be.above(2);
      expect(byAge).to.deep.include({ maxLagBlocks: 3, maxLagSeconds: 2 });
      await expectAlive(gw);
      // Three more blocks: now over the block limit too.
      for (let i = 0; i < 3; i++) await anchorOnLedger(gw, cdc);
      r = await gw.api('GET', '/readyz');
      expectProblem(r, 503, 'projection_lagging');
      expect(r.body.causes[0].lagBlocks).to.be.at.least(4);
      expect(r.body.projection.projectedTo).to.be.at.most(first.block);
      expect(await metric(gw, 'anxin_projection_lag_blocks')).to.be.at.least(4);
      expect(await metric(gw, 'anxin_projection_lag_seconds')).to.be.above(2);
      release();
      release = undefined;
      r = await readyzOnce(gw, 200);
      expect(r.body.projection).to.deep.include({ lagBlocks: 0, lagSeconds: 0 });
      expect(await metric(gw, 'anxin_projection_lag_blocks')).to.equal(0);
    });
  });

  it('store_unavailable: the store closed under a running gateway', async () => {
    const own = await TestGateway.start({ ledger });
    try {
      await readyzOnce(own, 200);
      await own.services.store.close();
      const r = await own.api('GET', '/readyz');
      expectProblem(r, 503, 'store_unavailable');
      expect(r.body.store).to.deep.equal({ kind: 'sqlite', ok: false });
      expect(r.body.causes[0].code).to.equal('store_unavailable');
      await expectAlive(own);
    } finally {
      await own.stop().catch(() => undefined);
    }
  });

  it('ledger_unavailable: the ledger gone under a running gateway (embedded: closed; Fabric: its peer stopped)', async () => {
    const own = await TestGateway.start({ ledger });
    let resume: (() => void) | undefined;
    try {
      await readyzOnce(own, 200);
      if (ledger === 'embedded') {
        await own.services.ledger.close();
      } else {
        const peer = (await withFabricNetwork()).network.orgs[0]!.peers[0]!;
        const pid = Number(readFileSync(peer.pidFile, 'utf8').trim());
        process.kill(pid, 'SIGSTOP');
        resume = () => process.kill(pid, 'SIGCONT');
      }
      const r = await own.api('GET', '/readyz');
      expectProblem(r, 503, 'ledger_unavailable');
      expect(r.body.ledger).to.deep.include({ kind: ledger, ok: false });
      await expectAlive(own);
    } finally {
      resume?.();
      await own.stop().catch(() => undefined);
    }
  });
});
