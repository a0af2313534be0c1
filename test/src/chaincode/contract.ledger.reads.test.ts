/**
 * The contract's reads on the embedded ledger: anchors, digest checks, history (oldest
 * first, every committed change and nothing else), issuers and paginated listing.
 */
import { expect } from 'chai';
import { after, before, describe, it } from 'mocha';
import type { EmbeddedLedger } from '@anxin/network/embedded';
import type { AnchorRecord, IssuerRecord } from '@anxin/schemas';
import {
  anchorCredential,
  digestOf,
  json,
  openLedger,
  registerIssuer,
  sign,
  statements,
  type Registrar,
  type TestIssuer,
} from '../helpers';

interface AnchorCheck {
  id: string;
  match: boolean;
  anchor: AnchorRecord;
}
interface HistoryEntry {
  txId: string;
  timestamp: string;
  isDelete: boolean;
  value?: AnchorRecord;
}

describe('contract on the embedded ledger: reads', () => {
  let ledger: EmbeddedLedger;
  let registrar: Registrar;
  let issuer: TestIssuer;

  before(async () => {
    ({ ledger, registrar } = await openLedger());
    issuer = await registerIssuer(ledger, registrar, { name: '成都市金牛区疾病预防控制中心' });
  });
  after(() => ledger.close());

  it('getAnchor returns the committed anchor, with the tx id and block it was committed in', async () => {
    const credential = 'eyJhbGciOiJFUzI1NiJ9.e30.c2lnbmF0dXJl'; // stands for the issuer-signed JWS
    const { spec, res } = await anchorCredential(ledger, issuer, { anchor: { digest: digestOf(credential) } });
    const a = json<AnchorRecord>(await ledger.evaluate('getAnchor', [spec.id]));
    expect(a).to.deep.include({ ...spec, issuer: issuer.id, status: 'active', txId: res.txId });
    expect(Date.parse(a.anchoredAt)).to.equal(res.timestamp.getTime());
    expect(ledger.transaction(res.txId)).to.deep.equal({ block: res.block, index: res.txIndex, code: 'VALID' });
  });

  it('checkDigest: match for the anchored digest, mismatch for any other; the anchor’s status comes along', async () => {
    const { spec } = await anchorCredential(ledger, issuer, { anchor: { digest: digestOf('credential-A') } });
    const yes = json<AnchorCheck>(await ledger.evaluate('checkDigest', [spec.id, digestOf('credential-A')]));
    expect(yes).to.deep.include({ id: spec.id, match: true });
    expect(yes.anchor.status).to.equal('active');
    const no = json<AnchorCheck>(await ledger.evaluate('checkDigest', [spec.id, digestOf('credential-B')]));
    expect(no).to.deep.include({ id: spec.id, match: false });
    await ledger.submit('suspend', [await sign(statements.suspend(issuer.id, spec.id, 'investigation'), issuer.key)]);
    const suspended = json<AnchorCheck>(await ledger.evaluate('checkDigest', [spec.id, digestOf('credential-A')]));
    expect(suspended.match).to.equal(true);
    expect(suspended.anchor).to.deep.include({ status: 'suspended', statusReason: 'investigation' });
  });

  it('getAnchorHistory: every committed change, oldest first, and nothing of an invalidated transaction', async () => {
    const { spec, res: anchored } = await anchorCredential(ledger, issuer);
    const txIds = [anchored.txId];
    const statuses = ['active'];
    for (const kind of ['suspend', 'reinstate', 'suspend'] as const) {
      const r = await ledger.submit(kind, [await sign(statements[kind](issuer.id, spec.id), issuer.key)]);
      txIds.push(r.txId);
      statuses.push(json<AnchorRecord>(r.result).status);
    }
    // Revoke and reinstate at once: both read the same version, only the first ordered commits.
    const race = await Promise.allSettled([
      ledger.submit('revoke', [await sign(statements.revoke(issuer.id, spec.id, 're_examination_failed'), issuer.key)]),
      ledger.submit('reinstate', [
        await sign(statements.reinstate(issuer.id, spec.id, 're_examination_passed'), issuer.key),
      ]),
    ]);
    const won = race.find((r) => r.status === 'fulfilled') as PromiseFulfilledResult<{
      txId: string;
      result: Uint8Array;
    }>;
    expect(race.filter((r) => r.status === 'rejected')).to.have.length(1);
    txIds.push(won.value.txId);
    statuses.push(json<AnchorRecord>(won.value.result).status);

    const history = json<HistoryEntry[]>(await ledger.evaluate('getAnchorHistory', [spec.id]));
    expect(history.map((h) => h.txId)).to.deep.equal(txIds);
    expect(history.map((h) => h.value!.status)).to.deep.equal(statuses);
    expect(history.every((h) => !h.isDelete)).to.equal(true);
    const times = history.map((h) => Date.parse(h.timestamp));
    expect([...times].sort((a, b) => a - b)).to.deep.equal(times);
    expect(history[history.length - 1]!.value).to.deep.equal(json(await ledger.evaluate('getAnchor', [spec.id])));
  });

  it('getIssuer returns the registry entry', async () => {
    const i = json<IssuerRecord>(await ledger.evaluate('getIssuer', [issuer.id]));
    expect(i).to.deep.include({
      id: issuer.id,
      name: '成都市金牛区疾病预防控制中心',
      kind: 'health_authority',
      status: 'active',
    });
    expect(i.keys.map((k) => k.kid)).to.deep.equal([issuer.key.kid]);
  });

  it('listIssuers: pages follow bookmarks over more than two pages, in id order, without duplicates or gaps', async () => {
    const { ledger: l2, registrar: r2 } = await openLedger();
    try {
      const ids = (
        await Promise.all(
          Array.from({ length: 11 }, (_, i) =>
            registerIssuer(l2, r2, { slug: `county-clinic-${String(i).padStart(2, '0')}` }),
          ),
        )
      ).map((i) => i.id);
      for (const size of [1, 3, 4, 11, 12]) {
        const seen: string[] = [];
        let bookmark = '';
        let pages = 0;
        do {
          const page = json<{ issuers: IssuerRecord[]; bookmark: string }>(
            await l2.evaluate('listIssuers', [String(size), bookmark]),
          );
          expect(page.issuers.length, `page ${pages} of size ${size}`).to.be.at.most(size);
          seen.push(...page.issuers.map((i) => i.id));
          bookmark = page.bookmark;
          pages++;
          expect(pages, 'pagination does not end').to.be.below(20);
        } while (bookmark);
        expect(seen, `page size ${size}`).to.deep.equal([...ids].sort());
        expect(pages, `page size ${size}`).to.be.oneOf([
          Math.ceil(ids.length / size),
          Math.ceil(ids.length / size) + 1,
        ]);
      }
    } finally {
      await l2.close();
    }
  });
});
