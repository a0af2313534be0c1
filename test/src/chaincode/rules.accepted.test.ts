/**
 * Every statement kind, accepted when right: what it writes, what it returns, which
 * event it emits. The rules run over an in-memory LedgerState, no ledger.
 */
import { expect } from 'chai';
import { describe, it } from 'mocha';
import { EVENT_NAMES } from '@anxin/chaincode/rules';
import {
  validateById,
  anchorRecordSchema,
  issuerRecordSchema,
  registrarRecordSchema,
  type AnchorRecord,
  type IssuerRecord,
  type RegistrarRecord,
} from '@anxin/schemas';
import {
  RulesWorld,
  newIssuerKey,
  newRegistrar,
  payloadOf,
  statements,
  applyStatement,
  MemoryState,
  TxClock,
} from '../helpers';

function expectValid(schemaId: string, value: unknown): void {
  const r = validateById(schemaId, value);
  expect(r.ok, r.ok ? '' : JSON.stringify(r.issues)).to.equal(true);
}

describe('rules: every statement kind is accepted when right', () => {
  it('init fixes the registrar keys (ES256 and EdDSA) and emits LedgerInitialised', async () => {
    const state = new MemoryState();
    const clock = new TxClock('2026-01-01T00:00:00Z');
    const [a, b] = [await newRegistrar('ES256'), await newRegistrar('EdDSA')];
    const args = JSON.stringify({ registrarKeys: [a.newKey, b.newKey] });
    const tx = clock.tx();
    const effect = await applyStatement(state, 'init', args, tx);
    const rec = effect.result as RegistrarRecord;
    expectValid(registrarRecordSchema.$id, rec);
    expect(rec).to.deep.equal({
      keys: [
        { keyId: a.keyId, kid: a.kid, alg: 'ES256', publicJwk: a.publicJwk },
        { keyId: b.keyId, kid: b.kid, alg: 'EdDSA', publicJwk: b.publicJwk },
      ],
      initialisedAt: tx.time,
    });
    expect(state.registrar).to.deep.equal(rec);
    expect(effect.event).to.deep.equal({ name: 'LedgerInitialised', payload: { keys: [a.kid, b.kid] } });
  });

  it('registerIssuer creates an active issuer with its first key and marks the statement', async () => {
    const w = await RulesWorld.create({ start: '2026-03-01T00:00:00Z' });
    const key = await newIssuerKey('urn:anxin:issuer:chengdu-wuhou-cdc');
    const body = statements.registerIssuer(
      {
        id: 'urn:anxin:issuer:chengdu-wuhou-cdc',
        name: '成都市武侯区疾病预防控制中心',
        kind: 'health_authority',
        uscc: '12510107MB1H27435B',
        allowedTypes: ['HealthCertificate'],
      },
      key.newKey,
    );
    const jws = await w.sign(body, w.registrar);
    const time = w.clock.iso;
    const effect = await w.apply<IssuerRecord>('registerIssuer', jws);
    expectValid(issuerRecordSchema.$id, effect.result);
    expect(effect.result).to.deep.equal({
      id: 'urn:anxin:issuer:chengdu-wuhou-cdc',
      name: '成都市武侯区疾病预防控制中心',
      kind: 'health_authority',
      uscc: '12510107MB1H27435B',
      allowedTypes: ['HealthCertificate'],
      status: 'active',
      keys: [{ keyId: key.keyId, kid: key.kid, alg: 'ES256', publicJwk: key.publicJwk, notBefore: time }],
      registeredAt: time,
      updatedAt: time,
    });
    expect(w.state.issuers.get(key.owner)).to.deep.equal(effect.result);
    expect(effect.event).to.deep.equal({
      name: 'IssuerRegistered',
      payload: { issuerId: key.owner, status: 'active', allowedTypes: ['HealthCertificate'], kid: key.kid },
    });
    const jti = payloadOf(jws)['jti'] as string;
    expect(w.state.marks.get(jti)).to.deep.include({ kind: 'registerIssuer', iss: 'registrar' });
  });

  it('registerIssuer keeps a later notBefore of the first key (EdDSA)', async () => {
    const w = await RulesWorld.create({ start: '2026-03-01T00:00:00Z' });
    const issuer = await w.registerIssuer({
      alg: 'EdDSA',
      kind: 'platform',
      allowedTypes: ['LaborContract'],
      notBefore: '2026-04-01T00:00:00Z',
    });
    const rec = w.state.issuers.get(issuer.id)!;
    expect(rec.keys[0]).to.deep.include({ alg: 'EdDSA', notBefore: '2026-04-01T00:00:00Z' });
  });

  it('updateIssuer changes name, allowed types and status (suspended: when, recorded)', async () => {
    const w = await RulesWorld.create();
    const issuer = await w.registerIssuer();
    const effect = await w.asRegistrar(
      statements.updateIssuer(issuer.id, {
        name: '成都市武侯区疾控中心',
        allowedTypes: [],
        status: 'suspended',
      }),
    );
    expect(effect.result).to.deep.include({
      name: '成都市武侯区疾控中心',
      allowedTypes: [],
      status: 'suspended',
      suspendedAt: w.clock.iso,
    });
    expect(effect.result.updatedAt).to.equal(w.clock.iso);
    expect(effect.event).to.deep.equal({
      name: 'IssuerUpdated',
      payload: { issuerId: issuer.id, status: 'suspended', allowedTypes: [] },
    });
    expectValid(issuerRecordSchema.$id, effect.result);
    w.clock.advance(60);
    const active = await w.asRegistrar(statements.updateIssuer(issuer.id, { status: 'active' }));
    expect(active.result.status).to.equal('active');
    expect(active.result).to.not.have.property('suspendedAt');
    expectValid(issuerRecordSchema.$id, active.result);
  });

  it('updateIssuer revokes since an instant (normalised to milliseconds), recorded and in the event', async () => {
    const w = await RulesWorld.create({ start: '2026-06-01T00:00:00Z' });
    const issuer = await w.registerIssuer();
    await w.asRegistrar(statements.updateIssuer(issuer.id, { status: 'suspended' }));
    const effect = await w.asRegistrar(
      statements.updateIssuer(issuer.id, { status: 'revoked', revokedSince: '2026-05-15T00:00:00Z' }),
    );
    expect(effect.result).to.deep.include({ status: 'revoked', revokedSince: '2026-05-15T00:00:00.000Z' });
    expect(effect.result).to.not.have.property('suspendedAt');
    expect(effect.event).to.deep.equal({
      name: 'IssuerUpdated',
      payload: {
        issuerId: issuer.id,
        status: 'revoked',
        allowedTypes: ['HealthCertificate'],
        revokedSince: '2026-05-15T00:00:00.000Z',
      },
    });
    expectValid(issuerRecordSchema.$id, effect.result);
  });

  it('addKey adds a key valid from the transaction time (a past notBefore is not back-dated)', async () => {
    const w = await RulesWorld.create({ start: '2026-06-01T00:00:00Z' });
    const issuer = await w.registerIssuer();
    const k2 = await newIssuerKey(issuer.id, 'EdDSA');
    const effect = await w.asRegistrar(
      statements.addKey(issuer.id, { ...k2.newKey, notBefore: '2026-01-01T00:00:00Z' }),
    );
    expect(effect.result.keys).to.have.length(2);
    expect(effect.result.keys[1]).to.deep.equal({
      keyId: k2.keyId,
      kid: k2.kid,
      alg: 'EdDSA',
      publicJwk: k2.publicJwk,
      notBefore: w.clock.iso,
    });
    expect(effect.event).to.deep.equal({ name: 'IssuerKeyAdded', payload: { issuerId: issuer.id, kid: k2.kid } });
  });

  it('retireKey sets retiredAt to the transaction time', async () => {
    const w = await RulesWorld.create();
    const issuer = await w.registerIssuer();
    w.clock.advance(60);
    const effect = await w.asRegistrar(statements.retireKey(issuer.id, issuer.key.keyId));
    expect(effect.result.keys[0]!.retiredAt).to.equal(w.clock.iso);
    expect(effect.event).to.deep.equal({
      name: 'IssuerKeyRetired',
      payload: { issuerId: issuer.id, kid: issuer.key.kid, retiredAt: w.clock.iso },
    });
  });

  it('revokeKey records compromisedSince as revokedAt (normalised to milliseconds)', async () => {
    const w = await RulesWorld.create({ start: '2026-05-10T00:00:00Z' });
    const issuer = await w.registerIssuer({ notBefore: '2026-03-01T00:00:00Z' });
    w.clock.advance(3600);
    const effect = await w.asRegistrar(statements.revokeKey(issuer.id, issuer.key.keyId, '2026-05-10T00:30:00Z'));
    expect(effect.result.keys[0]!.revokedAt).to.equal('2026-05-10T00:30:00.000Z');
    expect(effect.event).to.deep.equal({
      name: 'IssuerKeyRevoked',
      payload: { issuerId: issuer.id, kid: issuer.key.kid, revokedAt: '2026-05-10T00:30:00.000Z' },
    });
    expectValid(issuerRecordSchema.$id, effect.result);
  });

  it('anchor records the credential as active, with tx id and time', async () => {
    const w = await RulesWorld.create();
    const issuer = await w.registerIssuer();
    const { jws, spec } = await w.anchorJws(issuer);
    const tx = w.clock.tx();
    const effect = await applyStatement(w.state, 'anchor', jws, tx);
    const rec = effect.result as AnchorRecord;
    expectValid(anchorRecordSchema.$id, rec);
    expect(rec).to.deep.equal({
      ...spec,
      issuer: issuer.id,
      status: 'active',
      anchoredAt: tx.time,
      txId: tx.txId,
      updatedAt: tx.time,
    });
    expect(effect.event).to.deep.equal({
      name: 'AnchorCreated',
      payload: { id: spec.id, type: spec.type, issuer: issuer.id, status: 'active', digest: spec.digest },
    });
  });

  it('anchor without validUntil (open-ended labor contract) is accepted', async () => {
    const w = await RulesWorld.create();
    const issuer = await w.registerIssuer({ kind: 'platform', allowedTypes: ['LaborContract'], alg: 'EdDSA' });
    const rec = await w.anchor(issuer, { anchor: { validUntil: undefined } });
    expect(rec).to.not.have.property('validUntil');
    expect(rec.type).to.equal('LaborContract');
  });

  it('suspend → reinstate → suspend → revoke walks the allowed transitions', async () => {
    const w = await RulesWorld.create();
    const issuer = await w.registerIssuer();
    const a = await w.anchor(issuer);
    const steps: Array<['suspend' | 'reinstate' | 'revoke', string]> = [
      ['suspend', 'suspended'],
      ['reinstate', 'active'],
      ['suspend', 'suspended'],
      ['revoke', 'revoked'],
    ];
    for (const [kind, status] of steps) {
      w.clock.advance(1);
      const rec = await w.status(kind, issuer, a.id);
      expect(rec.status).to.equal(status);
      expect(rec.updatedAt).to.equal(w.clock.iso);
      expect(rec.anchoredAt).to.equal(a.anchoredAt);
      expect(rec.txId, 'txId stays the anchoring transaction').to.equal(a.txId);
      expectValid(anchorRecordSchema.$id, rec);
    }
    expect(w.state.anchors.get(a.id)).to.deep.include({ status: 'revoked', statusReason: 're_examination_failed' });
  });

  it('revoke of an active credential gives AnchorStatusChanged with from/to and the reason', async () => {
    const w = await RulesWorld.create();
    const issuer = await w.registerIssuer();
    const a = await w.anchor(issuer);
    const effect = await w.apply('revoke', await w.sign(statements.revoke(issuer.id, a.id, 'fraud'), issuer.key));
    expect(effect.event).to.deep.equal({
      name: 'AnchorStatusChanged',
      payload: { id: a.id, type: a.type, issuer: issuer.id, status: 'revoked', reason: 'fraud', from: 'active' },
    });
  });

  it('emits only event names from the published list', async () => {
    const w = await RulesWorld.create();
    const issuer = await w.registerIssuer();
    const a = await w.anchor(issuer);
    const names = [
      (await w.asRegistrar(statements.updateIssuer(issuer.id, { name: '新名称有限公司' }))).event.name,
      (await w.apply('suspend', await w.sign(statements.suspend(issuer.id, a.id), issuer.key))).event.name,
    ];
    for (const n of names) expect(EVENT_NAMES).to.include(n);
  });
});
