/**
 * Registrar key rotation: a rotateRegistrar statement signed by a registrar key valid now
 * adds a key and retires one; the retired key signs nothing after, issuers it registered
 * stay, and the registry can never be left without a key that may sign.
 */
import { expect } from 'chai';
import { describe, it } from 'mocha';
import type { RegistrarRecord } from '@anxin/schemas';
import {
  RulesWorld,
  expectRejection,
  issuerSpec,
  newIssuerKey,
  newKeyPair,
  own,
  statements,
  type OwnedKey,
} from '../helpers';

const T0 = '2026-03-01T00:00:00Z';
const HOUR = 3600;

async function newRegistrarKey(): Promise<OwnedKey> {
  return own(await newKeyPair(), 'registrar');
}

async function rotate(w: RulesWorld, signer: OwnedKey, change: { add?: OwnedKey; retire?: string }) {
  const body = statements.rotateRegistrar({
    ...(change.add ? { add: change.add.newKey } : {}),
    ...(change.retire ? { retire: change.retire } : {}),
  });
  return w.apply<RegistrarRecord>('rotateRegistrar', await w.sign(body, signer));
}

describe('rules: registrar key rotation', () => {
  it('adds a key and retires the old one in one statement; the issuer registered before stays valid', async () => {
    const w = await RulesWorld.create({ start: T0 });
    const before = await w.registerIssuer();
    const anchored = await w.anchor(before);
    w.clock.advance(HOUR);
    const next = await newRegistrarKey();
    const { result, event } = await rotate(w, w.registrar, { add: next, retire: w.registrar.keyId });
    const old = result.keys.find((k) => k.keyId === w.registrar.keyId)!;
    const added = result.keys.find((k) => k.keyId === next.keyId)!;
    expect(old.retiredAt).to.equal(w.clock.iso);
    expect(added).to.deep.include({ kid: next.kid, notBefore: w.clock.iso });
    expect(event.name).to.equal('RegistrarRotated');
    w.clock.advance(1);

    // The issuer the old key registered still anchors; its earlier anchor is untouched.
    expect(w.state.issuers.get(before.id)!.status).to.equal('active');
    expect((await w.anchor(before)).status).to.equal('active');
    expect(w.state.anchors.get(anchored.id)!.status).to.equal('active');

    // The new key registers; the retired key registers nothing.
    const spec = issuerSpec();
    const key = await newIssuerKey(spec.id);
    await w.apply('registerIssuer', await w.sign(statements.registerIssuer(spec, key.newKey), next));
    expect(w.state.issuers.get(spec.id)!.status).to.equal('active');
    const spec2 = issuerSpec();
    const key2 = await newIssuerKey(spec2.id);
    await expectRejection(
      w.apply('registerIssuer', await w.sign(statements.registerIssuer(spec2, key2.newKey), w.registrar)),
      'KEY_RETIRED',
    );
    // Nor may the retired key rotate again (e.g. to bring itself back).
    await expectRejection(rotate(w, w.registrar, { add: await newRegistrarKey() }), 'KEY_RETIRED');
  });

  it('refuses, changing nothing: an unknown or already retired key, a key listed already', async () => {
    const w = await RulesWorld.create({ start: T0 });
    const next = await newRegistrarKey();
    const snapshot = w.state.snapshot();
    await expectRejection(rotate(w, w.registrar, { retire: next.keyId }), 'UNKNOWN_KEY');
    await expectRejection(rotate(w, w.registrar, { retire: w.registrar.keyId }), 'INVALID_TRANSITION');
    await expectRejection(rotate(w, w.registrar, { add: own(w.registrar, 'registrar') }), 'KEY_EXISTS');
    expect(w.state.snapshot()).to.deep.equal(snapshot);

    await rotate(w, w.registrar, { add: next, retire: w.registrar.keyId });
    w.clock.advance(1);
    // A retired key never comes back, and a retired key cannot be retired twice.
    await expectRejection(rotate(w, next, { add: own(w.registrar, 'registrar') }), 'KEY_EXISTS');
    await expectRejection(rotate(w, next, { retire: w.registrar.keyId }), 'INVALID_TRANSITION');
  });

  it('an added key with a future notBefore cannot sign before it, and cannot be the only one left', async () => {
    const w = await RulesWorld.create({ start: T0 });
    const later = await newRegistrarKey();
    const notBefore = '2026-03-02T00:00:00Z';
    await expectRejection(
      w.apply(
        'rotateRegistrar',
        await w.sign(
          statements.rotateRegistrar({ add: { ...later.newKey, notBefore }, retire: w.registrar.keyId }),
          w.registrar,
        ),
      ),
      'INVALID_TRANSITION',
    );
    await w.apply(
      'rotateRegistrar',
      await w.sign(statements.rotateRegistrar({ add: { ...later.newKey, notBefore } }), w.registrar),
    );
    w.clock.advance(HOUR);
    await expectRejection(rotate(w, later, { retire: w.registrar.keyId }), 'KEY_NOT_YET_VALID');
    w.clock.advance(24 * HOUR);
    const { result } = await rotate(w, later, { retire: w.registrar.keyId });
    expect(result.keys.find((k) => k.keyId === w.registrar.keyId)!.retiredAt).to.equal(w.clock.iso);
  });

  it('a back-dated notBefore is raised to the transaction time', async () => {
    const w = await RulesWorld.create({ start: T0 });
    const k = await newRegistrarKey();
    const { result } = await w.apply<RegistrarRecord>(
      'rotateRegistrar',
      await w.sign(
        statements.rotateRegistrar({ add: { ...k.newKey, notBefore: '2020-01-01T00:00:00Z' } }),
        w.registrar,
      ),
    );
    expect(result.keys.find((x) => x.keyId === k.keyId)!.notBefore).to.equal(w.clock.iso);
  });

  it('an issuer key cannot rotate the registrar', async () => {
    const w = await RulesWorld.create({ start: T0 });
    const issuer = await w.registerIssuer();
    const k = await newRegistrarKey();
    await expectRejection(
      w.apply('rotateRegistrar', await w.sign(statements.rotateRegistrar({ add: k.newKey }), issuer.key)),
      'UNKNOWN_KEY',
    );
  });
});
