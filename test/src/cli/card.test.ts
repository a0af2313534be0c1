/**
 * The work card, worker's side (`anxin card key`, `anxin card proof`, `anxin card present`)
 * against a real gateway: a device key, the proof of holding it, a credential bound to it, a
 * QR code that discloses only what was chosen (decoded back from the PNG and verified over
 * HTTP), one answering an employer's challenge, `anxin verify` refusing a copy without the
 * key-binding JWT, and every refusal with exit 2.
 */
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import jsQR from 'jsqr';
import { after, before, describe, it } from 'mocha';
import { PNG } from 'pngjs';
import { unwrapQr } from '@anxin/gateway/verify';
import { TestGateway, expectVerified, type Issued, type RegisteredIssuer } from '../helpers/gateway';
import { tempDir } from '../helpers';
import { anxin, expectExit } from './fixture';

/** The text of the QR code in a PNG file. */
function decodeQrPng(file: string): string {
  const png = PNG.sync.read(readFileSync(file));
  const code = jsQR(new Uint8ClampedArray(png.data), png.width, png.height);
  if (!code) throw new Error(`no QR code found in ${file}`);
  return code.data;
}

describe('cli: anxin card (work card, worker side)', function () {
  this.timeout(120_000);
  let gw: TestGateway;
  let cdc: RegisteredIssuer;
  let verifier: string;
  let dir: string;
  let keyFile: string;
  let bound: Issued;
  let boundFile: string;

  before(async () => {
    gw = await TestGateway.start();
    cdc = await gw.registerIssuer({ allowedTypes: ['HealthCertificate'] });
    verifier = await gw.verifierKey();
    dir = tempDir('card');
    keyFile = join(dir, 'worker.jwk');
  });
  after(async () => gw?.stop());

  it('card key: the private JWK in a 0600 file, the public JWK printed; never overwritten (exit 2)', async () => {
    const r = await anxin(['card', 'key', '--out', keyFile, '--json']);
    expectExit(r, 0);
    expect(r.json.publicJwk).to.include.keys('kty', 'crv', 'x', 'y');
    expect(r.json.publicJwk).not.to.have.property('d');
    expect(statSync(keyFile).mode & 0o777).to.equal(0o600);
    const before = readFileSync(keyFile, 'utf8');
    expect(JSON.parse(before).d).to.be.a('string');
    const again = await anxin(['card', 'key', '--out', keyFile, '--json']);
    expectExit(again, 2);
    expect(again.json.error).to.deep.include({ code: 'REFUSED' });
    expect(readFileSync(keyFile, 'utf8')).to.equal(before);

    // The device proves it holds the key (a c_nonce from the gateway, signed), and the issuer binds to it.
    const proof = await anxin(['card', 'proof', '--key', keyFile, '--gateway', gw.url, '--json']);
    expectExit(proof, 0);
    expect(proof.json.holderPublicJwk).to.deep.equal(r.json.publicJwk);
    expect(proof.json.holderProof).to.match(/^eyJ[\w-]+\.[\w-]+\.[\w-]+$/);
    bound = await gw.issue(cdc.apiKey, 'HealthCertificate', {
      format: 'dc+sd-jwt',
      holderPublicJwk: r.json.publicJwk,
      holderProof: proof.json.holderProof,
    });
    boundFile = join(dir, 'health.sdjwt');
    writeFileSync(boundFile, bound.credential);
  });

  it('card present --list: every member the credential can disclose', async () => {
    const r = await anxin(['card', 'present', boundFile, '--list', '--json']);
    expectExit(r, 0);
    expect(r.json.disclosable).to.include.members([
      'holder.name',
      'holder.idNumber',
      'healthCertificate.validity',
      'healthCertificate.categories',
      'healthCertificate.certificateNumber',
    ]);
    // The holder commitment's salt and reference are never offered (they would let a verifier test ID-number guesses).
    expect(r.json.disclosable).not.to.include.members(['holder.salt']);
    expect(r.json.disclosable).not.to.include('holder.ref');
  });

  it('card present --png: the QR decodes to a presentation that verifies, bound, disclosing only what was chosen', async () => {
    const png = join(dir, 'card.png');
    const r = await anxin([
      'card',
      'present',
      boundFile,
      '--key',
      keyFile,
      '--disclose',
      'holder.name,healthCertificate.validity,healthCertificate.categories',
      '--png',
      png,
      '--json',
    ]);
    expectExit(r, 0);
    expect(r.json.bound).to.equal(true);
    expect(r.json.disclosed).to.deep.equal([
      'healthCertificate.categories',
      'healthCertificate.validity',
      'holder.name',
    ]);
    expect(r.json.withheld).to.include('holder.idNumber');
    expect(Date.parse(r.json.expiresAt) - Date.now()).to.be.within(200_000, 301_000);
    const text = decodeQrPng(png);
    expect(text).to.equal(r.json.text);
    // Compact: Base45 in the QR code's alphanumeric mode.
    expect(text).to.match(/^AX1:[0-9A-Z $%*+\-./:]+$/);

    const report = await gw.verify(verifier, text, { holderBinding: 'required' });
    expectVerified(report, 'pass');
    const disclosed = report.credential!.disclosed as Record<string, Record<string, unknown>>;
    expect(disclosed.holder).to.deep.equal({ name: bound.holder.name });
    expect(Object.keys(disclosed.healthCertificate!).sort()).to.deep.equal(['categories', 'validity']);
    expect(JSON.stringify(report)).not.to.include(bound.holder.idNumber.slice(-4) + '"');
    expect(report.credential!.id).to.equal(bound.id);
  });

  it('a whole group, a verifier link, the nonce and audience the employer asked for', async () => {
    const r = await anxin([
      'card',
      'present',
      boundFile,
      '--key',
      keyFile,
      '--disclose',
      'healthCertificate',
      '--verifier-url',
      `${gw.url}/verify`,
      '--nonce',
      'n-0630-chengdu',
      '--audience',
      'hotpot-chunxi',
      '--text',
    ]);
    expectExit(r, 0);
    const text = r.stdout.trim();
    expect(text.startsWith(`${gw.url}/verify#`)).to.equal(true);
    const report = await gw.verify(verifier, text, { nonce: 'n-0630-chengdu', audience: 'hotpot-chunxi' });
    expectVerified(report, 'pass');
    const disclosed = report.credential!.disclosed as Record<string, unknown>;
    expect(disclosed).not.to.have.property('holder');
    expect(Object.keys(disclosed.healthCertificate as object)).to.include.members(['certificateNumber', 'result']);
    // The same card shown to another employer's challenge fails holder binding.
    const other = await gw.verify(verifier, text, { nonce: 'another-nonce' });
    expect(other.verified).to.equal(false);
    expect(other.checks.holderBinding).to.equal('fail');
  });

  it("answering an employer's challenge (POST /v1/verify/challenges): verified once, as a challenge; not twice", async () => {
    const c = (await gw.api('POST', '/v1/verify/challenges', { key: verifier })).body;
    const r = await anxin([
      'card',
      'present',
      boundFile,
      '--key',
      keyFile,
      '--disclose',
      'healthCertificate.result',
      '--nonce',
      c.nonce,
      '--audience',
      c.aud,
      '--text',
    ]);
    expectExit(r, 0);
    const text = r.stdout.trim();
    const report = await gw.verify(verifier, text, { challenge: c.nonce });
    expectVerified(report, 'pass');
    expect(report.presentation).to.deep.equal({ binding: 'challenge' });
    const again = await gw.verify(verifier, text, { challenge: c.nonce });
    expect(again.verified).to.equal(false);
    expect(again.reasons.map((x) => `${x.check}:${x.code}`)).to.deep.equal(['holderBinding:kb_nonce']);
  });

  it('anxin verify: a card says how it was shown; the same card without its key-binding JWT fails, whatever --holder-binding says', async () => {
    const r = await anxin(['card', 'present', boundFile, '--key', keyFile, '--disclose', 'holder.name', '--text']);
    expectExit(r, 0);
    const text = r.stdout.trim();
    const ok = await anxin(['verify', text, '--data', gw.dataDir]);
    expectExit(ok, 0);
    expect(ok.stdout).to.match(/presentation\s+static/);
    const shown = unwrapQr(text);
    const copy = shown.slice(0, shown.lastIndexOf('~') + 1);
    for (const extra of [[], ['--holder-binding', 'optional']]) {
      const v = await anxin(['verify', copy, '--data', gw.dataDir, '--json', ...extra]);
      expectExit(v, 1);
      expect(v.json.verified).to.equal(false);
      expect(v.json.reasons.map((x: { code: string }) => x.code)).to.deep.equal(['kb_missing']);
    }
  });

  it('on a terminal: the QR code in text, what is disclosed and withheld, and when it expires', async () => {
    const r = await anxin(['card', 'present', boundFile, '--key', keyFile, '--disclose', 'holder.name']);
    expectExit(r, 0);
    expect(r.stdout).to.match(/[▀▄█]/);
    expect(r.stdout).to.match(/discloses: holder\.name/);
    expect(r.stdout).to.match(/withholds: .*holder\.idNumber/);
    expect(r.stdout).to.match(/accept it until \d{4}-/);
  });

  it('an SD-JWT not bound to a key: no key-binding JWT, verified with holderBinding skipped', async () => {
    const plain = await gw.issue(cdc.apiKey, 'HealthCertificate', { format: 'dc+sd-jwt' });
    const svg = join(dir, 'plain.svg');
    const r = await anxin(['card', 'present', '-', '--disclose', 'healthCertificate.result', '--svg', svg, '--json'], {
      input: plain.credential,
    });
    expectExit(r, 0);
    expect(r.json.bound).to.equal(false);
    expect(r.json.presentation.endsWith('~')).to.equal(true);
    expect(readFileSync(svg, 'utf8')).to.match(/^<svg[^>]*viewBox/);
    expectVerified(await gw.verify(verifier, r.json.text), 'skipped');
  });

  describe('refusals: exit 2, one line saying why, nothing written', () => {
    it('another key than the one the credential is bound to', async () => {
      const otherKey = join(dir, 'other.jwk');
      expectExit(await anxin(['card', 'key', '--out', otherKey]), 0);
      const png = join(dir, 'never.png');
      const r = await anxin([
        'card',
        'present',
        boundFile,
        '--key',
        otherKey,
        '--disclose',
        'holder.name',
        '--png',
        png,
        '--json',
      ]);
      expectExit(r, 2);
      expect(r.json.error).to.deep.include({ code: 'INVALID_INPUT', reason: 'holder_key_mismatch' });
      expect(() => statSync(png)).to.throw();
    });

    it('card proof: without --gateway or --nonce, or with a public key only', async () => {
      const none = await anxin(['card', 'proof', '--key', keyFile, '--json']);
      expectExit(none, 2);
      expect(none.json.error).to.deep.include({ code: 'USAGE' });
      const pub = join(dir, 'public.jwk');
      writeFileSync(pub, JSON.stringify(bound.request.holderPublicJwk));
      const r = await anxin(['card', 'proof', '--key', pub, '--aud', gw.url, '--nonce', 'n'.repeat(32), '--json']);
      expectExit(r, 2);
      expect(r.json.error).to.deep.include({ code: 'INVALID_INPUT', reason: 'holder_key_not_private' });
    });

    it('a bound credential without --key', async () => {
      const r = await anxin(['card', 'present', boundFile, '--disclose', 'holder.name', '--json']);
      expectExit(r, 2);
      expect(r.json.error).to.deep.include({ code: 'INVALID_INPUT', reason: 'holder_key_required' });
    });

    it('a member the credential does not have', async () => {
      const r = await anxin(['card', 'present', boundFile, '--key', keyFile, '--disclose', 'holder.salary', '--json']);
      expectExit(r, 2);
      expect(r.json.error).to.deep.include({ code: 'INVALID_INPUT', reason: 'member_unknown' });
    });

    it('the salt or reference of the holder commitment, even asked for by name; a whole holder group leaves them out', async () => {
      for (const member of ['holder.salt', 'holder.ref']) {
        const r = await anxin(['card', 'present', boundFile, '--key', keyFile, '--disclose', member, '--json']);
        expectExit(r, 2);
        expect(r.json.error).to.deep.include({ code: 'INVALID_INPUT', reason: 'member_never_on_a_card' });
      }
      const r = await anxin(['card', 'present', boundFile, '--key', keyFile, '--disclose', 'holder', '--json']);
      expectExit(r, 0);
      expect(r.json.disclosed).to.deep.equal(['holder.idNumber', 'holder.name']);
      expect(Object.keys(r.json.claims.holder).sort()).to.deep.equal(['idNumber', 'name']);
    });

    it('no --disclose', async () => {
      const r = await anxin(['card', 'present', boundFile, '--key', keyFile, '--json']);
      expectExit(r, 2);
      expect(r.json.error).to.deep.include({ code: 'USAGE' });
    });

    it('a vc+jwt credential (nothing to select from)', async () => {
      const jwt = await gw.issue(cdc.apiKey, 'HealthCertificate');
      const r = await anxin(['card', 'present', jwt.credential, '--disclose', 'holder.name', '--json']);
      expectExit(r, 2);
      expect(r.json.error).to.deep.include({ code: 'INVALID_INPUT', reason: 'not_sd_jwt' });
    });

    it('a presentation instead of the credential as issued', async () => {
      const made = await anxin(['card', 'present', boundFile, '--key', keyFile, '--disclose', 'holder.name', '--json']);
      expectExit(made, 0);
      const r = await anxin([
        'card',
        'present',
        made.json.presentation,
        '--key',
        keyFile,
        '--disclose',
        'holder.name',
        '--json',
      ]);
      expectExit(r, 2);
      expect(r.json.error).to.deep.include({ code: 'INVALID_INPUT', reason: 'already_presented' });
    });
  });
});
