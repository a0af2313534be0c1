/**
 * Status list entries on the ledger: an anchor carries its (list, index), the ledger gives
 * each entry once, and a list belongs to one issuer.
 */
import { expect } from 'chai';
import { describe, it } from 'mocha';
import { STATUS_LIST_SIZE } from '@anxin/schemas';
import { RulesWorld, expectRejection } from '../helpers';

const LIST = 'q3Vb7TnWc1aE0sLk';

describe('rules: status list entries', () => {
  it('an anchor with an entry records it, and its list belongs to the issuer', async () => {
    const w = await RulesWorld.create();
    const issuer = await w.registerIssuer();
    const a = await w.anchor(issuer, { anchor: { statusEntry: { list: LIST, idx: 93_417 } } });
    expect(a.statusEntry).to.deep.equal({ list: LIST, idx: 93_417 });
    expect(w.state.statusLists.get(LIST)?.issuer).to.equal(issuer.id);
    expect(w.state.statusSlots.get(`${LIST}/93417`)).to.deep.equal({ credentialId: a.id });
  });

  it('an anchor without an entry (issued before status lists) is still anchored', async () => {
    const w = await RulesWorld.create();
    const issuer = await w.registerIssuer();
    const a = await w.anchor(issuer);
    expect(a.statusEntry).to.equal(undefined);
    expect(w.state.statusSlots.size).to.equal(0);
  });

  it('STATUS_ENTRY_TAKEN: an entry given out before, even after its credential was revoked', async () => {
    const w = await RulesWorld.create();
    const issuer = await w.registerIssuer();
    const first = await w.anchor(issuer, { anchor: { statusEntry: { list: LIST, idx: 5 } } });
    await w.status('revoke', issuer, first.id);
    const before = w.state.snapshot();
    const { jws } = await w.anchorJws(issuer, { anchor: { statusEntry: { list: LIST, idx: 5 } } });
    await expectRejection(w.apply('anchor', jws), 'STATUS_ENTRY_TAKEN');
    expect(w.state.snapshot()).to.deep.equal(before);
    // Another index of the same list is free.
    await w.anchor(issuer, { anchor: { statusEntry: { list: LIST, idx: 6 } } });
  });

  it('STATUS_LIST_NOT_OWN: another issuer’s list', async () => {
    const w = await RulesWorld.create();
    const a = await w.registerIssuer();
    const b = await w.registerIssuer();
    await w.anchor(a, { anchor: { statusEntry: { list: LIST, idx: 1 } } });
    const { jws } = await w.anchorJws(b, { anchor: { statusEntry: { list: LIST, idx: 2 } } });
    await expectRejection(w.apply('anchor', jws), 'STATUS_LIST_NOT_OWN');
    expect(w.state.statusSlots.has(`${LIST}/2`)).to.equal(false);
  });

  it('MALFORMED_STATEMENT: an index outside the list, or a list name that is not URL-safe', async () => {
    const w = await RulesWorld.create();
    const issuer = await w.registerIssuer();
    for (const statusEntry of [
      { list: LIST, idx: STATUS_LIST_SIZE },
      { list: LIST, idx: -1 },
      { list: 'a/b/c/d/e/f', idx: 1 },
    ]) {
      const { jws } = await w.anchorJws(issuer, { anchor: { statusEntry } });
      await expectRejection(w.apply('anchor', jws), 'MALFORMED_STATEMENT');
    }
  });
});
