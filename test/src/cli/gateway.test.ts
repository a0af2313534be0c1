/**
 * The CLI against a real gateway's data directory (embedded ledger + SQLite store):
 *
 * - replay while the gateway keeps issuing: exit 0, the replay covers the height it
 *   started at, and the gateway is neither blocked nor disturbed;
 * - replay --store: the store's projection agrees (exit 0); a status changed in (a copy
 *   of) the store: exit 1 naming the credential and the field;
 * - verify: the same report as POST /v1/verify, offline against the data directory; against
 *   a trust list (anchored unknown without --status-url; with it, the gateway's status).
 */
import { cpSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { expect } from 'chai';
import { after, before, describe, it } from 'mocha';
import { TestGateway, type Issued, type RegisteredIssuer } from '../helpers/gateway';
import { tempDir } from '../helpers';
import { anxin, expectExit } from './fixture';

describe('cli: against a running gateway', function () {
  this.timeout(120_000);
  let gw: TestGateway;
  let health: RegisteredIssuer;
  let skills: RegisteredIssuer;
  let verifier: string;
  const issued: Issued[] = [];
  let revoked: Issued;
  let suspended: Issued;

  before(async () => {
    gw = await TestGateway.start();
    health = await gw.registerIssuer({ allowedTypes: ['HealthCertificate'] });
    skills = await gw.registerIssuer({ allowedTypes: ['SkillCertificate'] });
    verifier = await gw.verifierKey();
    for (let i = 0; i < 4; i++)
      issued.push(await gw.issue(health.apiKey, 'HealthCertificate', { format: i % 2 ? 'dc+sd-jwt' : 'vc+jwt' }));
    issued.push(await gw.issue(skills.apiKey, 'SkillCertificate'));
    revoked = issued[1]!;
    suspended = issued[2]!;
    expect((await gw.changeStatus(health.apiKey, revoked.id, 'revoke', 're_examination_failed')).status).to.equal(200);
    expect((await gw.changeStatus(health.apiKey, suspended.id, 'suspend', 're_examination_pending')).status).to.equal(
      200,
    );
  });
  after(async () => gw?.stop());

  it('replay --data while the gateway keeps issuing: exit 0 up to the height it started at; issuance goes on, undisturbed', async () => {
    const startHeight = await gw.height();
    let stop = false;
    const latencies: number[] = [];
    const issuing = (async () => {
      while (!stop) {
        const t = Date.now();
        await gw.issue(health.apiKey, 'HealthCertificate');
        latencies.push(Date.now() - t);
      }
    })();
    // Let a few issue while the replay runs.
    await new Promise((r) => setTimeout(r, 100));
    const r = await anxin(['replay', '--data', gw.dataDir, '--json', '--workers', '1']);
    const during = latencies.length;
    await new Promise((r) => setTimeout(r, 200));
    stop = true;
    await issuing;
    expectExit(r, 0);
    expect(r.json.ok).to.equal(true);
    expect(r.json.summary.blocks.to + 1).to.be.at.least(startHeight);
    expect(r.json.summary.stateCompared).to.equal(true);
    expect(during, 'credentials issued while the replay ran').to.be.greaterThan(0);
    expect(latencies.length).to.be.greaterThan(during);
    expect(Math.max(...latencies), 'slowest issuance during the replay (ms)').to.be.below(5_000);
    expect(await gw.height()).to.be.greaterThan(r.json.summary.blocks.to + 1);
  });

  it("replay --store: the store's projection agrees with the ledger (sqlite:PATH and PATH)", async () => {
    for (const store of [`sqlite:${join(gw.dataDir, 'store.sqlite')}`, join(gw.dataDir, 'store.sqlite')]) {
      const r = await anxin(['replay', '--data', gw.dataDir, '--store', store, '--json']);
      expectExit(r, 0);
      expect(r.json.summary.storeCompared).to.equal(true);
    }
  });

  it("a status changed in the store's projection (a copy): exit 1 naming the credential and the field", async () => {
    const copy = join(tempDir('cli-store'), 'data');
    cpSync(gw.dataDir, copy, { recursive: true });
    const db = new Database(join(copy, 'store.sqlite'));
    db.prepare("UPDATE anchors SET status = 'active', status_reason = NULL WHERE id = ?").run(revoked.id);
    // As an older gateway would have left it: schema version 2, without the webhook tables.
    db.exec('DROP TABLE notifications; DROP TABLE webhooks;');
    db.pragma('user_version = 2');
    db.pragma('wal_checkpoint(TRUNCATE)');
    db.close();
    const bytes = readFileSync(join(copy, 'store.sqlite'));
    const r = await anxin(['replay', '--data', copy, '--store', join(copy, 'store.sqlite'), '--json']);
    expectExit(r, 1);
    // The auditor's replay read the store and changed nothing in it, not even its schema.
    expect(readFileSync(join(copy, 'store.sqlite')).equals(bytes), 'store file unchanged').to.equal(true);
    const f = r.json.findings as Array<{ kind: string; key: string; detail: string; expected: string; actual: string }>;
    expect(f.find((x) => x.kind === 'store' && x.key === revoked.id && /status$/.test(x.detail))).to.deep.include({
      expected: 'revoked',
      actual: 'active',
    });
    const text = await anxin(['replay', '--data', copy, '--store', join(copy, 'store.sqlite')]);
    expectExit(text, 1);
    expect(text.stdout).to.include(
      `store: key "${revoked.id}": the store's projection differs in status — expected revoked, found active`,
    );
  });

  it('--store naming no file: exit 2, and nothing created', async () => {
    const r = await anxin(['replay', '--data', gw.dataDir, '--store', '/nonexistent/store.sqlite', '--json']);
    expectExit(r, 2);
    expect(r.json.error).to.deep.include({ code: 'INVALID_INPUT' });
    expect(existsSync('/nonexistent/store.sqlite')).to.equal(false);
  });

  it('verify --data: the same report as POST /v1/verify, for a valid, a revoked and a suspended credential, JWS and SD-JWT', async () => {
    for (const c of [issued[0]!, issued[3]!, revoked, suspended]) {
      // An SD-JWT is shown without the holder's ledger commitment (salt, ref), as any presentation must be.
      const text = c.presentation;
      const online = await gw.verify(verifier, text);
      if (c === issued[3]) expect(online.verified).to.equal(true);
      const r = await anxin(['verify', text, '--data', gw.dataDir, '--json']);
      expectExit(r, online.verified ? 0 : 1);
      const { checkedAt: _a, ...offline } = r.json;
      const { checkedAt: _b, ...theirs } = online as unknown as Record<string, unknown>;
      expect(offline).to.deep.equal(theirs);
    }
  });

  it('verify reads the credential from a file or from stdin, and prints a readable report', async () => {
    const file = join(tempDir('cli-cred'), 'credential.jwt');
    writeFileSync(file, `${revoked.presentation}\n`);
    const r = await anxin(['verify', file, '--data', gw.dataDir]);
    expectExit(r, 1);
    expect(r.stdout).to.match(/^NOT VERIFIED/);
    expect(r.stdout).to.match(/status\s+fail\s+revoked: revoked \(re_examination_failed\)/);
    const s = await anxin(['verify', '-', '--data', gw.dataDir], { input: issued[0]!.presentation });
    expectExit(s, 0);
    expect(s.stdout).to.match(/^VERIFIED/);
    const g = await anxin(['verify', 'not-a-credential', '--data', gw.dataDir, '--json']);
    expectExit(g, 1);
    expect(g.json.checks.format).to.equal('fail');
  });

  it('verify --data --replay: against the state rebuilt by a full replay', async () => {
    const r = await anxin(['verify', suspended.presentation, '--data', gw.dataDir, '--replay', '--json']);
    expectExit(r, 1);
    expect(r.json.checks.status).to.equal('fail');
    expect(r.json.reasons[0].code).to.equal('suspended');
  });

  it("verify --trust-list: the list's JWS is verified; anchored fails as unknown offline; with --status-url the status is asked", async () => {
    const res = await gw.api('GET', '/v1/trust-list');
    expect(res.status).to.equal(200);
    const file = join(tempDir('cli-trust'), 'trust.json');
    writeFileSync(file, res.text);
    const thumb = (res.body.kid as string).split('#')[1]!;

    const offline = await anxin(['verify', issued[0]!.presentation, '--trust-list', file, '--json']);
    expectExit(offline, 1);
    expect(offline.json.checks).to.deep.include({
      format: 'pass',
      signature: 'pass',
      issuerTrusted: 'pass',
      issuerAuthorizedForType: 'pass',
      anchored: 'fail',
      digestMatches: 'skipped',
      status: 'skipped',
    });
    const anchored = offline.json.reasons.find((x: { check: string }) => x.check === 'anchored');
    expect(anchored).to.deep.include({ code: 'not_anchored' });
    expect(anchored.detail).to.match(/unknown offline: a trust list holds issuers and keys, not anchors/);
    expect(offline.stderr).to.match(/not pinned/);

    const online = await anxin([
      'verify',
      issued[0]!.presentation,
      '--trust-list',
      file,
      '--trust-key-thumbprint',
      thumb,
      '--status-url',
      gw.url,
      '--json',
    ]);
    expectExit(online, 0);
    expect(online.json.verified).to.equal(true);
    const rev = await anxin([
      'verify',
      revoked.presentation,
      '--trust-list',
      file,
      '--trust-key-thumbprint',
      thumb,
      '--status-url',
      gw.url,
      '--json',
    ]);
    expectExit(rev, 1);
    expect(rev.json.checks.status).to.equal('fail');

    const pinnedElsewhere = await anxin([
      'verify',
      issued[0]!.presentation,
      '--trust-list',
      file,
      '--trust-key-thumbprint',
      'A'.repeat(43),
      '--json',
    ]);
    expectExit(pinnedElsewhere, 1);
    expect(pinnedElsewhere.json.error).to.deep.include({ code: 'UNTRUSTED', reason: 'pin_mismatch' });

    const forged = join(tempDir('cli-trust'), 'forged.json');
    const body = JSON.parse(res.text) as { trustList: string };
    const [h, p, sig] = body.trustList.split('.');
    const payload = JSON.parse(Buffer.from(p!, 'base64url').toString('utf8')) as { issuers: unknown[] };
    payload.issuers = [];
    writeFileSync(
      forged,
      JSON.stringify({
        ...body,
        trustList: `${h}.${Buffer.from(JSON.stringify(payload)).toString('base64url')}.${sig}`,
      }),
    );
    const f = await anxin(['verify', issued[0]!.presentation, '--trust-list', forged, '--json']);
    expectExit(f, 1);
    expect(f.json.error).to.deep.include({ code: 'UNTRUSTED', reason: 'bad_signature' });
  });

  it('verify judges an issuer revoked since an instant as the gateway does: earlier anchors pass, later ones fail', async () => {
    const platform = await gw.registerIssuer({ allowedTypes: ['LaborContract'] });
    const early = await gw.issue(platform.apiKey, 'LaborContract');
    await new Promise((r) => setTimeout(r, 20));
    const since = new Date().toISOString();
    await new Promise((r) => setTimeout(r, 20));
    const late = await gw.issue(platform.apiKey, 'LaborContract');
    const res = await gw.api('PATCH', `/v1/issuers/${encodeURIComponent(platform.id)}`, {
      key: gw.adminKey,
      body: { status: 'revoked', since },
    });
    expect(res.status, res.text).to.equal(200);
    const tl = await gw.api('GET', '/v1/trust-list');
    const file = join(tempDir('cli-trust'), 'trust.json');
    writeFileSync(file, tl.text);
    const sources = [
      ['--data', gw.dataDir],
      ['--trust-list', file, '--trust-key-thumbprint', (tl.body.kid as string).split('#')[1]!, '--status-url', gw.url],
    ];
    for (const source of sources) {
      const ok = await anxin(['verify', early.credential, ...source, '--json']);
      expectExit(ok, 0);
      expect(ok.json.authority).to.deep.include({ rule: 'anchored_before_revocation', basis: 'anchoredAt' });
      expect(ok.json.authority.issuer).to.deep.equal({ status: 'revoked', revokedSince: since });
      expect(ok.json.credential.issuer.onBehalfOf).to.deep.include({ member: 'employer', registeredAs: [] });
      const bad = await anxin(['verify', late.credential, ...source, '--json']);
      expectExit(bad, 1);
      expect(bad.json.reasons[0]).to.deep.include({ check: 'issuerTrusted', code: 'issuer_revoked' });
      expect(bad.json.authority.rule).to.equal('anchored_after_revocation');
      expect(bad.json).to.deep.equal({
        ...(await gw.verify(verifier, late.credential)),
        checkedAt: bad.json.checkedAt,
      });
    }
    // Offline, a trust list holds no anchors: nothing shows the credential came before the revocation.
    const offline = await anxin(['verify', early.credential, '--trust-list', file, '--json']);
    expectExit(offline, 1);
    expect(offline.json.reasons[0]).to.deep.include({ check: 'issuerTrusted', code: 'issuer_revoked' });
    expect(offline.json.authority).to.deep.include({ rule: 'issuer_revoked', basis: 'checkedAt' });
    const text = await anxin(['verify', early.credential, '--data', gw.dataDir]);
    expectExit(text, 0);
    expect(text.stdout).to.match(/authority +judged at \S+ \(anchoredAt\): anchored_before_revocation/);
    expect(text.stdout).to.match(
      /on behalf of +employer 成都蜀味坊火锅餐饮管理有限公司 \(91510107MA6CK3PQ12\); not a registered issuer/,
    );
  });
});
