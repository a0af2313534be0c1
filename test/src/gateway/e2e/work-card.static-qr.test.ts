/**
 * The wallet's static work-card QR (presentForQr): compact text that verifies over HTTP as
 * the presentation it holds, decoded back from the QR image, small enough for a cheap phone —
 * the four-field health presentation at QR version 25 or below at error correction M — with
 * the bytes of each credential type measured by part. The old texts (ANXIN:<presentation>,
 * a verifier link with the presentation itself) still verify.
 */
import { webcrypto } from 'node:crypto';
import { expect } from 'chai';
import jsQR from 'jsqr';
import { after, before, describe, it } from 'mocha';
import { PNG } from 'pngjs';
import type { CredentialType } from '@anxin/schemas';
import { compactQrText, expandQrText, unwrapQr } from '@anxin/gateway/verify';
import { WorkCardError, renderQr } from '@anxin/gateway/workcard';
import { deviceKeyFromCryptoKeyPair, type DeviceKey } from '@anxin/gateway/wallet/jws';
import { presentForQr } from '@anxin/gateway/wallet/workcard';
import { TestGateway, expectFailed, expectVerified, type Issued } from '../../helpers/gateway';
import { qrAnatomy } from '../../helpers/qr-anatomy';

const FOUR_FIELDS = [
  'holder.name',
  'healthCertificate.categories',
  'healthCertificate.validity',
  'healthCertificate.result',
];
const SHOWN: Record<CredentialType, string[]> = {
  HealthCertificate: FOUR_FIELDS,
  SkillCertificate: ['holder.name', 'skillCertificate.occupation', 'skillCertificate.level'],
  LaborContract: ['holder.name', 'laborContract.employer', 'laborContract.jobTitle', 'laborContract.term'],
};

async function decodePng(text: string): Promise<string | undefined> {
  const png = PNG.sync.read(await renderQr(text, 'png'));
  return jsQR(new Uint8ClampedArray(png.data), png.width, png.height)?.data;
}

describe('e2e: the static work-card QR', function () {
  this.timeout(60_000);
  let gw: TestGateway;
  let verifier: string;
  let key: DeviceKey;
  const issued = {} as Record<CredentialType, Issued>;

  before(async () => {
    // Credentials name the gateway by an https public URL, as in production.
    gw = await TestGateway.start({ env: { ANXIN_PUBLIC_URL: 'https://anxin.example.cn' } });
    verifier = await gw.verifierKey();
    const pair = (await crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, [
      'sign',
      'verify',
    ])) as webcrypto.CryptoKeyPair;
    key = await deviceKeyFromCryptoKeyPair(pair);
    const holderKey = await crypto.subtle.exportKey('jwk', pair.privateKey);
    for (const type of Object.keys(SHOWN) as CredentialType[]) {
      const issuer = await gw.registerIssuer({ allowedTypes: [type] });
      issued[type] = await gw.issue(issuer.apiKey, type, { format: 'dc+sd-jwt', holderKey: holderKey as never });
    }
  });
  after(async () => gw?.stop());

  it('the four-field health presentation: AX1 text at QR version <= 25 at M, decoded back from the image, verified', async () => {
    const qr = await presentForQr({ credential: issued.HealthCertificate.credential, disclose: FOUR_FIELDS, key });
    expect(qr.text.startsWith('AX1:')).to.equal(true);
    expect(qr.text).to.match(/^[0-9A-Z $%*+\-./:]+$/);
    expect(qr.ecLevel).to.equal('M');
    expect(qr.version).to.be.at.most(25);
    expect(qr.disclosed).to.deep.equal([...FOUR_FIELDS].sort());
    expect(await decodePng(qr.text)).to.equal(qr.text);
    const report = await gw.verify(verifier, qr.text);
    expectVerified(report, 'pass');
    const disclosed = report.credential!.disclosed as Record<string, Record<string, unknown>>;
    expect(disclosed.holder).to.deep.equal({ name: issued.HealthCertificate.holder.name });
    expect(Object.keys(disclosed.healthCertificate!).sort()).to.deep.equal(['categories', 'result', 'validity']);
    // As text/plain, the QR's text as scanned.
    const plain = await gw.api('POST', '/v1/verify', {
      key: verifier,
      body: qr.text,
      headers: { 'content-type': 'text/plain' },
    });
    expect(plain.status).to.equal(200);
    expectVerified(plain.body as never, 'pass');
  });

  it('as a link to the verifier page: the presentation in the fragment, verified', async () => {
    const qr = await presentForQr({
      credential: issued.HealthCertificate.credential,
      disclose: FOUR_FIELDS,
      key,
      verifierUrl: `${gw.url}/verify`,
    });
    expect(qr.text.startsWith(`${gw.url}/verify#AX1.`)).to.equal(true);
    expect(await decodePng(qr.text)).to.equal(qr.text);
    expectVerified(await gw.verify(verifier, qr.text), 'pass');
  });

  it('the old texts still verify: ANXIN:<presentation> and a link with the presentation itself', async () => {
    const qr = await presentForQr({ credential: issued.HealthCertificate.credential, disclose: FOUR_FIELDS, key });
    const presentation = expandQrText(qr.text);
    expect(presentation.split('~')).to.have.length(6);
    expectVerified(await gw.verify(verifier, `ANXIN:${presentation}`), 'pass');
    expectVerified(await gw.verify(verifier, `${gw.url}/verify#${presentation}`), 'pass');
  });

  it('a compact text altered by one character does not verify', async () => {
    const qr = await presentForQr({ credential: issued.HealthCertificate.credential, disclose: FOUR_FIELDS, key });
    const i = qr.text.length - 40;
    const altered = `${qr.text.slice(0, i)}${qr.text[i] === '0' ? '1' : '0'}${qr.text.slice(i + 1)}`;
    expect((await gw.verify(verifier, altered)).verified).to.equal(false);
  });

  it("a nonce and audience of the verifier's are carried and checked", async () => {
    const qr = await presentForQr({
      credential: issued.HealthCertificate.credential,
      disclose: FOUR_FIELDS,
      key,
      nonce: 'n-123456',
      audience: 'https://shop.example',
    });
    expectVerified(await gw.verify(verifier, qr.text, { nonce: 'n-123456', audience: 'https://shop.example' }), 'pass');
    expectFailed(
      await gw.verify(verifier, qr.text, { nonce: 'another-nonce', audience: 'https://shop.example' }),
      'holderBinding',
      'kb_nonce',
    );
  });

  it('refused: the holder salt and commitment, an unknown member, another device key', async () => {
    const credential = issued.HealthCertificate.credential;
    for (const member of ['holder.salt', 'holder.ref']) {
      const e = await presentForQr({ credential, disclose: ['holder.name', member], key }).catch((x: unknown) => x);
      expect(e).to.be.instanceOf(WorkCardError);
      expect((e as WorkCardError).code).to.equal('member_never_on_a_card');
    }
    // A whole group never brings them along.
    const holder = await presentForQr({ credential, disclose: ['holder'], key });
    expect(holder.disclosed).to.deep.equal(['holder.idNumber', 'holder.name']);
    // Made by hand, compact or not, a presentation that shows them fails.
    for (const text of [compactQrText(credential), `ANXIN:${credential}`])
      expectFailed(await gw.verify(verifier, text), 'format', 'holder_commitment_disclosed');
    const unknown = await presentForQr({ credential, disclose: ['holder.salary'], key }).catch((x: unknown) => x);
    expect((unknown as WorkCardError).code).to.equal('member_unknown');
    const other = await deviceKeyFromCryptoKeyPair(
      (await crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, false, [
        'sign',
        'verify',
      ])) as webcrypto.CryptoKeyPair,
    );
    const wrong = await presentForQr({ credential, disclose: FOUR_FIELDS, key: other }).catch((x: unknown) => x);
    expect((wrong as WorkCardError).code).to.equal('holder_key_mismatch');
  });

  it('every type: its bytes by part and its QR versions (measured)', async () => {
    const rows: string[] = [];
    for (const type of Object.keys(SHOWN) as CredentialType[]) {
      const qr = await presentForQr({ credential: issued[type].credential, disclose: SHOWN[type], key });
      const a = qrAnatomy(expandQrText(qr.text));
      expect(unwrapQr(qr.text)).to.equal(expandQrText(qr.text));
      expectVerified(await gw.verify(verifier, qr.text), 'pass');
      rows.push(
        `${type} (${SHOWN[type].join(', ')}): presentation ${a.total} chars (issuer JWT ${a.issuerJwt}); ` +
          `ANXIN: text v${a.plain.versionL}-L/v${a.plain.versionM ?? '-'}-M; ` +
          `AX1: ${a.compact.chars} chars v${a.compact.versionL}-L/v${a.compact.versionM}-M/v${a.compact.versionQ ?? '-'}-Q; ` +
          `link ${a.link.chars} chars v${a.link.versionM}-M`,
        `  ${a.parts.map(([k, n]) => `${k} ${n}`).join(', ')}`,
      );
    }
    if (process.env.ANXIN_QR_REPORT) console.log(rows.join('\n'));
  });
});
