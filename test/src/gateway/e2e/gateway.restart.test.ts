/**
 * Restarting the gateway mid-suite on the same data directory: everything issued before
 * still verifies, revocations and suspensions still hold, the admin key file is left
 * alone, the projection resumes from its checkpoint without redoing work, and every API
 * key (admin, issuer, verifier) and Idempotency-Key still works.
 */
import { readFileSync, statSync } from 'node:fs';
import http from 'node:http';
import { expect } from 'chai';
import { after, before, it } from 'mocha';
import { ledgerKid, type CredentialType } from '@anxin/schemas';
import {
  CREDENTIAL_TYPES,
  FORMATS,
  TestGateway,
  decodeJws,
  expectFailed,
  expectProblem,
  expectVerified,
  type Issued,
  type RegisteredIssuer,
  describeOnLedgers,
} from '../../helpers/gateway';

describeOnLedgers('e2e: restart on the same data directory', function (ledger) {
  let gw: TestGateway;
  let verifier: string;
  const issuers = new Map<CredentialType, RegisteredIssuer>();
  const issued: Array<Issued & { type: CredentialType }> = [];
  let revoked: Issued;
  let suspended: Issued;
  let rotatedKid: string;
  let before1: {
    url: string;
    adminFile: string;
    adminMtime: number;
    height: number;
    blockHash: string;
    issuers: string;
    anchors: Map<string, { block: number; updatedBlock: number; updatedTx: number; status: string }>;
    idem: { key: string; body: Record<string, unknown>; id: string };
  };

  before(async () => {
    gw = await TestGateway.start({ ledger });
    verifier = await gw.verifierKey();
    for (const t of CREDENTIAL_TYPES) issuers.set(t, await gw.registerIssuer({ allowedTypes: [t] }));
    for (const t of CREDENTIAL_TYPES) {
      for (const format of FORMATS)
        issued.push({ ...(await gw.issue(issuers.get(t)!.apiKey, t, { format })), type: t });
    }
    revoked = await gw.issue(issuers.get('HealthCertificate')!.apiKey, 'HealthCertificate');
    expect(
      (await gw.changeStatus(issuers.get('HealthCertificate')!.apiKey, revoked.id, 'revoke', 're_examination_failed'))
        .status,
    ).to.equal(200);
    suspended = await gw.issue(issuers.get('SkillCertificate')!.apiKey, 'SkillCertificate', { format: 'dc+sd-jwt' });
    expect(
      (await gw.changeStatus(issuers.get('SkillCertificate')!.apiKey, suspended.id, 'suspend', 'investigation')).status,
    ).to.equal(200);
    // One issuer rotated its key: its older credentials were signed by a now-retired key.
    const rot = await gw.api('POST', `/v1/issuers/${encodeURIComponent(issuers.get('LaborContract')!.id)}/keys`, {
      key: gw.adminKey,
      body: {},
    });
    expect(rot.status).to.equal(201);
    rotatedKid = rot.body.keys[1].kid;
    const idemBody = gw.issueBody('LaborContract');
    const idem = await gw.api('POST', '/v1/credentials', {
      key: issuers.get('LaborContract')!.apiKey,
      body: idemBody,
      headers: { 'idempotency-key': 'before-restart-0001' },
    });
    expect(idem.status).to.equal(201);

    const info = await gw.api('GET', '/v1/ledger/info');
    const anchors = new Map<string, { block: number; updatedBlock: number; updatedTx: number; status: string }>();
    for (const c of [...issued, revoked, suspended]) {
      const a = (await gw.services.store.getAnchor(c.id))!;
      anchors.set(c.id, { block: a.block, updatedBlock: a.updatedBlock, updatedTx: a.updatedTx, status: a.status });
    }
    before1 = {
      url: gw.url,
      adminFile: readFileSync(gw.running.adminKeyFile, 'utf8'),
      adminMtime: statSync(gw.running.adminKeyFile).mtimeMs,
      height: info.body.height,
      blockHash: info.body.currentBlockHash,
      issuers: JSON.stringify((await gw.api('GET', '/v1/issuers')).body),
      anchors,
      idem: { key: 'before-restart-0001', body: idemBody, id: idem.body.id },
    };
    expect(info.body.projectedTo).to.equal(info.body.height);

    const again = await gw.restart();
    expect(again.adminKey, 'a later start creates no admin key').to.equal(undefined);
    expect(again.ledgerInitialised).to.equal(false);
  });
  after(async () => gw?.stop());

  it('listens again (a new port), ready, with the same ledger: no new blocks from the restart', async () => {
    expect(gw.url).to.not.equal('');
    expect((await gw.api('GET', '/readyz')).status).to.equal(200);
    const info = await gw.api('GET', '/v1/ledger/info');
    expect(info.body.height).to.equal(before1.height);
    expect(info.body.currentBlockHash).to.equal(before1.blockHash);
  });

  it('the admin key file is not rewritten, and the admin key still works', async () => {
    expect(readFileSync(gw.running.adminKeyFile, 'utf8')).to.equal(before1.adminFile);
    expect(statSync(gw.running.adminKeyFile).mtimeMs).to.equal(before1.adminMtime);
    expect(statSync(gw.running.adminKeyFile).mode & 0o777).to.equal(0o600);
    expect(before1.adminFile.trim()).to.equal(gw.adminKey);
    expect((await gw.api('GET', '/v1/api-keys', { key: gw.adminKey })).status).to.equal(200);
  });

  it('everything issued before still verifies (retired key included)', async () => {
    for (const c of issued) {
      const r = await gw.verify(verifier, c.presentation);
      expectVerified(r);
      expect(r.anchor!.block).to.equal(c.anchor.block);
    }
    expect(
      issued.some(
        (c) => c.type === 'LaborContract' && ledgerKid(decodeJws(c.credential).header.kid as string) !== rotatedKid,
      ),
    ).to.equal(true);
  });

  it('the revocation and the suspension still hold', async () => {
    expectFailed(await gw.verify(verifier, revoked.presentation), 'status', 'revoked');
    expectFailed(await gw.verify(verifier, suspended.presentation), 'status', 'suspended');
  });

  it('the projection resumed at its checkpoint: nothing re-applied, the registry unchanged', async () => {
    const info = await gw.api('GET', '/v1/ledger/info');
    expect(info.body.projectedTo).to.equal(info.body.height);
    for (const [id, was] of before1.anchors) {
      const a = (await gw.services.store.getAnchor(id))!;
      expect(
        { block: a.block, updatedBlock: a.updatedBlock, updatedTx: a.updatedTx, status: a.status },
        id,
      ).to.deep.equal(was);
    }
    expect(JSON.stringify((await gw.api('GET', '/v1/issuers')).body)).to.equal(before1.issuers);
  });

  it('issuer API keys still work: read, issue (with the rotated key), change status', async () => {
    const labor = issuers.get('LaborContract')!;
    const old = issued.find((c) => c.type === 'LaborContract')!;
    const read = await gw.api('GET', `/v1/credentials/${old.id}`, { key: labor.apiKey });
    expect(read.status).to.equal(200);
    expect(read.body.credential).to.equal(old.credential);
    const c = await gw.issue(labor.apiKey, 'LaborContract', { format: 'dc+sd-jwt' });
    expect(ledgerKid(decodeJws(c.credential).header.kid as string)).to.equal(rotatedKid);
    expect(c.anchor.block).to.be.at.least(before1.height);
    expectVerified(await gw.verify(verifier, c.presentation));
    const health = issuers.get('HealthCertificate')!;
    const h = issued.find((x) => x.type === 'HealthCertificate')!;
    expect((await gw.changeStatus(health.apiKey, h.id, 'suspend', 're_examination_pending')).status).to.equal(200);
    expectFailed(await gw.verify(verifier, h.presentation), 'status', 'suspended');
    expect((await gw.changeStatus(health.apiKey, h.id, 'reinstate', 're_examination_passed')).status).to.equal(200);
    expectVerified(await gw.verify(verifier, h.presentation));
    const info = await gw.api('GET', '/v1/ledger/info');
    expect(info.body.projectedTo).to.equal(info.body.height);
  });

  it('an Idempotency-Key used before the restart still returns the same credential', async () => {
    const again = await gw.api('POST', '/v1/credentials', {
      key: issuers.get('LaborContract')!.apiKey,
      body: before1.idem.body,
      headers: { 'idempotency-key': before1.idem.key },
    });
    expect(again.status, again.text).to.be.oneOf([200, 201]);
    expect(again.body.id).to.equal(before1.idem.id);
    expectProblem(
      await gw.api('POST', '/v1/credentials', {
        key: issuers.get('LaborContract')!.apiKey,
        body: { ...before1.idem.body, holder: { name: '王秀英', idNumber: '11010519491231002X' } },
        headers: { 'idempotency-key': before1.idem.key },
      }),
      422,
      'idempotency_key_reused',
    );
  });

  it('a second restart changes nothing either', async () => {
    const h = await gw.height();
    await gw.restart();
    expect(await gw.height()).to.equal(h);
    for (const c of issued.slice(0, 2)) expectVerified(await gw.verify(verifier, c.presentation));
    expectFailed(await gw.verify(verifier, revoked.presentation), 'status', 'revoked');
    expect(readFileSync(gw.running.adminKeyFile, 'utf8')).to.equal(before1.adminFile);
  });

  it('graceful shutdown: a request in flight when close() starts still gets its answer; new connections are refused', async () => {
    const url = new URL(gw.url);
    const body = Buffer.from(JSON.stringify({ credential: issued[0]!.presentation }));
    const answer = new Promise<{ status: number; text: string }>((resolve, reject) => {
      const req = http.request(
        {
          host: url.hostname,
          port: url.port,
          path: '/v1/verify',
          method: 'POST',
          agent: false,
          headers: {
            authorization: `Bearer ${verifier}`,
            'content-type': 'application/json',
            'content-length': body.length,
          },
        },
        (res) => {
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (c: string) => (text += c));
          res.on('end', () => resolve({ status: res.statusCode!, text }));
        },
      );
      req.on('error', reject);
      // Half the body now: the request is in the server's hands, waiting for the rest.
      req.write(body.subarray(0, 100));
      setTimeout(() => {
        closing = gw.running.close();
        setTimeout(() => req.end(body.subarray(100)), 50);
      }, 50);
    });
    let closing: Promise<void> | undefined;
    const res = await answer;
    expect(res.status, res.text).to.equal(200);
    expect((JSON.parse(res.text) as { verified: boolean }).verified).to.equal(true);
    await closing;
    const refused = await fetch(`${gw.url}/healthz`).then(
      () => 'answered',
      () => 'refused',
    );
    expect(refused).to.equal('refused');
    await gw.restart();
    expectVerified(await gw.verify(verifier, issued[0]!.presentation));
  });
});
