import { expect } from 'chai';
import { describe, it } from 'mocha';
import { idNumberCheckChar, isValidIdNumber, isValidUscc, usccCheckChar } from '@anxin/schemas';

const USCC_ALPHABET = '0123456789ABCDEFGHJKLMNPQRTUWXY';

/** A small deterministic PRNG, so the property tests are reproducible. */
function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

describe('checksums', () => {
  describe('unified social credit code (GB 32100-2015, MOD 31)', () => {
    const VALID = [
      '91350100M000100Y43', // the example printed in GB 32100-2015
      '91510107MA6CK3PQ12',
      '91510100MA62T8RW59',
      '12510107MB1H27435B',
      '52510100MJP60721XR',
      '91440300MA5G8NKR4Q',
      '91310115MA1K4T7L2G',
      '12510106MB0P42612H',
    ];
    for (const code of VALID) {
      it(`accepts ${code}`, () => expect(isValidUscc(code)).to.equal(true));
    }

    const INVALID: [string, string][] = [
      ['91350100M000100Y44', 'wrong check character'],
      ['91510107MA6CK3PQ13', 'wrong check character'],
      ['91510107MA6CK3PQ1', '17 characters'],
      ['91510107MA6CK3PQ123', '19 characters'],
      ['91510107ma6ck3pq12', 'lower case'],
      ['91510107MA6CK3PI12', 'letter I is not in the alphabet'],
      ['91510107MA6CK3PO12', 'letter O is not in the alphabet'],
      ['9151010AMA6CK3PQ12', 'letter in the division code'],
      [' 91510107MA6CK3PQ12', 'leading space'],
      ['', 'empty'],
    ];
    for (const [code, why] of INVALID) {
      it(`rejects ${JSON.stringify(code)} (${why})`, () => expect(isValidUscc(code)).to.equal(false));
    }

    it('usccCheckChar completes any prefix, and only that character is accepted', () => {
      const rnd = prng(2260);
      for (let n = 0; n < 200; n++) {
        let prefix = USCC_ALPHABET[1 + Math.floor(rnd() * 9)]! + USCC_ALPHABET[1 + Math.floor(rnd() * 9)]!;
        prefix += String(100000 + Math.floor(rnd() * 800000));
        for (let i = 0; i < 9; i++) prefix += USCC_ALPHABET[Math.floor(rnd() * USCC_ALPHABET.length)]!;
        const check = usccCheckChar(prefix);
        expect(USCC_ALPHABET).to.include(check);
        expect(isValidUscc(prefix + check), prefix + check).to.equal(true);
        for (const other of USCC_ALPHABET) {
          if (other !== check) expect(isValidUscc(prefix + other), prefix + other).to.equal(false);
        }
      }
    });

    it('detects every single-character substitution and every adjacent transposition', () => {
      const code = '91510107MA6CK3PQ12';
      for (let i = 0; i < 17; i++) {
        for (const c of USCC_ALPHABET) {
          if (c === code[i]) continue;
          const mutated = code.slice(0, i) + c + code.slice(i + 1);
          if (i >= 2 && i < 8 && !/\d/.test(c)) continue; // not even well-formed
          expect(isValidUscc(mutated), mutated).to.equal(false);
        }
        const swapped = code.slice(0, i) + code[i + 1] + code[i] + code.slice(i + 2);
        if (swapped !== code && /^[0-9A-HJ-NP-RTUW-Y]{2}\d{6}/.test(swapped)) {
          expect(isValidUscc(swapped), swapped).to.equal(false);
        }
      }
    });
  });

  describe('resident ID number (GB 11643-1999, ISO 7064 MOD 11-2)', () => {
    const VALID: [string, string][] = [
      ['11010519491231002X', 'the GB 11643 example, check character X'],
      ['510107199003078817', 'male, Chengdu Wuhou'],
      ['510107199203154327', 'female'],
      ['650102199506121628', 'Urumqi Tianshan'],
      ['510107200002290045', 'born 29 February 2000 (a leap year)'],
      ['37020219750815123X', 'another X'],
      ['911840198507040017', 'permanent residence ID of a foreigner (9-prefixed)'],
    ];
    for (const [id, why] of VALID) {
      it(`accepts ${id} (${why})`, () => expect(isValidIdNumber(id)).to.equal(true));
    }

    const INVALID: [string, string][] = [
      ['110105194912310021', 'digit where the check is X'],
      ['510107199003078818', 'wrong check digit'],
      ['51010719900307881X', 'X where the check is 7'],
      ['11010519491231002x', 'lower-case x'],
      ['51010719900230881X', 'impossible birth date 1990-02-30, check character right'],
      [`11010519000229002${idNumberCheckChar('11010519000229002')}`, 'born 29 February 1900 (not a leap year)'],
      [`51010719901301881${idNumberCheckChar('51010719901301881')}`, 'month 13'],
      [`51010718991231881${idNumberCheckChar('51010718991231881')}`, 'born in 1899'],
      [`01010719900307881${idNumberCheckChar('01010719900307881')}`, 'starts with 0'],
      ['510107900307881', 'first-generation 15-digit number'],
      ['5101071990030788171', '19 characters'],
      ['51010719900307881', '17 characters'],
      ['', 'empty'],
    ];
    for (const [id, why] of INVALID) {
      it(`rejects ${JSON.stringify(id)} (${why})`, () => expect(isValidIdNumber(id)).to.equal(false));
    }

    it('idNumberCheckChar gives X for the GB 11643 example and 0-9/X otherwise', () => {
      expect(idNumberCheckChar('11010519491231002')).to.equal('X');
      expect(idNumberCheckChar('51010719900307881')).to.equal('7');
      const rnd = prng(11643);
      const seen = new Set<string>();
      for (let n = 0; n < 500; n++) {
        const prefix = `510107${1950 + Math.floor(rnd() * 60)}0${1 + Math.floor(rnd() * 9)}1${Math.floor(rnd() * 9)}${String(Math.floor(rnd() * 1000)).padStart(3, '0')}`;
        const check = idNumberCheckChar(prefix);
        seen.add(check);
        expect(isValidIdNumber(prefix + check), prefix + check).to.equal(true);
        for (const other of '0123456789X') {
          if (other !== check) expect(isValidIdNumber(prefix + other), prefix + other).to.equal(false);
        }
      }
      expect(seen.size, 'every check character occurs').to.equal(11);
    });
  });
});
