/**
 * The compact QR text codec (AX1:): exact round trips of SD-JWT presentations of every
 * shape, and refusals — not Base45, not DEFLATE, a digest reference to no disclosure,
 * trailing bytes, an expansion beyond the limit — each with its code; unwrapQr leaves what
 * does not expand for the parser to refuse.
 */
import { createHash, randomBytes } from 'node:crypto';
import { expect } from 'chai';
import { deflateSync } from 'fflate';
import { describe, it } from 'mocha';
import {
  CompactQrError,
  compactQrText,
  expandQrText,
  isCompactQrText,
  parseCredential,
  unwrapQr,
} from '@anxin/gateway/verify';

// The gateway's own Base45 library (ES module only, without types).
const base45 = (require('@digitalbazaar/base45') as { encode: (b: Uint8Array) => string }).encode;

const b64 = (v: unknown) => Buffer.from(typeof v === 'string' ? v : JSON.stringify(v)).toString('base64url');
const rnd = (n: number) => randomBytes(n).toString('base64url');

/** A well-formed SD-JWT presentation (signatures random: the codec never checks them). */
function presentation(o: { disclosures?: number; kb?: boolean; yOf?: string } = {}): string {
  const disclosures = Array.from({ length: o.disclosures ?? 3 }, (_, i) => b64([rnd(16), `m${i}`, `值 ${i} "q"`]));
  const digest = (d: string) => createHash('sha256').update(d).digest('base64url');
  const payload = {
    iss: 'https://anxin.example.cn/issuers/x1',
    'vct#integrity': `sha256-${randomBytes(32).toString('base64')}`,
    cnf: { jwk: { kty: 'EC', crv: 'P-256', x: rnd(32), y: o.yOf ?? rnd(32) } },
    holder: { _sd: [...disclosures.map(digest), rnd(32)] },
    note: 'a "quoted" \\u0001 string',
  };
  const issuerJwt = `${b64({ typ: 'dc+sd-jwt', alg: 'ES256' })}.${b64(payload)}.${rnd(64)}`;
  const presented = `${issuerJwt}~${disclosures.map((d) => `${d}~`).join('')}`;
  if (!o.kb) return presented;
  return `${presented}${b64({ typ: 'kb+jwt', alg: 'ES256' })}.${b64({ iat: 1, aud: 'a', nonce: 'n', sd_hash: digest(presented) })}.${rnd(64)}`;
}

function code(f: () => unknown): string | undefined {
  try {
    f();
  } catch (e) {
    expect(e).to.be.instanceOf(CompactQrError);
    return (e as CompactQrError).code;
  }
  return undefined;
}

describe('the compact QR text codec', () => {
  it('gives back every shape exactly: with and without disclosures and key binding, in Base45 and in base64url', () => {
    for (const o of [{}, { kb: true }, { disclosures: 0 }, { disclosures: 0, kb: true }, { disclosures: 40, kb: true }])
      for (let i = 0; i < 20; i++) {
        const p = presentation(o);
        for (const link of [false, true]) {
          const text = compactQrText(p, link);
          expect(isCompactQrText(text)).to.equal(true);
          expect(expandQrText(text), JSON.stringify(o)).to.equal(p);
          expect(unwrapQr(link ? `https://v.example/verify#${text}` : text)).to.equal(p);
        }
      }
  });

  it('a real P-256 key in cnf comes back exactly (its y left out and recomputed)', async () => {
    for (let i = 0; i < 10; i++) {
      const { publicKey } = await crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, ['sign']);
      const jwk = await crypto.subtle.exportKey('jwk', publicKey);
      const p = presentation({ kb: true, yOf: jwk.y! });
      const withX = p.replace(/^([^.]+)\.([^.]+)/, (_, h: string, pl: string) => {
        const payload = JSON.parse(Buffer.from(pl, 'base64url').toString()) as { cnf: { jwk: { x: string } } };
        payload.cnf.jwk.x = jwk.x!;
        return `${h}.${b64(payload)}`;
      });
      expect(expandQrText(compactQrText(withX))).to.equal(withX);
    }
  });

  it('refuses what it could not give back, and what is not a presentation', () => {
    expect(code(() => compactQrText('eyJhbGciOiJFUzI1NiJ9.eyJ4IjoxfQ.c2ln'))).to.equal('not_compactable');
    expect(code(() => compactQrText('not~an~sd-jwt'))).to.equal('not_compactable');
  });

  it('refuses, by code, texts that do not expand', () => {
    const good = compactQrText(presentation({ kb: true }));
    const inflated = (bytes: number[]) => `AX1:${base45(deflateSync(Uint8Array.from(bytes)))}`;
    for (const bad of [
      'AX1:abc', // not Base45 (lowercase)
      'AX1:GGW', // a Base45 value above 65535
      `AX1:${base45(Uint8Array.from([1, 2, 3, 4]))}`, // not DEFLATE with the dictionary
      good.slice(0, -6), // cut short
      inflated([0, 0, 2, 0x01, 0x07, 0, 0]), // a digest reference to disclosure 7 of none
      `AX1:${base45(deflateSync(new Uint8Array(70_000)))}`, // expands beyond the limit
      'AX1.***',
    ])
      expect(
        code(() => expandQrText(bad)),
        bad.slice(0, 30),
      ).to.equal('compact_undecodable');
    // Left for the parser, which refuses it.
    expect(parseCredential('AX1:GGW')).to.deep.include({ error: 'unrecognised' });
  });
});
