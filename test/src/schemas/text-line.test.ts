/**
 * The text-line rule (`textLine: true`) for every displayed single-line name: organisation
 * names (issuer registry, statements, subjects, credentials), the holder's name, job titles,
 * places, contract numbers and API key labels. A bidi override, a zero-width or other
 * invisible character, NUL, a line break, a lone surrogate, U+FFFD, surrounding white space
 * or a non-NFC spelling is refused with code `textLine` at the field; ordinary names —
 * Chinese names with the middle dot among them — pass.
 */
import { expect } from 'chai';
import { describe, it } from 'mocha';
import { isTextLine, textLineProblem, validateById } from '@anxin/schemas';
import { ALL_FIXTURES, edit } from './fixtures';
import { shortName, show } from './helpers';

const GOOD = [
  '买买提·艾力',
  '阿依古丽·买买提',
  '成都市武侯区疾病预防控制中心',
  '四川快工灵活用工科技有限公司（成都分公司）',
  'John Michael Smith',
  "O'Brien-Smith & Co.",
  'Café Zürich', // precomposed: NFC
  '张𬌗', // CJK Extension E, a surrogate pair
  '中\uE000心', // private use: some rare Chinese characters live there
  '春熙路店 前台',
  '成都\u3000火锅', // an ideographic space inside the line
];

const BAD: Array<[string, string]> = [
  ['a right-to-left override U+202E', '成都\u202E司公卫生院'],
  ['a left-to-right embedding U+202A', '成都\u202A卫生院'],
  ['a pop directional formatting U+202C', '成都\u202C卫生院'],
  ['a right-to-left isolate U+2067', '成都\u2067卫生院'],
  ['a pop directional isolate U+2069', '成都\u2069卫生院'],
  ['a left-to-right mark U+200E', '成都\u200E卫生院'],
  ['a right-to-left mark U+200F', '成都\u200F卫生院'],
  ['an Arabic letter mark U+061C', '成都\u061C卫生院'],
  ['a zero-width space U+200B', '成都\u200B卫生院'],
  ['a zero-width non-joiner U+200C', '成都\u200C卫生院'],
  ['a zero-width joiner U+200D', '成都\u200D卫生院'],
  ['a word joiner U+2060', '成都\u2060卫生院'],
  ['a byte order mark U+FEFF', '\uFEFF成都卫生院'],
  ['a soft hyphen U+00AD', '成都\u00AD卫生院'],
  ['a Hangul filler U+3164', '成都\u3164卫生院'],
  ['a variation selector U+FE0F', '成都\uFE0F卫生院'],
  ['a tag character U+E0041', '成都\u{E0041}卫生院'],
  ['NUL', '成都\u0000卫生院'],
  ['a line feed', '成都\n卫生院'],
  ['a carriage return', '成都\r卫生院'],
  ['a tab', '成都\t卫生院'],
  ['a C1 control (NEL U+0085)', '成都\u0085卫生院'],
  ['a line separator U+2028', '成都\u2028卫生院'],
  ['a paragraph separator U+2029', '成都\u2029卫生院'],
  ['a lone high surrogate', '成都\uD800卫生院'],
  ['a lone low surrogate', '成都\uDC00卫生院'],
  ['a noncharacter U+FFFE', '成都\uFFFE卫生院'],
  ['U+FFFD, what undecodable bytes become', '成都\uFFFD卫生院'],
  ['a leading space', ' 成都卫生院'],
  ['a trailing ideographic space', '成都卫生院\u3000'],
  ['a compatibility ideograph U+F900 (not NFC)', '成都\uF900卫生院'],
  ['a decomposed é (not NFC)', 'Cafe\u0301 Zürich'],
];

describe('text-line rule: the function', () => {
  for (const text of GOOD) {
    it(`accepts ${JSON.stringify(text)}`, () => expect(textLineProblem(text)).to.equal(undefined));
  }
  for (const [what, text] of BAD) {
    it(`refuses ${what}`, () => {
      expect(isTextLine(text)).to.equal(false);
      expect(textLineProblem(text)).to.be.a('string');
    });
  }
});

/** Every displayed single-line name: [schema, JSON Pointer]. */
const FIELDS: Array<[string, string]> = [
  ['holder-identity', '/name'],
  ['credential-holder', '/name'],
  ['labor-contract-subject', '/employer/name'],
  ['labor-contract-subject', '/platform/name'],
  ['labor-contract-subject', '/contractNumber'],
  ['labor-contract-subject', '/jobTitle'],
  ['labor-contract-subject', '/workLocation/province'],
  ['labor-contract-subject', '/workLocation/city'],
  ['labor-contract-subject', '/workLocation/district'],
  ['labor-contract-subject', '/workLocation/address'],
  ['health-certificate-subject', '/issuingAuthority/name'],
  ['skill-certificate-subject', '/certifyingBody/name'],
  ['skill-certificate-subject', '/occupation/name'],
  ['labor-contract-credential', '/issuer/name'],
  ['labor-contract-credential', '/credentialSubject/holder/name'],
  ['labor-contract-credential', '/credentialSubject/laborContract/employer/name'],
  ['health-certificate-credential', '/issuer/name'],
  ['health-certificate-credential', '/credentialSubject/healthCertificate/issuingAuthority/name'],
  ['skill-certificate-credential', '/issuer/name'],
  ['ledger-issuer', '/name'],
  ['statement-register-issuer', '/issuer/name'],
  ['statement-update-issuer', '/changes/name'],
  ['api-create-issuer', '/name'],
  ['api-update-issuer', '/name'],
  ['api-create-api-key', '/label'],
  ['api-issue-credential', '/holder/name'],
  ['api-issue-credential', '/subject/issuingAuthority/name'],
];

describe('text-line rule: every displayed name in every schema', () => {
  const byName = new Map(ALL_FIXTURES.map((g) => [shortName(g.schema.$id), g]));
  for (const [schema, field] of FIELDS) {
    describe(`${schema} ${field}`, () => {
      const g = byName.get(schema)!;
      const check = (value: string) => validateById(g.schema.$id, edit(g.valid[0]!.data, { [field]: value }));

      it('accepts 买买提·艾力', () => {
        const r = check('买买提·艾力');
        expect(r.ok, r.ok ? '' : show(r.issues)).to.equal(true);
      });

      // A person's name has its own, narrower pattern too (so `pattern` may fail as well); textLine fails regardless.
      it(`refuses each of the ${BAD.length} lines above, with code textLine there`, () => {
        for (const [what, text] of BAD) {
          const r = check(text);
          expect(r.ok, what).to.equal(false);
          if (r.ok) continue;
          const found = r.issues.map(({ field: f, code }) => ({ field: f, code }));
          expect(found, what).to.deep.include({ field, code: 'textLine' });
        }
      });
    });
  }
});
