/**
 * Endorsement workers read committed state through a cache that lasts until the next
 * block: every endorsement after a commit must see that commit — a statement applied just
 * before is a replay, a key added just before signs, an issuer revoked just before issues
 * nothing. Each step is refused (or accepted) at endorsement, by the contract's own reason,
 * not later by the committer's MVCC check.
 */
import { join } from 'node:path';
import { expect } from 'chai';
import { after, before, describe, it } from 'mocha';
import { EmbeddedLedger } from '@anxin/network/embedded';
import type { AnchorRecord } from '@anxin/schemas';
import { newIssuerKey, newRegistrar, type Registrar } from '../helpers/keys';
import { anchorSpec, sign, statements } from '../helpers/statements';
import { tempDir } from '../helpers/tmp';
import type { TestIssuer } from '../helpers/world';
import { anchorNew, expectRejected, json, registerTestIssuer } from './ledger-contract/port';

describe('embedded ledger: endorsement workers see each commit at once', function () {
  this.timeout(60_000);
  let ledger: EmbeddedLedger;
  let registrar: Registrar;
  let issuer: TestIssuer;

  before(async () => {
    ledger = await EmbeddedLedger.open(join(tempDir('endorsers-fresh'), 'ledger'), {
      batch: { timeoutMs: 10 },
      endorsers: 1,
      endorsersStart: 'at-open',
    });
    expect(ledger.endorsersReady, 'every endorsement runs on the worker').to.equal(1);
    registrar = await newRegistrar();
    await ledger.submit('init', [registrar.initArgs]);
    issuer = await registerTestIssuer(ledger, registrar);
  });
  after(() => ledger?.close());

  it('a statement committed one block before is a replay', async () => {
    const { jws, res } = await anchorNew(ledger, issuer);
    expect(res.code).to.equal('VALID');
    await expectRejected(ledger.submit('anchor', [jws]), 'STATEMENT_REPLAYED');
  });

  it('a key added one block before signs; the issuer revoked one block before issues nothing', async () => {
    const second = await newIssuerKey(issuer.id);
    // Read the issuer (and so cache it) before the change.
    const { res: first } = await anchorNew(ledger, issuer);
    expect(first.code).to.equal('VALID');
    await ledger.submit('addKey', [await sign(statements.addKey(issuer.id, second.newKey), registrar)]);
    const spec = anchorSpec(second);
    const res = await ledger.submit('anchor', [await sign(statements.anchor(issuer.id, spec), second)]);
    expect(res.code).to.equal('VALID');
    expect(json<AnchorRecord>(res.result).id).to.equal(spec.id);

    await ledger.submit('updateIssuer', [
      await sign(
        statements.updateIssuer(issuer.id, {
          status: 'revoked',
          revokedSince: new Date(Date.now() - 1000).toISOString(),
        }),
        registrar,
      ),
    ]);
    await expectRejected(
      ledger.submit('anchor', [await sign(statements.anchor(issuer.id, anchorSpec(issuer.key)), issuer.key)]),
      'ISSUER_NOT_ACTIVE',
    );
  });
});
