/** The Ledger contract's cases: submit and evaluate: results, the contract's refusals, who may issue what. */
import { expect } from 'chai';
import type { AnchorRecord, IssuerRecord } from '@anxin/schemas';
import { newIssuerKey } from '../../helpers/keys';
import { anchorSpec, issuerSpec, sign, statements } from '../../helpers/statements';
import { HEX64, json, anchorNew, statusJws, expectRejected, type Case } from './port';

export const SUBMIT_CASES: Case[] = [
  {
    title: 'submit resolves once committed VALID, with tx id, block, index, timestamp and the contract result',
    async run({ t }) {
      const before = await t.ledger.info();
      const started = Date.now();
      const { spec, res, record } = await anchorNew(t.ledger, t.issuer);
      expect(res.code).to.equal('VALID');
      expect(res.txId).to.match(HEX64);
      expect(res.block).to.be.a('number').and.to.be.at.least(before.height);
      expect(res.txIndex).to.be.a('number').and.to.be.at.least(0);
      expect(res.timestamp).to.be.instanceOf(Date);
      expect(Math.abs(res.timestamp.getTime() - started)).to.be.below(60_000);
      expect(record).to.include({
        id: spec.id,
        issuer: t.issuer.id,
        digest: spec.digest,
        status: 'active',
        txId: res.txId,
      });
      const after = await t.ledger.info();
      expect(after.height).to.be.greaterThan(res.block);
      // committed state: evaluate sees it at once
      expect(json<AnchorRecord>(await t.ledger.evaluate('getAnchor', [spec.id])).txId).to.equal(res.txId);
    },
  },
  {
    title: "a refused statement rejects with RejectedError carrying the contract's exact reason, and nothing commits",
    async run({ t }) {
      const { spec, jws } = await anchorNew(t.ledger, t.issuer);
      const h0 = (await t.ledger.info()).height;
      const replay = await expectRejected(t.ledger.submit('anchor', [jws]), 'STATEMENT_REPLAYED');
      expect(replay.txId, 'a rejected submit names its tx id').to.match(HEX64);
      expect(replay.detail).to.be.a('string').and.not.equal('');
      await expectRejected(
        t.ledger.submit('anchor', [await sign(statements.anchor(t.issuer.id, spec), t.issuer.key)]),
        'ANCHOR_EXISTS',
      );
      await expectRejected(
        t.ledger.submit('revoke', [
          await statusJws(t.issuer, 'revoke', 'urn:uuid:00000000-0000-4000-8000-000000000000'),
        ]),
        'ANCHOR_NOT_FOUND',
      );
      await expectRejected(t.ledger.submit('anchor', ['not a statement']), 'MALFORMED_STATEMENT');
      await expectRejected(
        t.ledger.submit('reinstate', [await statusJws(t.issuer, 'reinstate', spec.id)]),
        'INVALID_TRANSITION',
      );
      expect((await t.ledger.info()).height, 'a refused transaction is never ordered').to.equal(h0);
    },
  },
  {
    title:
      'who may issue what: the kind bounds the types (TYPE_NOT_FOR_KIND), a health certificate ends within a year (VALIDITY_OUT_OF_BOUNDS), a revocation names its instant',
    async run({ t }) {
      const h0 = (await t.ledger.info()).height;
      const employer = issuerSpec({ kind: 'employer', allowedTypes: ['HealthCertificate'] });
      const key = await newIssuerKey(employer.id);
      await expectRejected(
        t.ledger.submit('registerIssuer', [await sign(statements.registerIssuer(employer, key.newKey), t.registrar)]),
        'TYPE_NOT_FOR_KIND',
      );
      await expectRejected(t.ledger.evaluate('getIssuer', [employer.id]), 'ISSUER_UNKNOWN');
      await expectRejected(
        t.ledger.submit('updateIssuer', [
          await sign(
            statements.updateIssuer(t.issuer.id, { allowedTypes: ['HealthCertificate', 'LaborContract'] }),
            t.registrar,
          ),
        ]),
        'TYPE_NOT_FOR_KIND',
      );
      for (const validUntil of [undefined, new Date(Date.now() + 400 * 86_400_000).toISOString()]) {
        await expectRejected(
          t.ledger.submit('anchor', [
            await sign(statements.anchor(t.issuer.id, anchorSpec(t.issuer.key, { validUntil })), t.issuer.key),
          ]),
          'VALIDITY_OUT_OF_BOUNDS',
        );
      }
      await expectRejected(
        t.ledger.submit('updateIssuer', [
          await sign(
            statements.updateIssuer(t.issuer.id, {
              status: 'revoked',
              revokedSince: new Date(Date.now() + 3_600_000).toISOString(),
            }),
            t.registrar,
          ),
        ]),
        'INVALID_TIME',
      );
      expect((await t.ledger.info()).height, 'nothing refused is ordered').to.equal(h0);
      expect(json<IssuerRecord>(await t.ledger.evaluate('getIssuer', [t.issuer.id])).allowedTypes).to.deep.equal([
        'HealthCertificate',
      ]);

      const { spec: before } = await anchorNew(t.ledger, t.issuer);
      const since = new Date(Date.now() - 1000).toISOString();
      const res = await t.ledger.submit('updateIssuer', [
        await sign(statements.updateIssuer(t.issuer.id, { status: 'revoked', revokedSince: since }), t.registrar),
      ]);
      expect(json<IssuerRecord>(res.result)).to.include({ status: 'revoked', revokedSince: since });
      await expectRejected(
        t.ledger.submit('anchor', [await sign(statements.anchor(t.issuer.id, anchorSpec(t.issuer.key)), t.issuer.key)]),
        'ISSUER_NOT_ACTIVE',
      );
      // What it anchored stays on the ledger as it was: verification judges it against revokedSince.
      expect(json<AnchorRecord>(await t.ledger.evaluate('getAnchor', [before.id])).status).to.equal('active');
    },
  },
  {
    title:
      'evaluate reads committed state; a refused read rejects with the reason; an unknown function is CHAINCODE_ERROR',
    async run({ t }) {
      const { spec } = await anchorNew(t.ledger, t.issuer);
      const h0 = (await t.ledger.info()).height;
      const check = json<{ match: boolean; anchor: AnchorRecord }>(
        await t.ledger.evaluate('checkDigest', [spec.id, spec.digest]),
      );
      expect(check.match).to.equal(true);
      expect(check.anchor.status).to.equal('active');
      expect(
        json<{ match: boolean }>(await t.ledger.evaluate('checkDigest', [spec.id, '0'.repeat(64)])).match,
      ).to.equal(false);
      const issuer = json<IssuerRecord>(await t.ledger.evaluate('getIssuer', [t.issuer.id]));
      expect(issuer).to.include({ id: t.issuer.id, status: 'active' });
      expect(issuer.keys.map((k) => k.kid)).to.deep.equal([t.issuer.key.kid]);
      const history = json<Array<{ txId: string; value?: AnchorRecord }>>(
        await t.ledger.evaluate('getAnchorHistory', [spec.id]),
      );
      expect(history).to.have.length(1);
      await expectRejected(
        t.ledger.evaluate('getAnchor', ['urn:uuid:00000000-0000-4000-8000-000000000001']),
        'ANCHOR_NOT_FOUND',
      );
      await expectRejected(t.ledger.evaluate('listIssuers', ['0', '']), 'MALFORMED_ARGUMENT');
      await expectRejected(t.ledger.evaluate('noSuchFunction', []), 'CHAINCODE_ERROR');
      expect((await t.ledger.info()).height, 'evaluate never orders anything').to.equal(h0);
    },
  },
];
