/**
 * Binding a credential to a worker's key takes proof of holding that key (OpenID4VCI 1.0's
 * `jwt` proof type over a c_nonce from POST /v1/nonce): without it anyone could bind a
 * worker's credential to a key of their own. POST /v1/nonce is public, fresh, never cached;
 * a good proof binds (ES256 and EdDSA) and spends its c_nonce; a missing or bad proof is a
 * 400 naming /holderProof with a stable code, and anchors nothing; a holderPublicJwk that is
 * not a public key on its curve is a 400 naming /holderPublicJwk.
 */
import { createPrivateKey, type JsonWebKey } from 'node:crypto';
import { expect } from 'chai';
import { CompactSign, SignJWT } from 'jose';
import { after, before, describe, it } from 'mocha';
import { C_NONCE_TTL_S } from '@anxin/gateway/server';
import {
  TestGateway,
  decodeJws,
  deviceKey,
  expectProblem,
  type ApiResponse,
  type DeviceKey,
  type RegisteredIssuer,
} from '../../helpers/gateway';

const b64u = (s: string) => Buffer.from(s).toString('base64url');

describe('e2e: issuance bound to a holder key needs proof of holding it', function () {
  let gw: TestGateway;
  let cdc: RegisteredIssuer;
  let worker: DeviceKey;

  /** A proof signed by `signer` with this header and payload (for proofs that break one rule each). */
  async function proofWith(
    signer: JsonWebKey,
    header: Record<string, unknown>,
    payload: Record<string, unknown>,
  ): Promise<string> {
    return new CompactSign(Buffer.from(JSON.stringify(payload)))
      .setProtectedHeader(header as never)
      .sign(createPrivateKey({ key: signer, format: 'jwk' }));
  }

  /** Header and payload of a good proof by `worker`, each to be changed. */
  async function parts(): Promise<{ header: Record<string, unknown>; payload: Record<string, unknown> }> {
    return {
      header: { alg: 'ES256', typ: 'openid4vci-proof+jwt', jwk: worker.publicJwk },
      payload: { aud: gw.services.publicUrl, iat: Math.floor(Date.now() / 1000), nonce: await gw.cNonce() },
    };
  }

  function issueWith(body: { holderPublicJwk?: unknown; holderProof?: unknown }, key = cdc.apiKey) {
    return gw.api('POST', '/v1/credentials', {
      key,
      body: { ...gw.issueBody('HealthCertificate', { format: 'dc+sd-jwt' }), ...body },
    });
  }

  function expectProofRefused(res: ApiResponse, code: string): void {
    expectProblem(res, 400, 'holder_proof_invalid');
    expect(res.body.errors).to.have.length(1);
    expect(res.body.errors[0]).to.deep.include({ field: '/holderProof', code });
  }

  before(async () => {
    gw = await TestGateway.start();
    cdc = await gw.registerIssuer({ allowedTypes: ['HealthCertificate'] });
    worker = deviceKey();
  });
  after(async () => gw?.stop());

  describe('POST /v1/nonce (OpenID4VCI Nonce Endpoint)', () => {
    it('public, 200 { c_nonce }, unpredictable, never cached', async () => {
      const a = await gw.api('POST', '/v1/nonce');
      expect(a.status).to.equal(200);
      expect(a.contentType).to.match(/^application\/json/);
      expect(a.headers.get('cache-control')).to.include('no-store');
      expect(Object.keys(a.body)).to.deep.equal(['c_nonce']);
      expect(a.body.c_nonce).to.match(/^[A-Za-z0-9_-]{32}$/);
      const b = await gw.api('POST', '/v1/nonce');
      expect(b.body.c_nonce).not.to.equal(a.body.c_nonce);
      expect(C_NONCE_TTL_S).to.be.within(60, 900);
    });
  });

  describe('a good proof', () => {
    for (const alg of ['ES256', 'EdDSA'] as const) {
      it(`${alg}: 201, the credential carries the key as cnf.jwk; the c_nonce is spent`, async () => {
        const device = deviceKey(alg);
        const proof = await gw.holderProof(device.privateJwk);
        expect(proof.holderPublicJwk).to.deep.equal(device.publicJwk);
        const { header, payload } = decodeJws(proof.holderProof);
        expect(header).to.deep.equal({ alg, typ: 'openid4vci-proof+jwt', jwk: device.publicJwk });
        expect(payload.aud).to.equal(gw.services.publicUrl);
        const res = await issueWith(proof);
        expect(res.status, res.text).to.equal(201);
        expect(decodeJws(res.body.credential).payload.cnf).to.deep.equal({ jwk: device.publicJwk });
        // The same proof again: its c_nonce is used.
        expectProofRefused(await issueWith(proof), 'nonce');
      });
    }

    it('with an Idempotency-Key, a retry is the same request, repeating its spent proof or bringing a fresh one', async () => {
      const body = gw.issueBody('HealthCertificate', { format: 'dc+sd-jwt' });
      const key = `bind-retry-${Date.now()}`;
      const send = (proof: object) =>
        gw.api('POST', '/v1/credentials', {
          key: cdc.apiKey,
          body: { ...body, ...proof },
          headers: { 'idempotency-key': key },
        });
      const proof = await gw.holderProof(worker.privateJwk);
      const first = await send(proof);
      expect(first.status, first.text).to.equal(201);
      for (const retry of [proof, await gw.holderProof(worker.privateJwk)]) {
        const again = await send(retry);
        expect(again.status, again.text).to.equal(201);
        expect(again.body.id).to.equal(first.body.id);
      }
    });

    it('a refused proof does not spend its c_nonce: the right proof over it then binds', async () => {
      const nonce = await gw.cNonce();
      const wrong = await gw.holderProof(worker.privateJwk, { nonce, aud: 'https://another-issuer.example.cn' });
      expectProofRefused(await issueWith(wrong), 'aud');
      const res = await issueWith(await gw.holderProof(worker.privateJwk, { nonce }));
      expect(res.status, res.text).to.equal(201);
    });
  });

  describe('refused: 400 naming /holderProof, nothing anchored', () => {
    let height: number;
    before(async () => {
      height = await gw.height();
    });
    after(async () => {
      expect(await gw.height(), 'no refused request reached the ledger').to.equal(height);
    });

    it('holderPublicJwk without holderProof: validation_failed, /holderProof required', async () => {
      const res = await issueWith({ holderPublicJwk: worker.publicJwk });
      expectProblem(res, 400, 'validation_failed');
      expect(res.body.errors).to.deep.include({
        field: '/holderProof',
        code: 'required',
        message: res.body.errors.find((e: { field: string }) => e.field === '/holderProof').message,
      });
    });

    it('not a JWS, or a typ that is not openid4vci-proof+jwt (a KB-JWT, a plain JWT)', async () => {
      expectProofRefused(
        await issueWith({
          holderPublicJwk: worker.publicJwk,
          holderProof: `${b64u('not json')}.${b64u('{}')}.c2lnbmF0dXJl`,
        }),
        'malformed',
      );
      for (const typ of ['kb+jwt', 'JWT', undefined]) {
        const { header, payload } = await parts();
        const proof = await proofWith(worker.privateJwk, { ...header, typ }, payload);
        expectProofRefused(await issueWith({ holderPublicJwk: worker.publicJwk, holderProof: proof }), 'typ');
      }
    });

    it('alg none, or HS256 (a MAC): alg', async () => {
      const { payload } = await parts();
      const none = `${b64u(JSON.stringify({ alg: 'none', typ: 'openid4vci-proof+jwt', jwk: worker.publicJwk }))}.${b64u(JSON.stringify(payload))}.AA`;
      expectProofRefused(await issueWith({ holderPublicJwk: worker.publicJwk, holderProof: none }), 'alg');
      const hs = await new SignJWT(payload)
        .setProtectedHeader({ alg: 'HS256', typ: 'openid4vci-proof+jwt', jwk: worker.publicJwk } as never)
        .sign(new TextEncoder().encode('a shared secret of thirty-two bytes!'));
      expectProofRefused(await issueWith({ holderPublicJwk: worker.publicJwk, holderProof: hs }), 'alg');
    });

    it("signed by a thief's key while naming the worker's: signature", async () => {
      const thief = deviceKey();
      const { header, payload } = await parts();
      const proof = await proofWith(thief.privateJwk, header, payload);
      expectProofRefused(await issueWith({ holderPublicJwk: worker.publicJwk, holderProof: proof }), 'signature');
    });

    it("a good proof of the thief's own key sent with the worker's key: key_mismatch", async () => {
      const thief = deviceKey();
      const theirs = await gw.holderProof(thief.privateJwk);
      expectProofRefused(
        await issueWith({ holderPublicJwk: worker.publicJwk, holderProof: theirs.holderProof }),
        'key_mismatch',
      );
    });

    it('the key named by kid or x5c beside jwk, no jwk, or a private jwk: key', async () => {
      const { header, payload } = await parts();
      for (const h of [
        { ...header, kid: 'worker-key-1' },
        { ...header, x5c: ['MIIB'] },
        { alg: 'ES256', typ: 'openid4vci-proof+jwt', kid: 'worker-key-1' },
        { ...header, jwk: worker.privateJwk },
      ]) {
        const proof = await proofWith(worker.privateJwk, h, payload);
        expectProofRefused(await issueWith({ holderPublicJwk: worker.publicJwk, holderProof: proof }), 'key');
      }
    });

    it('aud not the gateway (another issuer, or missing): aud', async () => {
      for (const aud of ['https://another-issuer.example.cn', undefined]) {
        const { header, payload } = await parts();
        const proof = await proofWith(worker.privateJwk, header, { ...payload, aud });
        expectProofRefused(await issueWith({ holderPublicJwk: worker.publicJwk, holderProof: proof }), 'aud');
      }
    });

    it('iat missing, older than a c_nonce lives, or from the future: iat', async () => {
      const t = Math.floor(Date.now() / 1000);
      for (const iat of [undefined, t - C_NONCE_TTL_S - 60, t + 3600]) {
        const { header, payload } = await parts();
        const proof = await proofWith(worker.privateJwk, header, { ...payload, iat });
        expectProofRefused(await issueWith({ holderPublicJwk: worker.publicJwk, holderProof: proof }), 'iat');
      }
    });

    it('nonce missing, not a c_nonce of ours, or expired: nonce', async () => {
      const { header, payload } = await parts();
      for (const nonce of [undefined, 'a-nonce-this-gateway-never-gave-out']) {
        const proof = await proofWith(worker.privateJwk, header, { ...payload, nonce });
        expectProofRefused(await issueWith({ holderPublicJwk: worker.publicJwk, holderProof: proof }), 'nonce');
      }
      const expired = 'expired-c-nonce-0630-chengdu-aaa';
      await gw.services.store.putNonce({
        nonce: expired,
        purpose: 'c_nonce',
        createdAt: new Date(Date.now() - (C_NONCE_TTL_S + 1) * 1000).toISOString(),
        expiresAt: new Date(Date.now() - 1000).toISOString(),
      });
      const late = await gw.holderProof(worker.privateJwk, { nonce: expired });
      expectProofRefused(await issueWith(late), 'nonce');
      // A verifier's challenge is no c_nonce.
      const challenge = (await gw.api('POST', '/v1/verify/challenges', { key: await gw.verifierKey() })).body.nonce;
      expectProofRefused(await issueWith(await gw.holderProof(worker.privateJwk, { nonce: challenge })), 'nonce');
    });
  });

  describe('holderPublicJwk must be a public key on its curve', () => {
    it('a point off P-256: 400 validation_failed, /holderPublicJwk not_on_curve', async () => {
      const y = Buffer.from(worker.publicJwk.y!, 'base64url');
      y[31]! ^= 1;
      const offCurve = { ...worker.publicJwk, y: y.toString('base64url') };
      const res = await issueWith({
        holderPublicJwk: offCurve,
        holderProof: (await gw.holderProof(worker.privateJwk)).holderProof,
      });
      expectProblem(res, 400, 'validation_failed');
      expect(res.body.errors[0]).to.deep.include({ field: '/holderPublicJwk', code: 'not_on_curve' });
    });

    it('a private key (d): 400 validation_failed naming /holderPublicJwk/d', async () => {
      const res = await issueWith({
        holderPublicJwk: worker.privateJwk,
        holderProof: (await gw.holderProof(worker.privateJwk)).holderProof,
      });
      expectProblem(res, 400, 'validation_failed');
      expect(res.body.errors.map((e: { field: string }) => e.field)).to.include('/holderPublicJwk/d');
    });

    it('an Ed25519 x that is not 32 bytes: 400 validation_failed naming /holderPublicJwk', async () => {
      const ed = deviceKey('EdDSA');
      const res = await issueWith({
        holderPublicJwk: { ...ed.publicJwk, x: `${ed.publicJwk.x!.slice(0, 40)}` },
        holderProof: (await gw.holderProof(ed.privateJwk)).holderProof,
      });
      expectProblem(res, 400, 'validation_failed');
      expect(res.body.errors[0].field).to.match(/^\/holderPublicJwk/);
    });
  });
});
