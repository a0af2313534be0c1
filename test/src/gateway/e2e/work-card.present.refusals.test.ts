/**
 * What a worker's device refuses to present as a work card, by code: not a credential, not
 * an SD-JWT VC, already a presentation, a member it lacks or one never shown on a card, and
 * every way the holder key can be wrong — missing, not private, not the bound one, given
 * for a credential bound to none, of an unsupported kind.
 */
import { generateKeyPairSync, type JsonWebKey } from 'node:crypto';
import { expect } from 'chai';
import { after, before, describe, it } from 'mocha';
import { holderProofJwt, WorkCardError, presentCredential, type WorkCardErrorCode } from '@anxin/gateway/workcard';
import { TestGateway, deviceKey, type DeviceKey, type Issued } from '../../helpers/gateway';

async function refusal(p: Promise<unknown>): Promise<{ code: WorkCardErrorCode; kind: string }> {
  try {
    await p;
  } catch (e) {
    expect(e).to.be.instanceOf(WorkCardError);
    return { code: (e as WorkCardError).code, kind: (e as WorkCardError).kind };
  }
  throw new Error('not refused');
}

describe('e2e: work card presentations refused, by code', () => {
  const disclose = ['holder.name', 'healthCertificate.validity'];
  let gw: TestGateway;
  let device: DeviceKey;
  let plain: Issued;
  let bound: Issued;
  let jwt: Issued;

  before(async () => {
    gw = await TestGateway.start();
    const cdc = await gw.registerIssuer({ allowedTypes: ['HealthCertificate'] });
    device = deviceKey();
    plain = await gw.issue(cdc.apiKey, 'HealthCertificate', { format: 'dc+sd-jwt' });
    bound = await gw.issue(cdc.apiKey, 'HealthCertificate', { format: 'dc+sd-jwt', holderKey: device.privateJwk });
    jwt = await gw.issue(cdc.apiKey, 'HealthCertificate');
  });
  after(async () => gw?.stop());

  it('presents what it may: the chosen members, bound by a key-binding JWT when the credential has cnf', async () => {
    expect((await presentCredential(plain.credential, { disclose })).disclosed).to.deep.equal([...disclose].sort());
    const p = await presentCredential(bound.credential, { disclose, holderKey: device.privateJwk });
    expect(p.bound).to.equal(true);
  });

  it('the credential itself: not_a_credential, not_sd_jwt, already_presented', async () => {
    expect(await refusal(presentCredential('garbage', { disclose }))).to.deep.equal({
      code: 'not_a_credential',
      kind: 'input',
    });
    expect(await refusal(presentCredential(jwt.credential, { disclose }))).to.deep.equal({
      code: 'not_sd_jwt',
      kind: 'credential',
    });
    const shown = await presentCredential(bound.credential, { disclose, holderKey: device.privateJwk });
    expect((await refusal(presentCredential(shown.presentation, { disclose }))).code).to.equal('already_presented');
  });

  it('the members: member_unknown, member_never_on_a_card', async () => {
    expect(await refusal(presentCredential(plain.credential, { disclose: ['holder.salary'] }))).to.deep.equal({
      code: 'member_unknown',
      kind: 'member',
    });
    expect(await refusal(presentCredential(plain.credential, { disclose: ['holder.salt'] }))).to.deep.equal({
      code: 'member_never_on_a_card',
      kind: 'member',
    });
  });

  it('the holder key: required, not private, not the bound one, for a credential bound to none, unsupported', async () => {
    const present = (sdJwt: string, holderKey?: JsonWebKey) =>
      refusal(presentCredential(sdJwt, { disclose, ...(holderKey ? { holderKey } : {}) }));
    expect((await present(bound.credential)).code).to.equal('holder_key_required');
    expect((await present(bound.credential, device.publicJwk)).code).to.equal('holder_key_not_private');
    expect((await present(bound.credential, deviceKey().privateJwk)).code).to.equal('holder_key_mismatch');
    expect((await present(plain.credential, device.privateJwk)).code).to.equal('credential_not_bound');
    const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ format: 'jwk' });
    expect((await present(bound.credential, rsa)).code).to.equal('holder_key_unsupported');
    expect((await refusal(holderProofJwt({ holderKey: rsa, aud: gw.url, nonce: 'n' }))).code).to.equal(
      'holder_key_unsupported',
    );
  });
});
