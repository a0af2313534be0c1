/**
 * Chaincode events: one per committed change, with a published name and a payload that
 * holds no personal data; none for refused or invalidated transactions. And nothing
 * personal anywhere in the blocks.
 */
import { randomBytes } from 'node:crypto';
import { expect } from 'chai';
import { describe, it } from 'mocha';
import { EVENT_NAMES } from '@anxin/chaincode/rules';
import type { ChaincodeEventRecord } from '@anxin/network';
import {
  allBlocks,
  anchorCredential,
  holderRefOf,
  newIssuerKey,
  openLedger,
  registerIssuer,
  sign,
  statements,
} from '../helpers';

/** Payload members each event may carry: public registry data and credential metadata, never a person. */
const ALLOWED_MEMBERS: Record<string, string[]> = {
  LedgerInitialised: ['keys'],
  IssuerRegistered: ['issuerId', 'status', 'allowedTypes', 'kid'],
  IssuerUpdated: ['issuerId', 'status', 'allowedTypes'],
  IssuerKeyAdded: ['issuerId', 'kid'],
  IssuerKeyRetired: ['issuerId', 'kid', 'retiredAt'],
  IssuerKeyRevoked: ['issuerId', 'kid', 'revokedAt'],
  AnchorCreated: ['id', 'type', 'issuer', 'status', 'digest', 'replaces', 'superseded'],
  AnchorStatusChanged: ['id', 'type', 'issuer', 'status', 'reason', 'from'],
};

describe('contract on the embedded ledger: events', () => {
  it('one event per committed change, in commit order, with published names and no personal data', async () => {
    const { ledger, registrar } = await openLedger();
    try {
      const holder = { name: '张伟', idNumber: '510107199003078817', phone: '13800138000' };
      const salt = randomBytes(16);
      const expected: Array<{ txId: string; name: string }> = [];
      const note = (txId: string, name: string) => expected.push({ txId, name });

      const issuer = await registerIssuer(ledger, registrar, { name: '成都市武侯区疾病预防控制中心' });
      const a = await anchorCredential(ledger, issuer, { anchor: { holderRef: holderRefOf(salt, holder.idNumber) } });
      note(a.res.txId, 'AnchorCreated');
      for (const kind of ['suspend', 'reinstate', 'revoke'] as const) {
        note(
          (await ledger.submit(kind, [await sign(statements[kind](issuer.id, a.spec.id), issuer.key)])).txId,
          'AnchorStatusChanged',
        );
      }
      const k2 = await newIssuerKey(issuer.id, 'EdDSA');
      note(
        (await ledger.submit('addKey', [await sign(statements.addKey(issuer.id, k2.newKey), registrar)])).txId,
        'IssuerKeyAdded',
      );
      note(
        (await ledger.submit('retireKey', [await sign(statements.retireKey(issuer.id, issuer.key.keyId), registrar)]))
          .txId,
        'IssuerKeyRetired',
      );
      note(
        (
          await ledger.submit('revokeKey', [
            await sign(
              statements.revokeKey(issuer.id, issuer.key.keyId, new Date(Date.now() - 60_000).toISOString()),
              registrar,
            ),
          ])
        ).txId,
        'IssuerKeyRevoked',
      );
      note(
        (
          await ledger.submit('updateIssuer', [
            await sign(statements.updateIssuer(issuer.id, { status: 'suspended' }), registrar),
          ])
        ).txId,
        'IssuerUpdated',
      );
      // A refused statement: no event.
      await ledger.submit('anchor', ['garbage']).catch(() => undefined);
      // An invalidated one (concurrent replay): no event for the loser.
      const b = await sign(statements.updateIssuer(issuer.id, { status: 'active' }), registrar);
      const race = await Promise.allSettled([ledger.submit('updateIssuer', [b]), ledger.submit('updateIssuer', [b])]);
      note(
        (race.find((r) => r.status === 'fulfilled') as PromiseFulfilledResult<{ txId: string }>).value.txId,
        'IssuerUpdated',
      );

      const events: ChaincodeEventRecord[] = [];
      for await (const e of ledger.events(0, { follow: false })) events.push(e);
      // Init and the issuer's registration come first.
      expect(events.slice(0, 2).map((e) => e.name)).to.deep.equal(['LedgerInitialised', 'IssuerRegistered']);
      expect(events.slice(2).map((e) => ({ txId: e.txId, name: e.name }))).to.deep.equal(expected);

      for (const e of events) {
        expect(EVENT_NAMES).to.include(e.name);
        expect(ledger.transaction(e.txId)?.code).to.equal('VALID');
        const payload = JSON.parse(Buffer.from(e.payload).toString('utf8')) as Record<string, unknown>;
        expect(Object.keys(payload), e.name).to.satisfy((keys: string[]) =>
          keys.every((k) => ALLOWED_MEMBERS[e.name]!.includes(k)),
        );
        const text = JSON.stringify(payload);
        for (const secret of Object.values(holder)) expect(text).to.not.include(secret);
        expect(text, 'not even the salted holder reference').to.not.include(a.spec.holderRef);
      }
      const anchorEvent = JSON.parse(
        Buffer.from(events.find((e) => e.name === 'AnchorCreated')!.payload).toString('utf8'),
      ) as Record<string, unknown>;
      expect(anchorEvent).to.deep.equal({
        id: a.spec.id,
        type: 'HealthCertificate',
        issuer: issuer.id,
        status: 'active',
        digest: a.spec.digest,
      });

      // Nothing personal in any byte of any block.
      const blob = Buffer.concat(await allBlocks(ledger));
      for (const secret of Object.values(holder))
        expect(blob.includes(Buffer.from(secret, 'utf8')), secret).to.equal(false);
    } finally {
      await ledger.close();
    }
  });

  it('events(from) starts at the given block and follows new commits', async () => {
    const { ledger, registrar } = await openLedger();
    try {
      const issuer = await registerIssuer(ledger, registrar);
      const from = ledger.height;
      const ac = new AbortController();
      const got: ChaincodeEventRecord[] = [];
      const reading = (async () => {
        for await (const e of ledger.events(from, { signal: ac.signal })) {
          got.push(e);
          if (got.length === 2) ac.abort();
        }
      })();
      const a = await anchorCredential(ledger, issuer);
      const b = await anchorCredential(ledger, issuer);
      await reading;
      expect(got.map((e) => e.txId)).to.deep.equal([a.res.txId, b.res.txId]);
      expect(got.every((e) => e.block >= from)).to.equal(true);
    } finally {
      await ledger.close();
    }
  });
});
