/**
 * A credential bound to the worker's device key (cnf) is never verified without a valid
 * key-binding JWT — a screenshot of a work card, its KB-JWT cut off, must not live forever.
 * Every way in says so, whatever the request asks (holderBinding "optional" included): JSON
 * on the fast lane and through express, text/plain, the batch, the verification threads, and
 * `holderBinding: "skipped"` stays for credentials with no cnf.
 */
import { request } from 'node:http';
import { expect } from 'chai';
import { after, before, describe, it } from 'mocha';
import { VerifierPool, verifyDeps } from '@anxin/gateway/server';
import { presentCredential } from '@anxin/gateway/workcard';
import {
  TestGateway,
  deviceKey,
  expectFailed,
  expectVerified,
  withoutCommitment,
  type DeviceKey,
  type Issued,
  type Loose,
  type RegisteredIssuer,
  type Report,
} from '../../helpers/gateway';

/** POST a JSON body chunked (no Content-Length): express serves it, not the JSON lane. */
function chunkedJson(gw: TestGateway, path: string, key: string, body: unknown): Promise<Loose> {
  return new Promise((resolve, reject) => {
    const req = request(
      `${gw.url}${path}`,
      {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'transfer-encoding': 'chunked',
          authorization: `Bearer ${key}`,
        },
      },
      (res) => {
        const parts: Buffer[] = [];
        res.on('data', (c: Buffer) => parts.push(c));
        res.on('end', () => {
          expect(res.statusCode).to.equal(200);
          resolve(JSON.parse(Buffer.concat(parts).toString('utf8')));
        });
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    const text = JSON.stringify(body);
    req.write(text.slice(0, 100));
    req.end(text.slice(100));
  });
}

/** Not verified, only because the key-binding JWT is missing; judged in static mode. */
function expectMissing(r: Report): void {
  expectFailed(r, 'holderBinding', 'kb_missing');
  expect(r.reasons.map((x) => `${x.check}:${x.code}`)).to.deep.equal(['holderBinding:kb_missing']);
  expect(r.presentation).to.deep.equal({ binding: 'static' });
}

describe('e2e: a credential bound to a key needs its key-binding JWT, whatever the request asks', function () {
  let gw: TestGateway;
  let verifier: string;
  let cdc: RegisteredIssuer;
  let device: DeviceKey;
  let bound: Issued;
  /** A work card as the phone made it (KB-JWT included), and the same with the KB-JWT cut off. */
  let card: string;
  let screenshot: string;

  before(async () => {
    gw = await TestGateway.start();
    verifier = await gw.verifierKey();
    cdc = await gw.registerIssuer({ allowedTypes: ['HealthCertificate'] });
    device = deviceKey();
    bound = await gw.issue(cdc.apiKey, 'HealthCertificate', { format: 'dc+sd-jwt', holderKey: device.privateJwk });
    card = (
      await presentCredential(bound.credential, {
        disclose: ['holder.name', 'healthCertificate.result'],
        holderKey: device.privateJwk,
      })
    ).presentation;
    screenshot = card.slice(0, card.lastIndexOf('~') + 1);
    expect(screenshot.length).to.be.lessThan(card.length);
  });
  after(async () => gw?.stop());

  it('the card itself verifies (static mode); the card without its KB-JWT does not', async () => {
    const ok = await gw.verify(verifier, card);
    expectVerified(ok, 'pass');
    expect(ok.presentation).to.deep.equal({ binding: 'static' });
    expectMissing(await gw.verify(verifier, screenshot));
  });

  for (const holderBinding of [undefined, 'optional', 'required'] as const) {
    const asked = holderBinding ? `holderBinding "${holderBinding}"` : 'no holderBinding';
    it(`JSON on the fast lane and through express, with ${asked}: kb_missing`, async () => {
      const body = { credential: screenshot, ...(holderBinding ? { holderBinding } : {}) };
      expectMissing((await gw.api('POST', '/v1/verify', { key: verifier, body })).body);
      expectMissing(await chunkedJson(gw, '/v1/verify', verifier, body));
    });

    it(`the batch (lane-less, express), with ${asked}: kb_missing, the card beside it verified`, async () => {
      const body = { credentials: [screenshot, card], ...(holderBinding ? { holderBinding } : {}) };
      const res = await gw.api('POST', '/v1/verify/batch', { key: verifier, body });
      expect(res.status).to.equal(200);
      expect(res.body.summary).to.deep.equal({ total: 2, verified: 1, failed: 1 });
      expectMissing(res.body.results[0]);
      expectVerified(res.body.results[1], 'pass');
    });
  }

  it('text/plain (a QR text as scanned, and a verifier link): kb_missing', async () => {
    for (const text of [`ANXIN:${screenshot}`, `${gw.url}/verify#${encodeURIComponent(screenshot)}`]) {
      const res = await gw.api('POST', '/v1/verify', {
        key: verifier,
        body: text,
        headers: { 'content-type': 'text/plain' },
      });
      expect(res.status).to.equal(200);
      expectMissing(res.body);
    }
  });

  it('in verification threads and inline alike: kb_missing (the rule is in the decision itself)', async () => {
    const threads = new VerifierPool(1, verifyDeps(gw.services), gw.services.projection);
    const inline = new VerifierPool(0, verifyDeps(gw.services), gw.services.projection);
    try {
      expectMissing((await threads.verify(screenshot)) as unknown as Report);
      expectMissing((await inline.verify(screenshot)) as unknown as Report);
      // Options from before the rule cannot weaken it.
      const legacy = { holderBinding: 'optional' } as never;
      expectMissing((await threads.verify(screenshot, legacy)) as unknown as Report);
    } finally {
      await threads.close();
      await inline.close();
    }
  });

  it('the credential as issued, every disclosure and no KB-JWT: not verified either', async () => {
    const r = await gw.verify(verifier, bound.credential, { holderBinding: 'optional' });
    expect(r.verified).to.equal(false);
    expectMissing(await gw.verify(verifier, withoutCommitment(bound.credential), { holderBinding: 'optional' }));
  });

  it('a credential with no cnf has nothing to bind: holderBinding skipped, verified, no presentation mode', async () => {
    const plain = await gw.issue(cdc.apiKey, 'HealthCertificate', { format: 'dc+sd-jwt' });
    const r = await gw.verify(verifier, withoutCommitment(plain.credential), { holderBinding: 'required' });
    expectVerified(r, 'skipped');
    expect(r).not.to.have.property('presentation');
  });
});
