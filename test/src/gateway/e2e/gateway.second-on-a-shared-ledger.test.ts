/**
 * A second gateway on a ledger another gateway initialised (its own store and KEK): it says
 * at start, with a stable code, that it lacks a registrar key; it verifies, but refuses to
 * change issuers (409 registrar_key_missing) until ANXIN_REGISTRAR_KEY_FILE gives it the key.
 *
 * On the embedded ledger the second gateway gets a copy of the first one's ledger; on
 * Fabric both use the same network.
 */
import type { KeyObject } from 'node:crypto';
import { cpSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import { after, before, it } from 'mocha';
import { TestGateway, describeOnLedgers, expectProblem, expectVerified, type Issued } from '../../helpers/gateway';
import { USCC_OF_KIND } from '../../helpers';

describeOnLedgers('e2e: a second gateway on a ledger it did not initialise', function (ledger) {
  this.timeout(120_000);
  let first: TestGateway;
  let second: TestGateway;
  let issued: Issued;
  let registrarKeyFile: string;

  before(async () => {
    first = await TestGateway.start({ ledger });
    const clinic = await first.registerIssuer({ allowedTypes: ['HealthCertificate'] });
    issued = await first.issue(clinic.apiKey, 'HealthCertificate');
    expect(first.running.lacks).to.deep.equal([]);
    // The registrar key the operator hands to the second gateway.
    const registrar = (await first.services.ledgerClient.getRegistrar())!;
    const signer = (await first.services.keys.signer(registrar.keys[0]!.kid))!;
    registrarKeyFile = join(first.dataDir, '..', 'registrar-for-the-second.jwk');
    writeFileSync(registrarKeyFile, JSON.stringify((signer.privateKey as KeyObject).export({ format: 'jwk' })), {
      mode: 0o600,
    });
    if (ledger === 'embedded') await first.running.close();
    second = await TestGateway.start({
      ledger,
      env: { ANXIN_REGISTRAR_KEY_FILE: '' },
      ...(ledger === 'embedded'
        ? {
            beforeStart: (dir: string) =>
              cpSync(join(first.dataDir, 'ledger'), join(dir, 'ledger'), { recursive: true }),
          }
        : {}),
    });
  });
  after(async () => {
    await second?.stop();
    await first?.stop();
  });

  it('says at start what it lacks: registrar_key_missing', () => {
    expect(second.running.lacks.map((l) => l.code)).to.deep.equal(['registrar_key_missing']);
    expect(second.running.ledgerInitialised).to.equal(false);
  });

  it('verifies what the first issued, and refuses to register an issuer with 409 registrar_key_missing', async () => {
    expectVerified(await second.verify(await second.verifierKey(), issued.presentation));
    const res = await second.api('POST', '/v1/issuers', {
      key: second.adminKey,
      body: {
        name: '第二网关的诊所',
        kind: 'health_authority',
        allowedTypes: ['HealthCertificate'],
        uscc: USCC_OF_KIND.health_authority,
      },
    });
    expectProblem(res, 409, 'registrar_key_missing');
  });

  it('given the registrar key, it lacks nothing and registers issuers', async () => {
    await second.restart({ env: { ANXIN_REGISTRAR_KEY_FILE: registrarKeyFile } });
    expect(second.running.lacks).to.deep.equal([]);
    const more = await second.registerIssuer({ allowedTypes: ['HealthCertificate'] });
    expectVerified(
      await second.verify(
        await second.verifierKey(),
        (await second.issue(more.apiKey, 'HealthCertificate')).presentation,
      ),
    );
  });
});
