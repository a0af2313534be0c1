/**
 * The key-encryption key refuses, by code: a key that is not 32 bytes, a key file others can
 * read, a record sealed under another key, and a sealed record altered or moved to another.
 */
import { randomBytes } from 'node:crypto';
import { chmodSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import { describe, it } from 'mocha';
import { Kek, KekError, loadOrCreateKek, type KekErrorCode } from '@anxin/gateway/server';
import { tempDir } from '../helpers/tmp';

function codeOf(f: () => unknown): KekErrorCode | undefined {
  try {
    f();
  } catch (e) {
    expect(e).to.be.instanceOf(KekError);
    return (e as KekError).code;
  }
  return undefined;
}

describe('key-encryption key refusals', () => {
  it('a key of another length than 32 bytes: kek_invalid', () => {
    expect(codeOf(() => new Kek(randomBytes(16)))).to.equal('kek_invalid');
  });

  it('a key file created on first use is 0600; one others can read, or of 16 bytes, is refused', () => {
    const file = join(tempDir('kek'), 'kek.key');
    expect(loadOrCreateKek(file).created).to.equal(true);
    expect(statSync(file).mode & 0o777).to.equal(0o600);
    expect(loadOrCreateKek(file).created).to.equal(false);
    chmodSync(file, 0o644);
    expect(codeOf(() => loadOrCreateKek(file))).to.equal('kek_exposed');
    writeFileSync(file, randomBytes(16).toString('base64'), { mode: 0o600 });
    chmodSync(file, 0o600);
    expect(codeOf(() => loadOrCreateKek(file))).to.equal('kek_invalid');
  });

  it('a record sealed under another key: kek_mismatch; altered, or opened as another record: kek_unsealable', () => {
    const kek = new Kek(randomBytes(32));
    const sealed = kek.seal('{"d":"private"}', 'issuer-a#key-1');
    expect(kek.open(sealed, 'issuer-a#key-1').toString('utf8')).to.equal('{"d":"private"}');
    expect(codeOf(() => new Kek(randomBytes(32)).open(sealed, 'issuer-a#key-1'))).to.equal('kek_mismatch');
    expect(codeOf(() => kek.open(sealed, 'issuer-b#key-1'))).to.equal('kek_unsealable');
    const ct = Buffer.from(sealed.ct, 'base64url');
    ct[0]! ^= 1;
    expect(codeOf(() => kek.open({ ...sealed, ct: ct.toString('base64url') }, 'issuer-a#key-1'))).to.equal(
      'kek_unsealable',
    );
  });
});
