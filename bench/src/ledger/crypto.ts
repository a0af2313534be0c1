/**
 * The yardstick: raw ES256 (ECDSA P-256 / SHA-256) signatures on one core, with
 * node:crypto's synchronous calls, over a real statement's signing input. Every
 * committed anchor costs one ES256 verify (the issuer's statement) and two P-256 signs
 * (endorsement and envelope), plus a block signature shared by the whole block.
 */
import { createSign, createVerify, generateKeyPairSync } from 'node:crypto';
import { performance } from 'node:perf_hooks';

export interface CryptoBaseline {
  signPerSec: number;
  verifyPerSec: number;
  /** One sign plus one verify, back to back, per second. */
  signVerifyPerSec: number;
  messageBytes: number;
}

function rate(ms: number, op: () => void): number {
  for (let i = 0; i < 200; i++) op(); // warm up
  let n = 0;
  const t0 = performance.now();
  let t = t0;
  while (t - t0 < ms) {
    for (let i = 0; i < 50; i++) op();
    n += 50;
    t = performance.now();
  }
  return (n / (t - t0)) * 1000;
}

export function measureCrypto(sample: string, ms: number): CryptoBaseline {
  const message = Buffer.from(sample.slice(0, sample.lastIndexOf('.')), 'ascii');
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const sig = createSign('sha256').update(message).sign({ key: privateKey, dsaEncoding: 'ieee-p1363' });
  const sign = () => createSign('sha256').update(message).sign({ key: privateKey, dsaEncoding: 'ieee-p1363' });
  const verify = () => {
    if (!createVerify('sha256').update(message).verify({ key: publicKey, dsaEncoding: 'ieee-p1363' }, sig)) {
      throw new Error('ES256 verify failed');
    }
  };
  const signPerSec = rate(ms, sign);
  const verifyPerSec = rate(ms, verify);
  const signVerifyPerSec = rate(ms, () => {
    sign();
    verify();
  });
  return { signPerSec, verifyPerSec, signVerifyPerSec, messageBytes: message.length };
}
