/**
 * anxin verify --offline: verification from files alone — a trust list saved from a gateway
 * (valid until its exp, each issuer with its metadata URL) and the status lists saved from
 * it — as a verifier without Anxin's API does it. Active credentials verify "as of" the
 * lists' time; a revoked and a suspended one fail with their codes; a status list past its
 * exp fails status_list_expired; a trust list past its exp is refused (EXPIRED).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import { after, before, describe, it } from 'mocha';
import { CompactSign, decodeJwt, decodeProtectedHeader } from 'jose';
import { verifyCredential, type VerifyDeps } from '@anxin/gateway/verify';
import { ledgerKid } from '@anxin/schemas';
import { TestGateway, type Issued, type RegisteredIssuer } from '../helpers/gateway';
import { tempDir } from '../helpers';
import { anxin, expectExit } from './fixture';

type SignKey = Parameters<CompactSign['sign']>[0];

const payloadOf = (c: Issued) => decodeJwt(c.credential.split('~')[0]!) as Record<string, unknown>;

/** The lists a credential points at. */
function listUrls(c: Issued): string[] {
  const p = payloadOf(c);
  if (c.format === 'dc+sd-jwt') return [(p.status as { status_list: { uri: string } }).status_list.uri];
  return (p.credentialStatus as Array<{ type: string; statusListCredential?: string }>)
    .filter((e) => e.type === 'BitstringStatusListEntry')
    .map((e) => e.statusListCredential!);
}

describe('cli: verify --offline, from a trust list and status list files', function () {
  this.timeout(120_000);
  let gw: TestGateway;
  let clinic: RegisteredIssuer;
  let dir: string;
  let trustFile: string;
  let thumb: string;
  const c: Record<'activeJwt' | 'activeSd' | 'revoked' | 'suspended', Issued> = {} as never;

  /** Save every list the credentials point at into `to`, one file each; the list bodies by URL. */
  async function saveLists(to: string, cs: Issued[]): Promise<Map<string, string>> {
    mkdirSync(to, { recursive: true });
    const lists = new Map<string, string>();
    for (const x of cs)
      for (const url of listUrls(x)) {
        const res = await fetch(url);
        expect(res.status, url).to.equal(200);
        lists.set(url, await res.text());
      }
    let n = 0;
    for (const jwt of lists.values()) writeFileSync(join(to, `list-${n++}.jwt`), jwt);
    return lists;
  }

  before(async () => {
    gw = await TestGateway.start();
    clinic = await gw.registerIssuer({ allowedTypes: ['HealthCertificate'] });
    c.activeJwt = await gw.issue(clinic.apiKey, 'HealthCertificate', { format: 'vc+jwt' });
    c.activeSd = await gw.issue(clinic.apiKey, 'HealthCertificate', { format: 'dc+sd-jwt' });
    c.revoked = await gw.issue(clinic.apiKey, 'HealthCertificate', { format: 'vc+jwt' });
    c.suspended = await gw.issue(clinic.apiKey, 'HealthCertificate', { format: 'dc+sd-jwt' });
    expect((await gw.changeStatus(clinic.apiKey, c.revoked.id, 'revoke', 're_examination_failed')).status).to.equal(
      200,
    );
    expect((await gw.changeStatus(clinic.apiKey, c.suspended.id, 'suspend', 'investigation')).status).to.equal(200);
    dir = tempDir('cli-offline');
    const tl = await gw.api('GET', '/v1/trust-list');
    trustFile = join(dir, 'trust.json');
    writeFileSync(trustFile, tl.text);
    thumb = (tl.body.kid as string).split('#')[1]!;
    // The lists show a change within moments of its commit: save them once both show.
    const issuers = gw.services.projection.issuers;
    for (const t0 = Date.now(); ;) {
      const lists = await saveLists(join(dir, 'lists'), Object.values(c));
      const deps: VerifyDeps = {
        issuer: (id) => issuers.get(id),
        statusList: async (u) => lists.get(u),
        now: () => new Date(),
      };
      const codes = [
        ...(await verifyCredential(c.revoked.presentation, deps)).reasons,
        ...(await verifyCredential(c.suspended.presentation, deps)).reasons,
      ].map((r) => r.code);
      if ((codes.includes('revoked') && codes.includes('suspended')) || Date.now() - t0 > 5000) break;
      await new Promise((r) => setTimeout(r, 50));
    }
  });
  after(async () => gw?.stop());

  const offline = (credential: string, ...more: string[]) =>
    anxin(['verify', credential, '--offline', '--trust-list', trustFile, '--trust-key-thumbprint', thumb, ...more]);

  it('the signed trust list has an exp, and each issuer its URL and the URL of its JWT VC Issuer Metadata', async () => {
    const body = (await gw.api('GET', '/v1/trust-list')).body as { trustList: string };
    const p = decodeJwt(body.trustList) as { iat: number; exp: number; issuers: Array<Record<string, string>> };
    expect(p.exp).to.be.greaterThan(p.iat);
    const mine = p.issuers.find((i) => i.id === clinic.id)!;
    expect(mine.url).to.match(/^https?:\/\/.+\/issuers\/[a-z0-9-]+$/);
    const res = await fetch(mine.metadata!.replace(/^https?:\/\/[^/]+/, gw.url));
    expect(res.status).to.equal(200);
    expect(((await res.json()) as { issuer: string }).issuer).to.equal(mine.url);
  });

  for (const which of ['activeJwt', 'activeSd'] as const)
    it(`${which === 'activeJwt' ? 'vc+jwt' : 'dc+sd-jwt'}: verified from the files, "status as of" the lists' time`, async () => {
      const r = await offline(c[which].presentation, '--status-list', join(dir, 'lists'), '--json');
      expectExit(r, 0);
      expect(r.json.verified).to.equal(true);
      expect(r.json.checks).to.include({ status: 'pass', anchored: 'skipped', digestMatches: 'skipped' });
      expect(r.json.statusList.status).to.equal('active');
      expect(Date.parse(r.json.statusList.asOf)).to.be.at.most(Date.now());
      const text = await offline(c[which].presentation, '--status-list', join(dir, 'lists'));
      expectExit(text, 0);
      expect(text.stdout).to.include(`status as of ${r.json.statusList.asOf as string}`);
    });

  it('a revoked and a suspended credential fail through the lists alone', async () => {
    for (const [x, code] of [
      [c.revoked, 'revoked'],
      [c.suspended, 'suspended'],
    ] as const) {
      const r = await offline(x.presentation, '--status-list', join(dir, 'lists'), '--json');
      expectExit(r, 1);
      expect(r.json.reasons.map((y: { code: string }) => y.code)).to.deep.equal([code]);
      expect(r.json.statusList.status).to.equal(code);
    }
  });

  it('a status list past its exp: status_list_expired, never verified; a list not given: status_list_unavailable', async () => {
    const url = listUrls(c.activeSd)[0]!;
    const jwt = (await saveLists(join(dir, 'fresh'), [c.activeSd])).get(url)!;
    // The issuer's own key signs a list that expired a second after it was signed.
    const p = decodeJwt(jwt);
    const signer = (await gw.services.keys.signer(ledgerKid(decodeProtectedHeader(jwt).kid!)))!;
    const expired = await new CompactSign(new TextEncoder().encode(JSON.stringify({ ...p, exp: p.iat! + 1 })))
      .setProtectedHeader(decodeProtectedHeader(jwt) as { alg: string })
      .sign(signer.privateKey as SignKey);
    const expiredDir = join(dir, 'expired');
    mkdirSync(expiredDir, { recursive: true });
    writeFileSync(join(expiredDir, 'list.jwt'), expired);
    await new Promise((r) => setTimeout(r, Math.max(0, (p.iat! + 2) * 1000 - Date.now())));
    const r = await offline(c.activeSd.presentation, '--status-list', expiredDir, '--json');
    expectExit(r, 1);
    expect(r.json.verified).to.equal(false);
    expect(r.json.reasons.map((y: { code: string }) => y.code)).to.deep.equal(['status_list_expired']);
    expect(r.json.statusList).to.include({ status: 'active', exp: new Date((p.iat! + 1) * 1000).toISOString() });

    const none = await offline(c.activeJwt.presentation, '--status-list', expiredDir, '--json');
    expectExit(none, 1);
    expect(none.json.reasons.map((y: { code: string }) => y.code)).to.deep.equal(['status_list_unavailable']);
  });

  it('a trust list past its exp is refused: EXPIRED, exit 1', async () => {
    const body = (await gw.api('GET', '/v1/trust-list')).body as { trustList: string; kid: string; publicJwk: object };
    const header = decodeProtectedHeader(body.trustList);
    const p = decodeJwt(body.trustList);
    const signer = (await gw.services.keys.signer(body.kid))!;
    const old = await new CompactSign(
      new TextEncoder().encode(JSON.stringify({ ...p, iat: p.iat! - 90_000, exp: p.iat! - 3600 })),
    )
      .setProtectedHeader(header as { alg: string })
      .sign(signer.privateKey as SignKey);
    const file = join(dir, 'trust-expired.json');
    writeFileSync(file, JSON.stringify({ ...body, trustList: old }));
    const r = await anxin([
      'verify',
      c.activeJwt.presentation,
      '--offline',
      '--trust-list',
      file,
      '--status-list',
      join(dir, 'lists'),
      '--json',
    ]);
    expectExit(r, 1);
    expect(r.json.error.code).to.equal('EXPIRED');
    expect(r.json.verified).to.equal(undefined);
  });

  it('--status-list without --offline, or --offline with a ledger: usage errors', async () => {
    const a = await anxin([
      'verify',
      c.activeJwt.presentation,
      '--trust-list',
      trustFile,
      '--status-list',
      join(dir, 'lists'),
      '--json',
    ]);
    expectExit(a, 2);
    expect(a.json.error.code).to.equal('USAGE');
    const b = await offline(c.activeJwt.presentation, '--data', gw.dataDir, '--json');
    expectExit(b, 2);
    expect(b.json.error.code).to.equal('USAGE');
  });
});
