/**
 * Names the ledger displays are one line of text, by the contract's own schema check: a
 * registrar-signed statement whose issuer name carries a bidi override, a zero-width
 * character, NUL or a line break is refused as MALFORMED_STATEMENT, even when a client signs
 * and submits it without the gateway; nothing changes.
 */
import { expect } from 'chai';
import { describe, it } from 'mocha';
import { RulesWorld, expectRejection, issuerSpec, newIssuerKey, statements } from '../helpers';

const BAD_NAMES: Array<[string, string]> = [
  ['a right-to-left override', '成都\u202E司公卫生院'],
  ['a zero-width space', '成都\u200B卫生院'],
  ['NUL', '成都\u0000卫生院'],
  ['a line feed', '成都卫生院\n已注销'],
  ['U+FFFD', '成都\uFFFD卫生院'],
  ['a non-NFC spelling', '成都\uF900卫生院'],
];

describe('rules: displayed names are one line of text', () => {
  for (const [what, name] of BAD_NAMES) {
    it(`MALFORMED_STATEMENT: registerIssuer with ${what} in the name; no issuer registered`, async () => {
      const w = await RulesWorld.create();
      const spec = issuerSpec({ name });
      const k = await newIssuerKey(spec.id);
      await expectRejection(
        w.apply('registerIssuer', await w.sign(statements.registerIssuer(spec, k.newKey), w.registrar)),
        'MALFORMED_STATEMENT',
      );
      expect(w.state.issuers.has(spec.id)).to.equal(false);
    });

    it(`MALFORMED_STATEMENT: updateIssuer renaming to a name with ${what}; the name unchanged`, async () => {
      const w = await RulesWorld.create();
      const issuer = await w.registerIssuer();
      await expectRejection(
        w.apply('updateIssuer', await w.sign(statements.updateIssuer(issuer.id, { name }), w.registrar)),
        'MALFORMED_STATEMENT',
      );
      expect(w.state.issuers.get(issuer.id)!.name).to.equal(issuer.spec.name);
    });
  }

  it('a Uyghur name with the middle dot is registered', async () => {
    const w = await RulesWorld.create();
    const issuer = await w.registerIssuer({ name: '买买提·艾力家政服务部' });
    expect(w.state.issuers.get(issuer.id)!.name).to.equal('买买提·艾力家政服务部');
  });
});
