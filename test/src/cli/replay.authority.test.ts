/**
 * anxin replay re-applies the rules of who may issue what: a registration outside the
 * issuer's kind, or a revocation recorded later than its statement says, cannot enter a
 * ledger through the contract; forced in by a contract that skips those rules, replay
 * finds it, at the transaction that did it.
 */
// Load fabric-shim quietly (no process-wide handlers, no logs) before fabric-contract-api.
import '@anxin/network/embedded';
import { expect } from 'chai';
import { describe, it } from 'mocha';
import { Info, type Context } from 'fabric-contract-api';
import { AnxinContract, StubState, canonicalBytes, txContext, verifyStatement } from '@anxin/chaincode';
import type { IssuerRecord } from '@anxin/schemas';
import {
  anchorCredential,
  expectRejected,
  json,
  newIssuerKey,
  openLedger,
  registerIssuer,
  statements,
  submitStatement,
} from '../helpers';
import { issuerSpec } from '../helpers/statements';
import { anxin, expectExit } from './fixture';

/** The contract as it would be without the kind rule: registers any types for any kind. */
@Info({ title: 'anxin', description: 'registerIssuer without the kind rule' })
class KindBlindContract extends AnxinContract {
  // Undecorated: the transaction's metadata (its parameters) is the parent's.
  override async registerIssuer(ctx: Context, statement: string): Promise<IssuerRecord> {
    const state = new StubState(ctx);
    const tx = txContext(ctx);
    const { payload } = await verifyStatement(state, statement, 'registerIssuer', tx);
    await state.getIssuer(payload.issuer.id);
    const record: IssuerRecord = {
      ...payload.issuer,
      allowedTypes: [...payload.issuer.allowedTypes],
      status: 'active',
      keys: [
        {
          keyId: payload.key.keyId,
          kid: `${payload.issuer.id}#${payload.key.keyId}`,
          alg: payload.key.alg,
          publicJwk: payload.key.publicJwk,
          notBefore: tx.time,
        },
      ],
      registeredAt: tx.time,
      updatedAt: tx.time,
    };
    await state.putIssuer(record);
    await state.putStatement(payload.jti, { txId: tx.txId, kind: payload.kind, iss: payload.iss });
    ctx.stub.setEvent('IssuerRegistered', canonicalBytes({ issuerId: record.id }));
    return record;
  }
}

/** The contract with a peer that records every issuer revocation as of the transaction, whatever it says. */
@Info({ title: 'anxin', description: 'updateIssuer moving revokedSince to the transaction time' })
class LateRevocationContract extends AnxinContract {
  override async updateIssuer(ctx: Context, statement: string): Promise<IssuerRecord> {
    const stub = ctx.stub;
    const shifted = Object.create(ctx) as Context;
    Object.defineProperty(shifted, 'stub', {
      value: Object.assign(Object.create(stub) as typeof stub, {
        putState: (key: string, value: Uint8Array) => {
          const r = JSON.parse(Buffer.from(value).toString('utf8')) as IssuerRecord;
          const later = r.revokedSince ? { ...r, revokedSince: txContext(ctx).time } : r;
          return stub.putState(key, canonicalBytes(later));
        },
      }),
    });
    return super.updateIssuer(shifted, statement);
  }
}

describe('cli: anxin replay and who may issue what', function () {
  this.timeout(120_000);

  it('a registration outside the issuer kind, forced in, is a finding at its transaction (exit 1)', async () => {
    const { ledger, dir, registrar } = await openLedger({ contracts: [KindBlindContract] });
    let at: { block: number; txId: string };
    try {
      await registerIssuer(ledger, registrar); // an honest one first
      const spec = issuerSpec({ kind: 'employer', allowedTypes: ['LaborContract', 'HealthCertificate'] });
      const key = await newIssuerKey(spec.id);
      const res = await submitStatement(ledger, statements.registerIssuer(spec, key.newKey), registrar);
      expect(json<IssuerRecord>(res.result).allowedTypes).to.include('HealthCertificate');
      at = { block: res.block, txId: res.txId };
      // Even so, the anchor rule looks at the kind too: the employer anchors no health certificate.
      await expectRejected(
        anchorCredential(ledger, { id: spec.id, spec, key }, { type: 'HealthCertificate' }),
        'TYPE_NOT_ALLOWED',
      );
    } finally {
      await ledger.close();
    }
    const r = await anxin(['replay', '--data', dir, '--json', '--workers', '0']);
    expectExit(r, 1);
    const findings = r.json.findings as Array<{ kind: string; block?: number; txId?: string; detail: string }>;
    const found = findings.find((f) => f.kind === 'statement' && f.txId === at.txId);
    expect(found, JSON.stringify(findings)).to.not.equal(undefined);
    expect(found!.block).to.equal(at.block);
    expect(found!.detail).to.match(/TYPE_NOT_FOR_KIND/);
  });

  it('a revocation recorded later than its statement says is a write-set finding (exit 1)', async () => {
    const { ledger, dir, registrar } = await openLedger({ contracts: [LateRevocationContract] });
    let at: { block: number; txId: string };
    try {
      const issuer = await registerIssuer(ledger, registrar);
      await anchorCredential(ledger, issuer);
      const res = await submitStatement(
        ledger,
        statements.updateIssuer(issuer.id, {
          status: 'revoked',
          revokedSince: new Date(Date.now() - 60_000).toISOString(),
        }),
        registrar,
      );
      at = { block: res.block, txId: res.txId };
    } finally {
      await ledger.close();
    }
    const r = await anxin(['replay', '--data', dir, '--json', '--workers', '0']);
    expectExit(r, 1);
    const findings = r.json.findings as Array<{ kind: string; block?: number; txId?: string; key?: string }>;
    const found = findings.find((f) => f.kind === 'writeSet' && f.txId === at.txId);
    expect(found, JSON.stringify(findings)).to.not.equal(undefined);
    expect(found!.block).to.equal(at.block);
    expect(found!.key).to.match(/issuer/);
  });
});
