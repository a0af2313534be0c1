/**
 * The verification core hashes and decodes without Node (@noble/hashes, TextEncoder, jose's
 * base64url) and gets exactly what node:crypto and Buffer got before it: the anchor digest,
 * the SD-JWT hash, the holder commitment, and the JOSE header as Buffer decoded it — a lone
 * last base64url character, which holds no whole byte, ignored rather than refused.
 */
import { createHash, randomBytes } from 'node:crypto';
import { expect } from 'chai';
import { describe, it } from 'mocha';
import { holderRef, parseCredential, sdHasher, sha256Hex } from '@anxin/gateway/verify';

const b64u = (b: Uint8Array | string) => Buffer.from(b).toString('base64url');

/** Strings with what UTF-8 encoders disagree on if any: CJK, astral characters, a lone surrogate. */
function texts(): string[] {
  const out = ['', 'a', '安心', '😀 𠀀', 'lone \ud800 surrogate', 'x'.repeat(1000)];
  for (let i = 0; i < 50; i++) out.push(randomBytes(1 + i * 7).toString('latin1') + String.fromCodePoint(0x4e00 + i));
  return out;
}

describe('the verification core: hashes and bytes as node:crypto and Buffer made them', () => {
  it('sha256Hex: the anchor digest, as createHash(sha256) of the UTF-8 text', () => {
    for (const t of texts()) expect(sha256Hex(t), t).to.equal(createHash('sha256').update(t, 'utf8').digest('hex'));
  });

  it('sdHasher: SHA-256 of a string (UTF-8) or of bytes; another hash name is refused', () => {
    for (const t of texts()) {
      const expected = createHash('sha256').update(Buffer.from(t, 'utf8')).digest();
      expect(Buffer.from(sdHasher(t, 'sha-256')).equals(expected), t).to.equal(true);
      const bytes = new Uint8Array(Buffer.from(t, 'utf8')).buffer;
      expect(Buffer.from(sdHasher(bytes, 'SHA-256')).equals(expected), t).to.equal(true);
    }
    expect(() => sdHasher('x', 'sha-512')).to.throw();
  });

  it('holderRef: base64url(SHA-256(salt bytes ‖ UTF-8 holder id))', () => {
    for (let i = 0; i < 50; i++) {
      const salt = randomBytes(16).toString('base64url');
      const id = `51010719900307${String(i).padStart(4, '0')}`;
      const expected = createHash('sha256')
        .update(Buffer.from(salt, 'base64url'))
        .update(id, 'utf8')
        .digest('base64url');
      expect(holderRef(salt, id)).to.equal(expected);
    }
  });

  it('a JOSE header is decoded as Buffer decodes base64url, whatever its length', () => {
    const payload = b64u(JSON.stringify({ id: 'urn:uuid:1' }));
    for (let i = 0; i < 200; i++) {
      const header = { alg: 'ES256', typ: 'vc+jwt', kid: `k${'x'.repeat(i % 7)}`, n: i };
      // Every length modulo 4, a lone last character included.
      const h = b64u(JSON.stringify(header)) + 'AAA'.slice(0, i % 4);
      let expected: unknown;
      try {
        expected = JSON.parse(Buffer.from(h, 'base64url').toString('utf8'));
      } catch {
        expected = undefined;
      }
      const parsed = parseCredential(`${h}.${payload}.c2ln`);
      if (expected && typeof expected === 'object')
        expect('header' in parsed && parsed.header, h).to.deep.equal(expected);
      else expect('error' in parsed && parsed.error, h).to.equal('bad_header');
    }
  });
});
