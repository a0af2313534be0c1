/**
 * The worker's receipts over HTTP, authenticated by a WebCrypto P-256 device key (made
 * non-extractable, as a phone's browser makes it): POST /v1/holder/challenge, then
 * POST /v1/holder/receipts with an anxin-holder+jwt signed by that key lists every
 * verification of the credentials bound to it — the verifier by its registered name (the
 * label of its API key, else its id), never its key — and nothing of credentials bound to other keys. The nonce is good once; a wrong
 * signature, aud, typ or an old iat is refused with 401 holder_auth_failed and a code.
 */
import { createHash, randomUUID, webcrypto } from 'node:crypto';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { expect } from 'chai';
import { after, before, describe, it } from 'mocha';
import {
  TestGateway,
  expectProblem,
  expectVerified,
  presentWith,
  type ApiResponse,
  type RegisteredIssuer,
} from '../../helpers/gateway';

const { subtle } = webcrypto;
const b64u = (b: Uint8Array | string) => Buffer.from(b).toString('base64url');

interface WebDeviceKey {
  publicJwk: Record<string, string>;
  privateKey: webcrypto.CryptoKey;
}

async function webDeviceKey(): Promise<WebDeviceKey> {
  const pair = await subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, false, ['sign', 'verify']);
  const { kty, crv, x, y } = (await subtle.exportKey('jwk', pair.publicKey)) as Record<string, string>;
  return { publicJwk: { kty: kty!, crv: crv!, x: x!, y: y! }, privateKey: pair.privateKey };
}

/** A compact JWS signed with WebCrypto (whose ECDSA signature is already JOSE's r||s). */
async function signJwt(key: WebDeviceKey, header: Record<string, unknown>, payload: Record<string, unknown>) {
  const input = `${b64u(JSON.stringify({ alg: 'ES256', ...header }))}.${b64u(JSON.stringify(payload))}`;
  const sig = await subtle.sign({ name: 'ECDSA', hash: 'SHA-256' }, key.privateKey, Buffer.from(input));
  return `${input}.${b64u(new Uint8Array(sig))}`;
}

describe('e2e: a worker’s receipts, by its device key', function () {
  let gw: TestGateway;
  let cdc: RegisteredIssuer;
  let worker: WebDeviceKey;
  let stranger: WebDeviceKey;
  let verifierKey: string;
  const verifierName = 'hotpot-chunxi';
  const mine: string[] = [];
  let theirs: string;
  let checkedAt: string;
  let binding: string;

  const now = () => Math.floor(Date.now() / 1000);
  const challenge = async () => {
    const res = await gw.api('POST', '/v1/holder/challenge');
    expect(res.status).to.equal(200);
    return res.body as { nonce: string; aud: string; expiresAt: string };
  };
  const proofBy = async (key: WebDeviceKey, over: { header?: object; payload?: object; jwk?: object } = {}) => {
    const c = await challenge();
    return signJwt(
      key,
      { typ: 'anxin-holder+jwt', jwk: over.jwk ?? key.publicJwk, ...over.header },
      { aud: c.aud, nonce: c.nonce, iat: now(), ...over.payload },
    );
  };
  const receipts = (proof: string): Promise<ApiResponse> => gw.api('POST', '/v1/holder/receipts', { body: { proof } });
  const expectRefused = (res: ApiResponse, code: string) => {
    expectProblem(res, 401, 'holder_auth_failed');
    expect(res.body.errors[0]).to.include({ field: '/proof', code });
  };

  /** Issue a health certificate bound to `key`, proving possession with WebCrypto. */
  async function issueTo(key: WebDeviceKey): Promise<{ id: string; credential: string }> {
    const holderProof = await signJwt(
      key,
      { typ: 'openid4vci-proof+jwt', jwk: key.publicJwk },
      { aud: gw.services.publicUrl, iat: now(), nonce: await gw.cNonce() },
    );
    const res = await gw.api('POST', '/v1/credentials', {
      key: cdc.apiKey,
      body: {
        ...gw.issueBody('HealthCertificate', { format: 'dc+sd-jwt' }),
        holderPublicJwk: key.publicJwk,
        holderProof,
      },
    });
    expect(res.status, res.text).to.equal(201);
    return res.body;
  }

  async function present(credential: string, key: WebDeviceKey, nonce: string, aud: string) {
    const shown = presentWith(credential, (d) => !['idNumber', 'salt', 'ref'].includes(d.name ?? ''));
    const kb = await signJwt(
      key,
      { typ: 'kb+jwt' },
      { iat: now(), nonce, aud, sd_hash: createHash('sha256').update(shown).digest('base64url') },
    );
    return `${shown}${kb}`;
  }

  before(async () => {
    gw = await TestGateway.start();
    cdc = await gw.registerIssuer({ allowedTypes: ['HealthCertificate'] });
    verifierKey = await gw.verifierKey(verifierName);
    worker = await webDeviceKey();
    stranger = await webDeviceKey();
    const a = await issueTo(worker);
    const b = await issueTo(worker);
    mine.push(a.id, b.id);
    const other = await issueTo(stranger);
    theirs = other.id;
    const aud = 'https://hotpot.example.cn/verify';
    const nonce = `n-${randomUUID()}`;
    const report = await gw.verify(verifierKey, await present(a.credential, worker, nonce, aud), {
      nonce,
      audience: aud,
    });
    expectVerified(report, 'pass');
    checkedAt = report.checkedAt;
    binding = (report as { presentation: { binding: string } }).presentation.binding;
    const n2 = `n-${randomUUID()}`;
    expectVerified(
      await gw.verify(verifierKey, await present(other.credential, stranger, n2, aud), { nonce: n2, audience: aud }),
      'pass',
    );
  });
  after(async () => gw?.stop());

  it('POST /v1/holder/challenge: public, never cached, a fresh nonce, the receipts endpoint as aud', async () => {
    const res = await gw.api('POST', '/v1/holder/challenge');
    expect(res.status).to.equal(200);
    expect(res.headers.get('cache-control')).to.include('no-store');
    expect(res.body.nonce).to.match(/^[A-Za-z0-9_-]{32}$/);
    expect(res.body.aud).to.equal(`${gw.services.publicUrl}/v1/holder/receipts`);
    expect(Date.parse(res.body.expiresAt)).to.be.greaterThan(Date.now());
    expect((await challenge()).nonce).to.not.equal(res.body.nonce);
  });

  it('lists every verification of the credentials bound to the key, with who, when, result and binding', async () => {
    const res = await receipts(await proofBy(worker));
    expect(res.status, res.text).to.equal(200);
    expect(res.body.credentials.map((c: { id: string }) => c.id).sort()).to.deep.equal([...mine].sort());
    expect(res.body.receipts).to.deep.equal([
      {
        credentialId: mine[0],
        type: 'HealthCertificate',
        issuer: cdc.id,
        verifier: { name: verifierName },
        checkedAt,
        verified: true,
        binding,
      },
    ]);
    // Never the verifier's key, never another key's credential.
    expect(res.text).to.not.include(verifierKey.slice(0, 12));
    expect(res.text).to.not.include(theirs);
  });

  it('a check made a moment ago is listed at once', async () => {
    const aud = 'https://hotpot.example.cn/verify';
    const nonce = `n-${randomUUID()}`;
    const got = await gw.api('GET', `/v1/credentials/${encodeURIComponent(mine[1]!)}`, { key: cdc.apiKey });
    const r = await gw.verify(verifierKey, await present(got.body.credential, worker, nonce, aud), {
      nonce,
      audience: aud,
    });
    const res = await receipts(await proofBy(worker));
    expect(res.body.receipts[0]).to.include({ credentialId: mine[1], checkedAt: r.checkedAt });
  });

  it('a verifier whose API key has a label is named by it (its newest key in use with one)', async () => {
    const aud = 'https://noodles.example.cn/verify';
    const labelled = async (label: string) => {
      const res = await gw.api('POST', '/v1/api-keys', {
        key: gw.adminKey,
        body: { principal: { type: 'verifier', id: 'noodles-jinli' }, scopes: ['verify'], label },
      });
      expect(res.status, res.text).to.equal(201);
      return res.body as { apiKey: string; id: string };
    };
    const older = await labelled('锦里老面馆');
    const newer = await labelled('锦里面馆（总店）');
    const revoked = await gw.api('DELETE', `/v1/api-keys/${newer.id}`, { key: gw.adminKey });
    expect(revoked.status, revoked.text).to.equal(204);
    const nonce = `n-${randomUUID()}`;
    const got = await gw.api('GET', `/v1/credentials/${encodeURIComponent(mine[1]!)}`, { key: cdc.apiKey });
    const r = await gw.verify(older.apiKey, await present(got.body.credential, worker, nonce, aud), {
      nonce,
      audience: aud,
    });
    const res = await receipts(await proofBy(worker));
    expect(res.status, res.text).to.equal(200);
    expect(res.body.receipts[0]).to.deep.include({ credentialId: mine[1], checkedAt: r.checkedAt });
    expect(res.body.receipts[0].verifier).to.deep.equal({ name: '锦里老面馆' });
    // A verifier without a label is still named by its id.
    expect(res.body.receipts.at(-1).verifier).to.deep.equal({ name: verifierName });
  });

  it('nonce: a proof is good once; an unknown nonce is refused', async () => {
    const proof = await proofBy(worker);
    expect((await receipts(proof)).status).to.equal(200);
    expectRefused(await receipts(proof), 'nonce');
    const c = await challenge();
    expectRefused(
      await receipts(
        await signJwt(
          worker,
          { typ: 'anxin-holder+jwt', jwk: worker.publicJwk },
          { aud: c.aud, nonce: 'x'.repeat(32), iat: now() },
        ),
      ),
      'nonce',
    );
  });

  it('signature: signed by another key than the jwk it names', async () => {
    expectRefused(await receipts(await proofBy(stranger, { jwk: worker.publicJwk })), 'signature');
  });

  it('aud, iat, typ: another audience, an old proof, another typ', async () => {
    expectRefused(await receipts(await proofBy(worker, { payload: { aud: gw.services.publicUrl } })), 'aud');
    expectRefused(await receipts(await proofBy(worker, { payload: { iat: now() - 3600 } })), 'iat');
    expectRefused(await receipts(await proofBy(worker, { header: { typ: 'openid4vci-proof+jwt' } })), 'typ');
  });

  it('a refused proof does not spend its nonce', async () => {
    const c = await challenge();
    const bad = await signJwt(
      stranger,
      { typ: 'anxin-holder+jwt', jwk: worker.publicJwk },
      { aud: c.aud, nonce: c.nonce, iat: now() },
    );
    expectRefused(await receipts(bad), 'signature');
    const good = await signJwt(
      worker,
      { typ: 'anxin-holder+jwt', jwk: worker.publicJwk },
      { aud: c.aud, nonce: c.nonce, iat: now() },
    );
    expect((await receipts(good)).status).to.equal(200);
  });

  it('credentials recorded before holder keys were indexed are indexed at the next start', async () => {
    // Forget the index, as a store of an earlier version has none; the restart fills it in from the sealed credentials.
    await gw.running.close();
    const db = new Database(join(gw.dataDir, 'store.sqlite'));
    db.prepare('UPDATE credentials SET holder_jkt = NULL').run();
    db.close();
    await gw.restart();
    const res = await receipts(await proofBy(worker));
    expect(res.status, res.text).to.equal(200);
    expect(res.body.credentials.map((c: { id: string }) => c.id).sort()).to.deep.equal([...mine].sort());
    expect(res.body.receipts.map((r: { credentialId: string }) => r.credentialId)).to.include(mine[0]);
  });

  it('validation_failed: a body without a compact JWS', async () => {
    expectProblem(
      await gw.api('POST', '/v1/holder/receipts', { body: { proof: 'not a jwt' } }),
      400,
      'validation_failed',
    );
  });
});
