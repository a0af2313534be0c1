/**
 * Renewal on the ledger: an anchor may name the credential it replaces (same issuer, same
 * type, same holderRef, not replaced before); both ends of the link are written in the
 * same transaction, and `supersede` revokes the replaced one as superseded there too.
 */
import { expect } from 'chai';
import { describe, it } from 'mocha';
import type { AnchorRecord } from '@anxin/schemas';
import { RulesWorld, expectRejection, newCredentialId } from '../helpers';

describe('rules: renewal chain (replaces / replacedBy)', () => {
  it('links the renewal both ways in one transaction; the old one stays active', async () => {
    const w = await RulesWorld.create();
    const issuer = await w.registerIssuer();
    const old = await w.anchor(issuer);
    const renewed = await w.anchor(issuer, { anchor: { holderRef: old.holderRef, replaces: old.id } });
    expect(renewed.replaces).to.equal(old.id);
    const after = w.state.anchors.get(old.id)!;
    expect(after.replacedBy).to.equal(renewed.id);
    expect(after.status).to.equal('active');
    expect(after.updatedAt).to.equal(renewed.anchoredAt);
  });

  it('supersede: the replaced credential is revoked as superseded in the same transaction', async () => {
    const w = await RulesWorld.create();
    const issuer = await w.registerIssuer();
    const old = await w.anchor(issuer);
    await w.status('suspend', issuer, old.id);
    const { jws } = await w.anchorJws(issuer, {
      anchor: { holderRef: old.holderRef, replaces: old.id, supersede: true },
    });
    const effect = await w.apply<AnchorRecord>('anchor', jws);
    expect(effect.event.payload).to.include({ replaces: old.id, superseded: true });
    expect(w.state.anchors.get(old.id)).to.include({
      status: 'revoked',
      statusReason: 'superseded',
      replacedBy: effect.result.id,
    });
  });

  it('REPLACED_NOT_FOUND: replaces a credential never anchored; nothing is written', async () => {
    const w = await RulesWorld.create();
    const issuer = await w.registerIssuer();
    const { jws, spec } = await w.anchorJws(issuer, { anchor: { replaces: newCredentialId() } });
    await expectRejection(w.apply('anchor', jws), 'REPLACED_NOT_FOUND');
    expect(w.state.anchors.has(spec.id)).to.equal(false);
  });

  it('NOT_OWN_CREDENTIAL: replaces another issuer’s credential', async () => {
    const w = await RulesWorld.create();
    const a = await w.registerIssuer();
    const b = await w.registerIssuer();
    const old = await w.anchor(a);
    const { jws } = await w.anchorJws(b, { anchor: { holderRef: old.holderRef, replaces: old.id } });
    await expectRejection(w.apply('anchor', jws), 'NOT_OWN_CREDENTIAL');
    expect(w.state.anchors.get(old.id)!.replacedBy).to.equal(undefined);
  });

  it('REPLACES_MISMATCH: another holder, another type, or itself', async () => {
    const w = await RulesWorld.create();
    const issuer = await w.registerIssuer({ kind: 'employer', allowedTypes: ['LaborContract'] });
    const old = await w.anchor(issuer);
    const otherHolder = await w.anchorJws(issuer, { anchor: { replaces: old.id } });
    await expectRejection(w.apply('anchor', otherHolder.jws), 'REPLACES_MISMATCH');
    const id = newCredentialId();
    const self = await w.anchorJws(issuer, { anchor: { id, replaces: id, holderRef: old.holderRef } });
    await expectRejection(w.apply('anchor', self.jws), 'REPLACES_MISMATCH');
    expect(w.state.anchors.get(old.id)!.replacedBy).to.equal(undefined);
  });

  it('REPLACES_MISMATCH: a credential of another type', async () => {
    const w = await RulesWorld.create();
    const issuer = await w.registerIssuer();
    const old = await w.anchor(issuer);
    // Forge the stored type: an issuer of one kind has only one type to anchor.
    w.state.anchors.set(old.id, { ...old, type: 'SkillCertificate' });
    const { jws } = await w.anchorJws(issuer, { anchor: { holderRef: old.holderRef, replaces: old.id } });
    await expectRejection(w.apply('anchor', jws), 'REPLACES_MISMATCH');
  });

  it('ALREADY_REPLACED: a credential is renewed once', async () => {
    const w = await RulesWorld.create();
    const issuer = await w.registerIssuer();
    const old = await w.anchor(issuer);
    const first = await w.anchor(issuer, { anchor: { holderRef: old.holderRef, replaces: old.id } });
    const { jws } = await w.anchorJws(issuer, { anchor: { holderRef: old.holderRef, replaces: old.id } });
    await expectRejection(w.apply('anchor', jws), 'ALREADY_REPLACED');
    expect(w.state.anchors.get(old.id)!.replacedBy).to.equal(first.id);
  });

  it('INVALID_TRANSITION: superseding a revoked credential; a plain renewal of it is allowed', async () => {
    const w = await RulesWorld.create();
    const issuer = await w.registerIssuer();
    const old = await w.anchor(issuer);
    await w.status('revoke', issuer, old.id);
    const sup = await w.anchorJws(issuer, { anchor: { holderRef: old.holderRef, replaces: old.id, supersede: true } });
    await expectRejection(w.apply('anchor', sup.jws), 'INVALID_TRANSITION');
    const renewed = await w.anchor(issuer, { anchor: { holderRef: old.holderRef, replaces: old.id } });
    expect(w.state.anchors.get(old.id)).to.include({ status: 'revoked', replacedBy: renewed.id });
  });

  it('MALFORMED_STATEMENT: supersede without replaces', async () => {
    const w = await RulesWorld.create();
    const issuer = await w.registerIssuer();
    const { jws } = await w.anchorJws(issuer, { anchor: { supersede: true } });
    await expectRejection(w.apply('anchor', jws), 'MALFORMED_STATEMENT');
  });

  it('an anchor without the fields is as before', async () => {
    const w = await RulesWorld.create();
    const issuer = await w.registerIssuer();
    const a = await w.anchor(issuer);
    expect(a).to.not.have.any.keys('replaces', 'replacedBy');
  });
});
