/**
 * Statements whose signature, algorithm or signer is wrong. Each refusal is asserted by
 * its stable code, and a refused statement leaves the state untouched.
 */
import { createPublicKey, createVerify, randomBytes } from 'node:crypto';
import { expect } from 'chai';
import { beforeEach, describe, it } from 'mocha';
import {
  RulesWorld,
  alterPayload,
  expectRejection,
  headerFor,
  hs256Jws,
  newIssuerKey,
  newRegistrar,
  noneJws,
  payloadOf,
  signRaw,
  statements,
  withEnvelope,
  type TestIssuer,
} from '../helpers';

describe('rules: signatures, algorithms and signers', () => {
  let w: RulesWorld;
  let issuer: TestIssuer;
  let credentialId: string;

  beforeEach(async () => {
    w = await RulesWorld.create();
    issuer = await w.registerIssuer();
    credentialId = (await w.anchor(issuer)).id;
  });

  async function refused(
    kind: Parameters<RulesWorld['apply']>[0],
    jws: string,
    code: Parameters<typeof expectRejection>[1],
  ) {
    const before = w.state.snapshot();
    await expectRejection(w.apply(kind, jws), code);
    expect(w.state.snapshot(), 'a refused statement changes nothing').to.deep.equal(before);
  }

  describe('BAD_SIGNATURE', () => {
    it('payload altered after signing (anchor digest swapped)', async () => {
      const { jws } = await w.anchorJws(issuer);
      const forged = alterPayload(jws, (p) => {
        (p['anchor'] as Record<string, unknown>)['digest'] = randomBytes(32).toString('hex');
      });
      await refused('anchor', forged, 'BAD_SIGNATURE');
    });

    it('payload altered after signing (revoke reason changed)', async () => {
      const jws = await w.sign(statements.revoke(issuer.id, credentialId, 'holder_request'), issuer.key);
      await refused(
        'revoke',
        alterPayload(jws, (p) => (p['reason'] = 'fraud')),
        'BAD_SIGNATURE',
      );
    });

    it('registrar statement altered after signing (allowed types widened)', async () => {
      const jws = await w.sign(statements.updateIssuer(issuer.id, { name: '成都市武侯区疾控中心' }), w.registrar);
      const forged = alterPayload(
        jws,
        (p) => (p['changes'] = { allowedTypes: ['HealthCertificate', 'LaborContract', 'SkillCertificate'] }),
      );
      await refused('updateIssuer', forged, 'BAD_SIGNATURE');
    });

    it('signed by another key, under the issuer key’s kid', async () => {
      const other = await newIssuerKey(issuer.id);
      const { jws } = await w.anchorJws(issuer, {
        key: { ...other, kid: issuer.key.kid, signer: { ...other.signer, kid: issuer.key.kid } },
      });
      await refused('anchor', jws, 'BAD_SIGNATURE');
    });

    it('signed by another registrar key, under the registrar’s kid', async () => {
      const impostor = await newRegistrar();
      const body = statements.updateIssuer(issuer.id, { status: 'revoked', revokedSince: w.clock.iso });
      const jws = await w.sign(body, {
        ...impostor,
        kid: w.registrar.kid,
        signer: { ...impostor.signer, kid: w.registrar.kid },
      });
      await refused('updateIssuer', jws, 'BAD_SIGNATURE');
    });

    it('signature bytes truncated', async () => {
      const { jws } = await w.anchorJws(issuer);
      await refused('anchor', jws.slice(0, -4), 'BAD_SIGNATURE');
    });

    it('ES256 signature in DER (ASN.1) encoding instead of JOSE r||s, though it holds for the same key', async () => {
      const { jws } = await w.anchorJws(issuer);
      const [h, p, sig] = jws.split('.') as [string, string, string];
      const raw = Buffer.from(sig, 'base64url');
      const der = (b: Buffer) => {
        let i = 0;
        while (i < b.length - 1 && b[i] === 0) i++;
        const v = b[i]! & 0x80 ? Buffer.concat([Buffer.from([0]), b.subarray(i)]) : b.subarray(i);
        return Buffer.concat([Buffer.from([0x02, v.length]), v]);
      };
      const body = Buffer.concat([der(raw.subarray(0, 32)), der(raw.subarray(32))]);
      const asn1 = Buffer.concat([Buffer.from([0x30, body.length]), body]);
      expect(
        createVerify('sha256')
          .update(`${h}.${p}`)
          .verify(createPublicKey({ key: issuer.key.newKey.publicJwk, format: 'jwk' }), asn1),
        'the DER form is a valid signature by the same key',
      ).to.equal(true);
      await refused('anchor', `${h}.${p}.${asn1.toString('base64url')}`, 'BAD_SIGNATURE');
    });

    it('signature with a byte appended', async () => {
      const { jws } = await w.anchorJws(issuer);
      const sig = Buffer.from(jws.slice(jws.lastIndexOf('.') + 1), 'base64url');
      await refused(
        'anchor',
        `${jws.slice(0, jws.lastIndexOf('.'))}.${Buffer.concat([sig, Buffer.from([0])]).toString('base64url')}`,
        'BAD_SIGNATURE',
      );
    });

    it('EdDSA signature from another Ed25519 key', async () => {
      const ed = await w.registerIssuer({ alg: 'EdDSA', kind: 'platform', allowedTypes: ['LaborContract'] });
      const other = await newIssuerKey(ed.id, 'EdDSA');
      const { jws } = await w.anchorJws(ed, {
        key: { ...other, kid: ed.key.kid, signer: { ...other.signer, kid: ed.key.kid } },
      });
      await refused('anchor', jws, 'BAD_SIGNATURE');
    });
  });

  describe('ALG_NOT_ALLOWED', () => {
    it('alg none, empty signature (an RFC 7515 unsecured JWS)', async () => {
      const { jws } = await w.anchorJws(issuer);
      await refused('anchor', noneJws(headerFor(issuer.key), payloadOf(jws)), 'ALG_NOT_ALLOWED');
    });

    it('alg none, with a signature part', async () => {
      const { jws } = await w.anchorJws(issuer);
      await refused('anchor', noneJws(headerFor(issuer.key), payloadOf(jws), 'AAAA'), 'ALG_NOT_ALLOWED');
    });

    it('HS256 built by hand, keyed with the public key’s x coordinate', async () => {
      const { jws } = await w.anchorJws(issuer);
      const secret = Buffer.from((issuer.key.publicJwk as { x: string }).x, 'base64url');
      await refused('anchor', hs256Jws(headerFor(issuer.key), payloadOf(jws), secret), 'ALG_NOT_ALLOWED');
    });

    it('HS256 registrar statement built by hand', async () => {
      const payload = withEnvelope(
        statements.updateIssuer(issuer.id, { status: 'revoked', revokedSince: w.clock.iso }),
        w.clock.iat,
      );
      await refused('updateIssuer', hs256Jws(headerFor(w.registrar), payload, randomBytes(32)), 'ALG_NOT_ALLOWED');
    });

    it('EdDSA header on an ES256 key', async () => {
      const ed = await newIssuerKey(issuer.id, 'EdDSA');
      const payload = withEnvelope(statements.revoke(issuer.id, credentialId), w.clock.iat);
      const jws = await signRaw({ ...headerFor(issuer.key), alg: 'EdDSA' }, JSON.stringify(payload), ed);
      await refused('revoke', jws, 'ALG_NOT_ALLOWED');
    });

    for (const alg of ['RS256', 'ES384', 'PS256', 'HS512']) {
      it(`alg ${alg} in the header`, async () => {
        const { jws } = await w.anchorJws(issuer);
        const [, payload, sig] = jws.split('.');
        const header = Buffer.from(JSON.stringify({ ...headerFor(issuer.key), alg })).toString('base64url');
        await refused('anchor', `${header}.${payload}.${sig}`, 'ALG_NOT_ALLOWED');
      });
    }
  });

  describe('UNKNOWN_KEY', () => {
    it('kid of a key the issuer does not have', async () => {
      const stranger = await newIssuerKey(issuer.id);
      const { jws } = await w.anchorJws(issuer, { key: stranger, anchor: { kid: issuer.key.kid } });
      await refused('anchor', jws, 'UNKNOWN_KEY');
    });

    it('kid of a registrar key that was never installed', async () => {
      const stranger = await newRegistrar();
      await refused(
        'updateIssuer',
        await w.sign(statements.updateIssuer(issuer.id, { status: 'revoked', revokedSince: w.clock.iso }), stranger),
        'UNKNOWN_KEY',
      );
    });

    it('registrar-kind statement signed by an issuer key', async () => {
      const k2 = await newIssuerKey(issuer.id);
      // The issuer tries to add a key to itself.
      await refused('addKey', await w.sign(statements.addKey(issuer.id, k2.newKey), issuer.key), 'UNKNOWN_KEY');
    });

    it('issuer-kind statement signed by the registrar', async () => {
      const body = statements.revoke(issuer.id, credentialId, 'fraud');
      await refused('revoke', await w.sign(body, w.registrar), 'UNKNOWN_KEY');
    });

    it('anchor whose iss names another issuer than the signing key’s', async () => {
      const other = await w.registerIssuer();
      const { spec } = await w.anchorJws(issuer);
      const jws = await w.sign(statements.anchor(other.id, spec), issuer.key);
      await refused('anchor', jws, 'UNKNOWN_KEY');
    });

    it('anchor naming as the credential’s kid a key of another issuer', async () => {
      const other = await w.registerIssuer();
      const { jws } = await w.anchorJws(issuer, { anchor: { kid: other.key.kid } });
      await refused('anchor', jws, 'UNKNOWN_KEY');
    });
  });

  describe('ISSUER_UNKNOWN', () => {
    it('statement signed under the kid of an unregistered issuer', async () => {
      const ghost = await newIssuerKey('urn:anxin:issuer:ghost-clinic');
      const { jws } = await w.anchorJws({ id: ghost.owner, key: ghost, spec: { ...issuer.spec, id: ghost.owner } });
      await refused('anchor', jws, 'ISSUER_UNKNOWN');
    });

    it('updateIssuer / addKey / retireKey / revokeKey of an unregistered issuer', async () => {
      const ghost = 'urn:anxin:issuer:ghost-clinic';
      const k = await newIssuerKey(ghost);
      await refused(
        'updateIssuer',
        await w.sign(statements.updateIssuer(ghost, { status: 'suspended' }), w.registrar),
        'ISSUER_UNKNOWN',
      );
      await refused('addKey', await w.sign(statements.addKey(ghost, k.newKey), w.registrar), 'ISSUER_UNKNOWN');
      await refused('retireKey', await w.sign(statements.retireKey(ghost, k.keyId), w.registrar), 'ISSUER_UNKNOWN');
      await refused(
        'revokeKey',
        await w.sign(statements.revokeKey(ghost, k.keyId, w.clock.iso), w.registrar),
        'ISSUER_UNKNOWN',
      );
    });
  });

  it('NOT_INITIALISED: a registrar statement before init', async () => {
    const fresh = await RulesWorld.create({ init: false });
    const k = await newIssuerKey('urn:anxin:issuer:early-bird');
    const jws = await fresh.sign(
      statements.registerIssuer(
        {
          id: k.owner,
          name: '早鸟培训学校',
          kind: 'training_body',
          uscc: '52510100MJP60721XR',
          allowedTypes: ['SkillCertificate'],
        },
        k.newKey,
      ),
      fresh.registrar,
    );
    await expectRejection(fresh.apply('registerIssuer', jws), 'NOT_INITIALISED');
  });
});
