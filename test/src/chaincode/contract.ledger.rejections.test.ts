/**
 * The contract on the real path — fabric-shim's dispatch on the embedded ledger: a
 * representative set of refusals arrives as RejectedError with the contract's code, is
 * never ordered, and changes nothing; a concurrent replay loses at commit.
 */
import { randomBytes } from 'node:crypto';
import { expect } from 'chai';
import { after, before, describe, it } from 'mocha';
import { RejectedError } from '@anxin/network';
import type { EmbeddedLedger } from '@anxin/network/embedded';
import type { AnchorRecord } from '@anxin/schemas';
import {
  alterPayload,
  anchorCredential,
  anchorSpec,
  expectCommitError,
  expectRejected,
  headerFor,
  hs256Jws,
  issuerSpec,
  json,
  newIssuerKey,
  newRegistrar,
  noneJws,
  openLedger,
  payloadOf,
  registerIssuer,
  sign,
  statements,
  type Registrar,
  type TestIssuer,
} from '../helpers';

describe('contract on the embedded ledger: refusals', () => {
  let ledger: EmbeddedLedger;
  let registrar: Registrar;
  let issuer: TestIssuer;
  let other: TestIssuer;
  let anchored: AnchorRecord;

  before(async () => {
    ({ ledger, registrar } = await openLedger());
    issuer = await registerIssuer(ledger, registrar, { allowedTypes: ['HealthCertificate'] });
    other = await registerIssuer(ledger, registrar, {
      kind: 'platform',
      allowedTypes: ['LaborContract'],
      alg: 'EdDSA',
    });
    anchored = (await anchorCredential(ledger, issuer)).record;
  });
  after(() => ledger.close());

  /** Submit and expect `reason`; the ledger must not grow (a refused proposal is never ordered). */
  async function refused(fn: string, args: string[], reason: string): Promise<RejectedError> {
    const before = await ledger.info();
    const e = await expectRejected(ledger.submit(fn, args), reason);
    expect(e.txId, 'the refusal names the proposal’s tx id').to.match(/^[0-9a-f]{64}$/);
    expect(ledger.transaction(e.txId!), 'a refused transaction is not on the ledger').to.equal(undefined);
    expect(await ledger.info()).to.deep.equal(before);
    return e;
  }

  it('ALREADY_INITIALISED: init a second time', async () => {
    await refused('init', [(await newRegistrar()).initArgs], 'ALREADY_INITIALISED');
  });

  it('MALFORMED_STATEMENT: not a JWS', async () => {
    await refused('anchor', ['not a statement'], 'MALFORMED_STATEMENT');
  });

  it('MALFORMED_STATEMENT: a registrar-signed issuer name with a bidi override, submitted without the gateway', async () => {
    const spec = issuerSpec({ name: '成都\u202E司公卫生院' });
    const k = await newIssuerKey(spec.id);
    await refused(
      'registerIssuer',
      [await sign(statements.registerIssuer(spec, k.newKey), registrar)],
      'MALFORMED_STATEMENT',
    );
  });

  it('BAD_SIGNATURE: anchor payload altered after signing', async () => {
    const { jws } = { jws: await sign(statements.anchor(issuer.id, anchorSpec(issuer.key)), issuer.key) };
    await refused(
      'anchor',
      [alterPayload(jws, (p) => ((p['anchor'] as { digest: string }).digest = randomBytes(32).toString('hex')))],
      'BAD_SIGNATURE',
    );
  });

  it('ALG_NOT_ALLOWED: HS256 built by hand; none with a signature part', async () => {
    const payload = payloadOf(await sign(statements.revoke(issuer.id, anchored.id, 'fraud'), issuer.key));
    await refused('revoke', [hs256Jws(headerFor(issuer.key), payload, randomBytes(32))], 'ALG_NOT_ALLOWED');
    await refused('revoke', [noneJws(headerFor(issuer.key), payload, 'AA')], 'ALG_NOT_ALLOWED');
  });

  it('UNKNOWN_KEY: registrar statement signed by an issuer key; issuer statement signed by the registrar', async () => {
    const k = await newIssuerKey(issuer.id);
    await refused('addKey', [await sign(statements.addKey(issuer.id, k.newKey), issuer.key)], 'UNKNOWN_KEY');
    await refused('suspend', [await sign(statements.suspend(issuer.id, anchored.id), registrar)], 'UNKNOWN_KEY');
  });

  it('TYPE_NOT_ALLOWED: a health authority anchoring a labor contract', async () => {
    await refused(
      'anchor',
      [await sign(statements.anchor(issuer.id, anchorSpec(issuer.key, { type: 'LaborContract' })), issuer.key)],
      'TYPE_NOT_ALLOWED',
    );
  });

  it('NOT_OWN_CREDENTIAL: the platform revoking the health authority’s certificate', async () => {
    await refused(
      'revoke',
      [await sign(statements.revoke(other.id, anchored.id, 'fraud'), other.key)],
      'NOT_OWN_CREDENTIAL',
    );
  });

  it('WRONG_KIND: a suspend statement sent to revoke', async () => {
    await refused('revoke', [await sign(statements.suspend(issuer.id, anchored.id), issuer.key)], 'WRONG_KIND');
  });

  it('STATEMENT_EXPIRED / STATEMENT_FROM_FUTURE', async () => {
    const now = Math.floor(Date.now() / 1000);
    await refused(
      'suspend',
      [await sign(statements.suspend(issuer.id, anchored.id, 'investigation', { iat: now - 2 * 86400 }), issuer.key)],
      'STATEMENT_EXPIRED',
    );
    await refused(
      'suspend',
      [await sign(statements.suspend(issuer.id, anchored.id, 'investigation', { iat: now + 3600 }), issuer.key)],
      'STATEMENT_FROM_FUTURE',
    );
  });

  it('INVALID_TRANSITION: reinstate an active credential', async () => {
    await refused(
      'reinstate',
      [await sign(statements.reinstate(issuer.id, anchored.id), issuer.key)],
      'INVALID_TRANSITION',
    );
  });

  it('KEY_ID_MISMATCH: addKey with a keyId that is not the thumbprint', async () => {
    const k = await newIssuerKey(issuer.id);
    await refused(
      'addKey',
      [await sign(statements.addKey(issuer.id, { ...k.newKey, keyId: issuer.key.keyId }), registrar)],
      'KEY_ID_MISMATCH',
    );
  });

  it('STATEMENT_REPLAYED: the same anchor statement submitted again after it committed', async () => {
    const { jws } = await anchorCredential(ledger, issuer);
    await refused('anchor', [jws], 'STATEMENT_REPLAYED');
  });

  it('KEY_RETIRED and KEY_COMPROMISED after rotation on the ledger; old anchors stay', async () => {
    const rotating = await registerIssuer(ledger, registrar, {
      kind: 'training_body',
      allowedTypes: ['SkillCertificate'],
    });
    const old = await anchorCredential(ledger, rotating);
    const k2 = await newIssuerKey(rotating.id);
    await ledger.submit('addKey', [await sign(statements.addKey(rotating.id, k2.newKey), registrar)]);
    await ledger.submit('retireKey', [await sign(statements.retireKey(rotating.id, rotating.key.keyId), registrar)]);
    await refused(
      'anchor',
      [
        await sign(
          statements.anchor(rotating.id, anchorSpec(rotating.key, { type: 'SkillCertificate' })),
          rotating.key,
        ),
      ],
      'KEY_RETIRED',
    );
    expect(json<AnchorRecord>(await ledger.evaluate('getAnchor', [old.spec.id])).status).to.equal('active');

    await ledger.submit('revokeKey', [
      await sign(statements.revokeKey(rotating.id, k2.keyId, new Date(Date.now() - 1000).toISOString()), registrar),
    ]);
    await refused(
      'anchor',
      [await sign(statements.anchor(rotating.id, anchorSpec(k2, { type: 'SkillCertificate' })), k2)],
      'KEY_COMPROMISED',
    );
  });

  it('ISSUER_NOT_ACTIVE: a suspended issuer may revoke but not anchor', async () => {
    const clinic = await registerIssuer(ledger, registrar);
    const a = await anchorCredential(ledger, clinic);
    await ledger.submit('updateIssuer', [
      await sign(statements.updateIssuer(clinic.id, { status: 'suspended' }), registrar),
    ]);
    await refused(
      'anchor',
      [await sign(statements.anchor(clinic.id, anchorSpec(clinic.key)), clinic.key)],
      'ISSUER_NOT_ACTIVE',
    );
    const r = await ledger.submit('revoke', [
      await sign(statements.revoke(clinic.id, a.spec.id, 'issued_in_error'), clinic.key),
    ]);
    expect(json<AnchorRecord>(r.result).status).to.equal('revoked');
  });

  it('STATUS_ENTRY_TAKEN and STATUS_LIST_NOT_OWN: a status list entry given out before, another issuer’s list', async () => {
    const list = randomBytes(12).toString('base64url');
    await anchorCredential(ledger, issuer, { anchor: { statusEntry: { list, idx: 77 } } });
    const again = anchorSpec(issuer.key, { statusEntry: { list, idx: 77 } });
    await refused('anchor', [await sign(statements.anchor(issuer.id, again), issuer.key)], 'STATUS_ENTRY_TAKEN');
    const theirs = anchorSpec(other.key, { type: 'LaborContract', statusEntry: { list, idx: 78 } });
    await refused('anchor', [await sign(statements.anchor(other.id, theirs), other.key)], 'STATUS_LIST_NOT_OWN');
  });

  it('two anchors racing for one status list entry: one commits, the other is MVCC_READ_CONFLICT', async () => {
    const list = randomBytes(12).toString('base64url');
    const jws = await Promise.all(
      [0, 1].map(() =>
        sign(statements.anchor(issuer.id, anchorSpec(issuer.key, { statusEntry: { list, idx: 5 } })), issuer.key),
      ),
    );
    const results = await Promise.allSettled(jws.map((j) => ledger.submit('anchor', [j])));
    expect(results.filter((r) => r.status === 'fulfilled')).to.have.length(1);
    const failed = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    await expectCommitError(Promise.reject(failed[0]!.reason as Error), 'MVCC_READ_CONFLICT');
  });

  it('a concurrent replay: the same statement submitted twice at once commits once; the other is MVCC_READ_CONFLICT', async () => {
    const jws = await sign(statements.anchor(issuer.id, anchorSpec(issuer.key)), issuer.key);
    const results = await Promise.allSettled([ledger.submit('anchor', [jws]), ledger.submit('anchor', [jws])]);
    const ok = results.filter((r) => r.status === 'fulfilled');
    const failed = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(ok).to.have.length(1);
    expect(failed).to.have.length(1);
    await expectCommitError(Promise.reject(failed[0]!.reason as Error), 'MVCC_READ_CONFLICT');
    expect(ledger.transaction((failed[0]!.reason as { txId: string }).txId)?.code).to.equal('MVCC_READ_CONFLICT');
  });

  it('reads refuse unknown ids with their code', async () => {
    await expectRejected(
      ledger.evaluate('getAnchor', ['urn:uuid:00000000-0000-4000-8000-000000000000']),
      'ANCHOR_NOT_FOUND',
    );
    await expectRejected(
      ledger.evaluate('getAnchorHistory', ['urn:uuid:00000000-0000-4000-8000-000000000000']),
      'ANCHOR_NOT_FOUND',
    );
    await expectRejected(ledger.evaluate('getIssuer', ['urn:anxin:issuer:nobody-here']), 'ISSUER_UNKNOWN');
    for (const size of ['0', '101', 'ten', '2.5'])
      await expectRejected(ledger.evaluate('listIssuers', [size, '']), 'MALFORMED_ARGUMENT');
  });
});

describe('contract on the embedded ledger: before init', () => {
  it('NOT_INITIALISED: registering an issuer, reading the registrar', async () => {
    const { ledger, registrar } = await openLedger({ init: false });
    try {
      const k = await newIssuerKey('urn:anxin:issuer:too-early');
      const body = statements.registerIssuer(
        {
          id: k.owner,
          name: '太早职业技能培训学校',
          kind: 'training_body',
          uscc: '52510100MJP60721XR',
          allowedTypes: ['SkillCertificate'],
        },
        k.newKey,
      );
      await expectRejected(ledger.submit('registerIssuer', [await sign(body, registrar)]), 'NOT_INITIALISED');
      await expectRejected(ledger.evaluate('getRegistrar', []), 'NOT_INITIALISED');
      await ledger.submit('init', [registrar.initArgs]);
      expect(
        json<{ keys: Array<{ kid: string }> }>(await ledger.evaluate('getRegistrar', [])).keys.map((x) => x.kid),
      ).to.deep.equal([registrar.kid]);
    } finally {
      await ledger.close();
    }
  });
});
