/**
 * "Ask the worker's phone" on the verifier page, in a real browser (Chromium, headless, at a
 * phone's 390×844): the page makes a presentation request for the chosen job and shows its
 * QR code; the test reads that QR code back from the screen (jsQR), answers with the wallet
 * module as the worker's phone would, and the page turns green within two seconds, in
 * Chinese and in English; an answer without an asked field turns it red, naming the field.
 * Screenshots go to $ANXIN_SCREENSHOTS (else a temporary directory). Skipped, by name, when
 * no Chromium is found.
 */
import { join } from 'node:path';
import { expect } from 'chai';
import { after, before, it } from 'mocha';
import jsQR from 'jsqr';
import { PNG } from 'pngjs';
import type { Browser, Page } from 'playwright-core';
import { deviceKeyFromCryptoKeyPair, type DeviceKey } from '@anxin/gateway/wallet/jws';
import { fetchRequest, matchCredentials, parseRequest, respond } from '@anxin/gateway/wallet/oid4vp';
import { TestGateway, type Issued } from '../../helpers/gateway';
import { browserSuite, launchChromium, phoneContext, recordErrors, screenshotsDir } from '../../helpers/browser';

browserSuite("e2e: the verifier page asks the worker's phone (OpenID4VP) in a browser", function () {
  this.timeout(60_000);
  let gw: TestGateway;
  let browser: Browser;
  let verifier: string;
  let key: DeviceKey;
  let bound: Issued;
  let shots: string;
  const problems: string[] = [];

  async function page(locale: 'zh-CN' | 'en-US'): Promise<Page> {
    const p = await (await phoneContext(browser, locale)).newPage();
    recordErrors(p, problems);
    await p.goto(`${gw.url}/verify?lang=${locale === 'zh-CN' ? 'zh' : 'en'}`);
    await p.fill('#key', verifier);
    await p.click('#save-key');
    return p;
  }

  /** The request QR code as the page shows it, read back from a screenshot. */
  async function scanned(p: Page): Promise<string> {
    await p.locator('#request-box').waitFor({ state: 'visible' });
    const png = PNG.sync.read(await p.locator('#request-qr').screenshot());
    const code = jsQR(new Uint8ClampedArray(png.data), png.width, png.height);
    expect(code, 'the QR code on the page does not decode').to.not.equal(null);
    return code!.data;
  }

  async function answered(p: Page): Promise<{ tone: string; headline: string; text: string }> {
    await p.locator('#answer.ok, #answer.fail').waitFor();
    return {
      tone: ((await p.getAttribute('#answer', 'class')) ?? '').replace('answer', '').trim(),
      headline: (await p.textContent('#headline')) ?? '',
      text: (await p.textContent('#answer')) ?? '',
    };
  }

  before(async () => {
    gw = await TestGateway.start();
    const cdc = await gw.registerIssuer({ allowedTypes: ['HealthCertificate'] });
    verifier = await gw.verifierKey('hotpot-chunxi');
    const pair = await crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, ['sign', 'verify']);
    key = await deviceKeyFromCryptoKeyPair(pair);
    const privateJwk = await crypto.subtle.exportKey('jwk', pair.privateKey);
    bound = await gw.issue(cdc.apiKey, 'HealthCertificate', { format: 'dc+sd-jwt', holderKey: privateJwk as never });
    browser = await launchChromium();
    shots = screenshotsDir('ask-the-phone-shots');
  });
  after(async () => {
    await browser?.close();
    await gw?.stop();
  });

  for (const [locale, lang] of [
    ['zh-CN', 'zh'],
    ['en-US', 'en'],
  ] as const) {
    it(`${lang}: the request QR code, the worker's phone answers, the page turns green within 2 s`, async () => {
      const p = await page(locale);
      await p.selectOption('#preset', 'food_service_shift');
      await p.click('#request');
      const link = await scanned(p);
      expect(link).to.match(/^openid4vp:\/\/\?client_id=decentralized_identifier/);
      await p.screenshot({ path: join(shots, `verifier-page.request-qr.${lang}.png`) });

      const { request_uri, client_id } = parseRequest(link);
      const request = await fetchRequest(request_uri, fetch, { ...(client_id ? { clientId: client_id } : {}) });
      const [match] = matchCredentials(request, [bound.credential]);
      const tapped = Date.now();
      await respond({ request, credential: match!.credential, disclose: match!.disclose, key });
      const a = await answered(p);
      const took = Date.now() - tapped;
      expect(a.tone, a.text).to.equal('ok');
      expect(took).to.be.below(2000);
      expect(await p.locator('#request-box').isHidden()).to.equal(true);
      expect(a.text).to.include(lang === 'zh' ? '现场签名' : 'signed live');
      await p.screenshot({ path: join(shots, `verifier-page.request-answered.${lang}.png`), fullPage: true });
      expect(problems).to.deep.equal([]);
    });
  }

  it('an answer without an asked field: red, naming the field in plain words', async () => {
    const p = await page('zh-CN');
    await p.click('#request');
    const { request_uri } = parseRequest(await scanned(p));
    const request = await fetchRequest(request_uri);
    await respond({
      request,
      credential: bound.credential,
      disclose: ['holder.name', 'healthCertificate.validity'],
      key,
    });
    const a = await answered(p);
    expect(a.tone).to.equal('fail');
    expect(a.headline).to.include('健康证适用行业');
    expect(problems).to.deep.equal([]);
  });
});
