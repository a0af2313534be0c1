/**
 * Registrar key rotation over HTTP (POST /v1/registrar/keys): a new registrar key in
 * custody, added on the ledger by a statement the current key signs; the retired key signs
 * nothing after (KEY_RETIRED); issuers registered before keep issuing and their credentials
 * verify; `anxin replay` re-checks the rotation.
 *
 * On Fabric the suite shares one network whose registrar key the other suites use, so it
 * retires only keys it added itself; retiring the key the ledger was initialised with runs
 * on the embedded ledger.
 */
import { expect } from 'chai';
import { after, before, it } from 'mocha';
import { signStatement } from '@anxin/chaincode/rules';
import { DomainError } from '@anxin/gateway';
import {
  TestGateway,
  describeOnLedgers,
  expectProblem,
  expectVerified,
  type Issued,
  type Loose,
  type RegisteredIssuer,
} from '../../helpers/gateway';
import { newIssuerKey } from '../../helpers';
import { issuerSpec } from '../../helpers/statements';
import { anxin, expectExit } from '../../cli/fixture';

interface PublicKey {
  kid: string;
  keyId: string;
  notBefore?: string;
  retiredAt?: string;
}

describeOnLedgers('e2e: registrar key rotation', function (ledger) {
  this.timeout(120_000);
  let gw: TestGateway;
  let verifier: string;
  let clinic: RegisteredIssuer;
  let issuedBefore: Issued;
  let first: PublicKey[];

  before(async () => {
    gw = await TestGateway.start({ ledger });
    verifier = await gw.verifierKey();
    clinic = await gw.registerIssuer({ allowedTypes: ['HealthCertificate'] });
    issuedBefore = await gw.issue(clinic.apiKey, 'HealthCertificate');
    const res = await gw.api('GET', '/v1/registrar');
    expect(res.status, res.text).to.equal(200);
    first = res.body.keys;
  });
  after(async () => gw?.stop());

  /** Sign a registerIssuer statement with a registrar key in custody and submit it as is. */
  async function registerSignedBy(kid: string): Promise<unknown> {
    const signer = (await gw.services.keys.signer(kid))!;
    const spec = issuerSpec({ allowedTypes: ['HealthCertificate'] });
    const key = await newIssuerKey(spec.id);
    const jws = await signStatement(
      { kind: 'registerIssuer', iss: 'registrar', issuer: spec, key: key.newKey },
      signer,
    );
    return gw.services.ledgerClient.submit('registerIssuer', jws);
  }

  async function expectRefused(p: Promise<unknown>, reason: string): Promise<void> {
    const e = await p.then(
      () => undefined,
      (x: unknown) => x,
    );
    expect(e, 'the ledger accepted it').to.be.instanceOf(DomainError);
    expect((e as DomainError).extra.reason).to.equal(reason);
  }

  it('needs the admin scope, and a valid body', async () => {
    expectProblem(await gw.api('POST', '/v1/registrar/keys', { body: {} }), 401, 'unauthorized');
    expectProblem(await gw.api('POST', '/v1/registrar/keys', { key: clinic.apiKey, body: {} }), 403, 'forbidden');
    expectProblem(
      await gw.api('POST', '/v1/registrar/keys', { key: gw.adminKey, body: { retire: 'not a key id' } }),
      400,
      'validation_failed',
    );
    expectProblem(
      await gw.api('POST', '/v1/registrar/keys', { key: gw.adminKey, body: { retire: 'A'.repeat(43) } }),
      404,
      'not_found',
    );
    expect((await gw.api('GET', '/v1/registrar')).body.keys).to.deep.equal(first);
  });

  it('adds a key (retire: false), then retires it with the next; a statement the retired key signs is refused KEY_RETIRED', async () => {
    const added = await gw.api('POST', '/v1/registrar/keys', { key: gw.adminKey, body: { retire: false } });
    expect(added.status, added.text).to.equal(201);
    expect(added.body.keys).to.have.length(first.length + 1);
    const k2: PublicKey = added.body.keys.at(-1);
    expect(k2.notBefore).to.be.a('string');
    expect(k2.retiredAt).to.equal(undefined);

    const next = await gw.api('POST', '/v1/registrar/keys', { key: gw.adminKey, body: { retire: k2.keyId } });
    expect(next.status, next.text).to.equal(201);
    const after: PublicKey[] = next.body.keys;
    expect(after.find((k) => k.keyId === k2.keyId)!.retiredAt).to.be.a('string');
    expect(after).to.have.length(first.length + 2);
    for (const k of first) expect(after.find((x) => x.keyId === k.keyId)).to.deep.equal(k);

    await expectRefused(registerSignedBy(k2.kid), 'KEY_RETIRED');
    // Retiring it again is refused before anything is signed.
    expectProblem(
      await gw.api('POST', '/v1/registrar/keys', { key: gw.adminKey, body: { retire: k2.keyId } }),
      409,
      'invalid_transition',
    );
    // The gateway signs with a key that may still sign: registering goes on.
    const more = await gw.registerIssuer({ allowedTypes: ['SkillCertificate'] });
    expectVerified(await gw.verify(verifier, (await gw.issue(more.apiKey, 'SkillCertificate')).presentation));
  });

  it('the default rotation retires the key that signs it; issuers registered before keep issuing; replay passes', async function () {
    if (ledger !== 'embedded') this.skip();
    const original = first[0]!;
    const res = await gw.api('POST', '/v1/registrar/keys', { key: gw.adminKey, body: {} });
    expect(res.status, res.text).to.equal(201);
    const keys: Loose[] = res.body.keys;
    expect(keys.find((k) => k.keyId === original.keyId).retiredAt).to.be.a('string');
    const current = keys.at(-1);
    expect(current.retiredAt).to.equal(undefined);

    await expectRefused(registerSignedBy(original.kid), 'KEY_RETIRED');
    expectVerified(await gw.verify(verifier, issuedBefore.presentation));
    expectVerified(await gw.verify(verifier, (await gw.issue(clinic.apiKey, 'HealthCertificate')).presentation));
    const later = await gw.registerIssuer({ allowedTypes: ['HealthCertificate'] });
    expectVerified(await gw.verify(verifier, (await gw.issue(later.apiKey, 'HealthCertificate')).presentation));

    const r = await anxin(['replay', '--data', gw.dataDir, '--json', '--workers', '1']);
    expectExit(r, 0);
    expect(r.json.ok).to.equal(true);
    expect(JSON.stringify(r.json.summary)).to.contain('rotateRegistrar');
  });
});
