/**
 * The KEK on either side of a rotation: the gateway seals with `kek.key` and opens with it,
 * `kek.key.next` and `kek.key.previous`; a missing `kek.key` beside a rotation's files is
 * refused (kek_missing) instead of silently replaced by a new key.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import { describe, it } from 'mocha';
import { Kek, KekError, loadKekRing, loadOrCreateKek } from '@anxin/gateway/server';
import { tempDir } from '../helpers/tmp';

function codeOf(f: () => unknown): string | undefined {
  try {
    f();
  } catch (e) {
    expect(e).to.be.instanceOf(KekError);
    return (e as KekError).code;
  }
  return undefined;
}

const keyFile = (path: string, key: Buffer) => writeFileSync(path, key.toString('base64') + '\n', { mode: 0o600 });

describe('key-encryption key on either side of a rotation', () => {
  it('opens what either key sealed, seals with its own', () => {
    const a = new Kek(randomBytes(32));
    const b = new Kek(randomBytes(32));
    const byA = a.seal('private jwk', 'registrar#k1');
    expect(codeOf(() => b.open(byA, 'registrar#k1'))).to.equal('kek_mismatch');
    const ring = b.openingAlso([a]);
    expect(ring.open(byA, 'registrar#k1').toString()).to.equal('private jwk');
    const byRing = ring.seal('credential', 'urn:uuid:1');
    expect(byRing.kek).to.equal(b.fingerprint);
    expect(b.open(byRing, 'urn:uuid:1').toString()).to.equal('credential');
    // The additional data still binds a record to its id.
    expect(codeOf(() => ring.open(byA, 'registrar#k2'))).to.equal('kek_unsealable');
  });

  it('loadKekRing opens with kek.key.next and kek.key.previous beside kek.key', () => {
    const dir = tempDir('kek-ring');
    const [cur, next, prev] = [randomBytes(32), randomBytes(32), randomBytes(32)];
    keyFile(join(dir, 'kek.key'), cur);
    keyFile(join(dir, 'kek.key.next'), next);
    keyFile(join(dir, 'kek.key.previous'), prev);
    const { kek, created } = loadKekRing(join(dir, 'kek.key'));
    expect(created).to.equal(false);
    expect(kek.fingerprint).to.equal(new Kek(cur).fingerprint);
    expect(kek.opens).to.deep.equal([cur, next, prev].map((k) => new Kek(k).fingerprint));
    for (const k of [next, prev]) expect(kek.open(new Kek(k).seal('x', 'id'), 'id').toString()).to.equal('x');
  });

  it('kek.key missing beside a rotation’s files: kek_missing, and no new key is made', () => {
    const dir = tempDir('kek-ring');
    keyFile(join(dir, 'kek.key.next'), randomBytes(32));
    expect(codeOf(() => loadOrCreateKek(join(dir, 'kek.key')))).to.equal('kek_missing');
    expect(existsSync(join(dir, 'kek.key'))).to.equal(false);
  });
});
