/**
 * Malformed input: not a JWS, a header or payload that is not what a statement is, a
 * statement of the wrong kind for the transaction, and the one-time init.
 */
import { expect } from 'chai';
import { describe, it } from 'mocha';
import { STATEMENT_MAX_BYTES } from '@anxin/chaincode/rules';
import {
  MemoryState,
  RulesWorld,
  TxClock,
  applyStatement,
  expectRejection,
  headerFor,
  newKeyPair,
  newRegistrar,
  payloadOf,
  signRaw,
  statements,
  withEnvelope,
  type TestIssuer,
} from '../helpers';
import { initArgsFixtures } from '../schemas/fixtures/ledger';

describe('rules: malformed statements', () => {
  let w: RulesWorld;
  let issuer: TestIssuer;
  let credentialId: string;

  before(async () => {
    w = await RulesWorld.create();
    issuer = await w.registerIssuer();
    credentialId = (await w.anchor(issuer)).id;
  });

  const notJws: Array<[string, string]> = [
    ['empty string', ''],
    ['plain text', 'revoke this please'],
    ['two parts', 'eyJhbGciOiJFUzI1NiJ9.eyJraW5kIjoicmV2b2tlIn0'],
    ['four parts', 'a.b.c.d'],
    ['JSON instead of a JWS', '{"kind":"revoke","credentialId":"urn:uuid:00000000-0000-4000-8000-000000000000"}'],
    ['JWS JSON serialization', '{"payload":"e30","protected":"e30","signature":"AA"}'],
    ['a line break inside', 'eyJhbGciOiJFUzI1NiJ9.\neyJraW5kIjoicmV2b2tlIn0.AAAA'],
    ['base64 (not base64url) characters', 'eyJhbGciOiJFUzI1NiJ9+/.e30.AAAA'],
  ];
  for (const [name, input] of notJws) {
    it(`MALFORMED_STATEMENT: ${name}`, async () => {
      await expectRejection(w.apply('revoke', input), 'MALFORMED_STATEMENT');
    });
  }

  it('MALFORMED_STATEMENT: a protected header that is not JSON', async () => {
    await expectRejection(
      w.apply('revoke', `${Buffer.from('not json').toString('base64url')}.e30.AAAA`),
      'MALFORMED_STATEMENT',
    );
  });

  it(`MALFORMED_STATEMENT: larger than ${STATEMENT_MAX_BYTES} bytes`, async () => {
    const body = { ...statements.revoke(issuer.id, credentialId), padding: 'x'.repeat(STATEMENT_MAX_BYTES) };
    const jws = await signRaw(headerFor(issuer.key), JSON.stringify(withEnvelope(body, w.clock.iat)), issuer.key);
    await expectRejection(w.apply('revoke', jws), 'MALFORMED_STATEMENT');
  });

  describe('header', () => {
    const headers: Array<[string, (h: Record<string, unknown>) => Record<string, unknown>]> = [
      ['typ JWT', (h) => ({ ...h, typ: 'JWT' })],
      ['typ of a credential (vc+jwt)', (h) => ({ ...h, typ: 'vc+jwt' })],
      ['no typ', ({ typ: _t, ...h }) => h],
      ['no kid', ({ kid: _k, ...h }) => h],
      ['kid that is not <owner>#<thumbprint>', (h) => ({ ...h, kid: 'did:web:clinic.example#key-1' })],
      ['embedded jwk (a self-certified key)', (h) => ({ ...h, jwk: issuer.key.publicJwk })],
      ['jku pointing elsewhere', (h) => ({ ...h, jku: 'https://attacker.example/keys' })],
    ];
    for (const [name, change] of headers) {
      it(`MALFORMED_STATEMENT: ${name}`, async () => {
        const payload = JSON.stringify(withEnvelope(statements.revoke(issuer.id, credentialId), w.clock.iat));
        await expectRejection(
          w.apply('revoke', await signRaw(change(headerFor(issuer.key)), payload, issuer.key)),
          'MALFORMED_STATEMENT',
        );
      });
    }
  });

  describe('payload (signed, so only its content is wrong)', () => {
    const sendRaw = async (payload: string | Uint8Array) =>
      w.apply('revoke', await signRaw(headerFor(issuer.key), payload, issuer.key));

    it('MALFORMED_STATEMENT: not JSON', async () => {
      await expectRejection(sendRaw('{"kind":"revoke",'), 'MALFORMED_STATEMENT');
    });

    it('MALFORMED_STATEMENT: not UTF-8', async () => {
      await expectRejection(sendRaw(Uint8Array.from([0x7b, 0xff, 0xfe, 0x7d])), 'MALFORMED_STATEMENT');
    });

    const bodies: Array<[string, (p: Record<string, unknown>) => void]> = [
      ['missing reason', (p) => delete p['reason']],
      ['missing credentialId', (p) => delete p['credentialId']],
      ['missing jti', (p) => delete p['jti']],
      ['missing iat', (p) => delete p['iat']],
      ['missing iss', (p) => delete p['iss']],
      ['extra member (a diagnosis)', (p) => (p['diagnosis'] = '活动性肺结核')],
      ['extra member (holder name)', (p) => (p['holderName'] = '张伟')],
      ['free-text reason', (p) => (p['reason'] = '体检不合格')],
      ['a reason of another transition', (p) => (p['reason'] = 're_examination_passed')],
      ['credential id not a urn:uuid', (p) => (p['credentialId'] = 'HC-2026-001')],
      ['iat as a string', (p) => (p['iat'] = String(p['iat']))],
      ['iat in milliseconds', (p) => (p['iat'] = Number(p['iat']) * 1000)],
      ['jti not a UUID', (p) => (p['jti'] = 'statement-1')],
    ];
    for (const [name, change] of bodies) {
      it(`MALFORMED_STATEMENT: ${name}`, async () => {
        const p = withEnvelope(statements.revoke(issuer.id, credentialId), w.clock.iat);
        change(p);
        await expectRejection(sendRaw(JSON.stringify(p)), 'MALFORMED_STATEMENT');
      });
    }

    it('MALFORMED_STATEMENT: anchor carrying the holder’s ID number as holderRef', async () => {
      const { jws } = await w.anchorJws(issuer);
      const p = payloadOf(jws);
      (p['anchor'] as Record<string, unknown>)['holderRef'] = '510107199003078817';
      await expectRejection(
        w.apply('anchor', await signRaw(headerFor(issuer.key), JSON.stringify(p), issuer.key)),
        'MALFORMED_STATEMENT',
      );
    });

    it('MALFORMED_STATEMENT: anchor with a status of its own', async () => {
      const { jws } = await w.anchorJws(issuer);
      const p = payloadOf(jws);
      (p['anchor'] as Record<string, unknown>)['status'] = 'active';
      await expectRejection(
        w.apply('anchor', await signRaw(headerFor(issuer.key), JSON.stringify(p), issuer.key)),
        'MALFORMED_STATEMENT',
      );
    });
  });

  describe('WRONG_KIND: a valid statement sent to another transaction', () => {
    const pairs: Array<['revoke' | 'suspend' | 'reinstate', 'revoke' | 'suspend' | 'reinstate' | 'anchor']> = [
      ['revoke', 'suspend'],
      ['suspend', 'revoke'],
      ['reinstate', 'revoke'],
      ['revoke', 'anchor'],
    ];
    for (const [made, sentTo] of pairs) {
      it(`a ${made} statement to ${sentTo}`, async () => {
        const jws = await w.sign(statements[made](issuer.id, credentialId), issuer.key);
        await expectRejection(w.apply(sentTo, jws), 'WRONG_KIND');
      });
    }

    it('an anchor statement to revoke', async () => {
      await expectRejection(w.apply('revoke', (await w.anchorJws(issuer)).jws), 'WRONG_KIND');
    });

    it('a retireKey statement to revokeKey, an addKey statement to registerIssuer', async () => {
      await expectRejection(
        w.apply('revokeKey', await w.sign(statements.retireKey(issuer.id, issuer.key.keyId), w.registrar)),
        'WRONG_KIND',
      );
      const k = await newKeyPair();
      await expectRejection(
        w.apply('registerIssuer', await w.sign(statements.addKey(issuer.id, k.newKey), w.registrar)),
        'WRONG_KIND',
      );
    });

    it('a payload without kind', async () => {
      const p = withEnvelope(statements.revoke(issuer.id, credentialId), w.clock.iat);
      delete p['kind'];
      await expectRejection(
        w.apply('revoke', await signRaw(headerFor(issuer.key), JSON.stringify(p), issuer.key)),
        'WRONG_KIND',
      );
    });
  });
});

describe('rules: init', () => {
  it('ALREADY_INITIALISED: a second init, even with other keys', async () => {
    const w = await RulesWorld.create();
    const before = w.state.snapshot();
    await expectRejection(w.apply('init', w.registrar.initArgs), 'ALREADY_INITIALISED');
    await expectRejection(w.apply('init', (await newRegistrar()).initArgs), 'ALREADY_INITIALISED');
    expect(w.state.snapshot()).to.deep.equal(before);
  });

  const fresh = () => ({ state: new MemoryState(), clock: new TxClock() });

  it('accepts every valid init fixture', async () => {
    for (const f of initArgsFixtures.valid) {
      const { state, clock } = fresh();
      const r = await applyStatement(state, 'init', JSON.stringify(f.data), clock.tx());
      expect(r.event.name, f.name).to.equal('LedgerInitialised');
    }
  });

  for (const f of initArgsFixtures.invalid) {
    it(`MALFORMED_ARGUMENT: ${f.name}`, async () => {
      const { state, clock } = fresh();
      await expectRejection(applyStatement(state, 'init', JSON.stringify(f.data), clock.tx()), 'MALFORMED_ARGUMENT');
    });
  }

  it('MALFORMED_ARGUMENT: not JSON; alg that does not fit the key', async () => {
    const k = await newKeyPair('ES256');
    const { state, clock } = fresh();
    await expectRejection(applyStatement(state, 'init', 'registrarKeys=abc', clock.tx()), 'MALFORMED_ARGUMENT');
    const wrongAlg = JSON.stringify({ registrarKeys: [{ ...k.newKey, alg: 'EdDSA' }] });
    await expectRejection(applyStatement(state, 'init', wrongAlg, clock.tx()), 'MALFORMED_ARGUMENT');
    expect(state.registrar).to.equal(undefined);
  });

  it('KEY_ID_MISMATCH: a registrar keyId that is not the thumbprint', async () => {
    const [a, b] = [await newKeyPair(), await newKeyPair()];
    const { state, clock } = fresh();
    await expectRejection(
      applyStatement(state, 'init', JSON.stringify({ registrarKeys: [{ ...a.newKey, keyId: b.keyId }] }), clock.tx()),
      'KEY_ID_MISMATCH',
    );
  });

  it('KEY_EXISTS: the same registrar key twice', async () => {
    const a = await newKeyPair('EdDSA');
    const { state, clock } = fresh();
    await expectRejection(
      applyStatement(state, 'init', JSON.stringify({ registrarKeys: [a.newKey, a.newKey] }), clock.tx()),
      'KEY_EXISTS',
    );
  });
});
