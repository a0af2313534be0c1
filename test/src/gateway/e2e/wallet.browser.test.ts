/**
 * The worker's wallet (/wallet) in a real browser (Chromium, headless, driven by
 * playwright-core) emulating a phone (390×844, touch): the clinic makes an offer over HTTP,
 * the wallet refuses a wrong PIN and receives with the right one (OpenID4VCI, a device key
 * made in the browser and never extractable), keeps the card across a reload and with no
 * network, reminds of expiry 30 and 7 days before (the clock moved), shows a revoked card
 * as revoked, answers an employer's request QR code (OpenID4VP: decoded from the image a
 * second browser context shows) after saying who asks and for what, shows a static QR code
 * that decodes back and verifies, and lists who checked its cards. Everything runs under the
 * wallet's own CSP. Skipped, by name, when no Chromium is found.
 *
 * With ANXIN_WALLET_SHOTS=<dir>, the main screens are saved there as PNG (docs/wallet/).
 */
import type { webcrypto } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import jsQR from 'jsqr';
import { after, before, it } from 'mocha';
import { PNG } from 'pngjs';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { TestGateway, makeOffer, type Loose, type RegisteredIssuer } from '../../helpers/gateway';
import { browserSuite, launchChromium, phoneContext, recordErrors } from '../../helpers/browser';

// What the functions run in the page use of the browser's globals (this project has no DOM types).
declare const getComputedStyle: (e: unknown) => { fontSize: string };
declare const navigator: { serviceWorker: { controller: unknown; ready: Promise<unknown> } };
declare const indexedDB: { open(name: string): IdbRequest<IdbDatabase> };
interface IdbRequest<T> {
  result: T;
  onsuccess: (() => void) | null;
}
interface IdbDatabase {
  transaction(store: string): { objectStore(store: string): { get(key: string): IdbRequest<unknown> } };
}
type KeyPair = { publicKey: webcrypto.CryptoKey; privateKey: webcrypto.CryptoKey };

const DAY = 86_400_000;
const SHOTS = process.env.ANXIN_WALLET_SHOTS;

/** The text of the QR code in a PNG image. */
function decodePng(png: Buffer): string {
  const img = PNG.sync.read(png);
  const code = jsQR(new Uint8ClampedArray(img.data), img.width, img.height);
  if (!code) throw new Error('no QR code in the image');
  return code.data;
}

browserSuite("e2e: the worker's wallet on a phone", function () {
  this.timeout(120_000);
  let gw: TestGateway;
  let browser: Browser;
  let cdc: RegisteredIssuer;
  let verifier: string;
  let hotpot: string;
  let phone: BrowserContext;
  let wallet: Page;
  const problems: string[] = [];

  async function shot(page: Page, name: string): Promise<void> {
    if (!SHOTS) return;
    mkdirSync(SHOTS, { recursive: true });
    await page.screenshot({ path: join(SHOTS, `${name}.png`) });
  }

  async function newPhone(locale = 'zh-CN'): Promise<BrowserContext> {
    const ctx = await phoneContext(browser, locale);
    // A refused PIN, a request with no network: answers the wallet reads, not faults.
    ctx.on('page', (p) => recordErrors(p, problems, (text) => text.startsWith('Failed to load resource')));
    return ctx;
  }

  async function open(page: Page, url = `${gw.url}/wallet`): Promise<void> {
    await page.goto(url);
    await page.locator('body[data-ready=true]').waitFor();
  }

  /** Scan a QR code's text into the wallet the way a worker without a working camera can: paste it. */
  async function paste(page: Page, view: 'receive' | 'request', text: string): Promise<void> {
    await page.fill(`#view-${view} .scan-text`, text);
    await page.click(`#view-${view} .scan-go`);
  }

  /** Receive by offer and PIN in the wallet: the card it shows afterwards. */
  async function receive(page: Page, extra: Record<string, unknown> = {}): Promise<{ id: string; txCode: string }> {
    const offer = await makeOffer(gw, cdc.apiKey, 'HealthCertificate', extra);
    await open(page, offer.walletLink);
    await page.locator('#pin-form:not([hidden])').waitFor();
    await page.fill('#pin', offer.txCode);
    await page.click('#receive-go');
    await page.locator('#view-card:not([hidden])').waitFor();
    const id = (await page.getAttribute('#card-head', 'data-card')) ?? '';
    return { id, txCode: offer.txCode };
  }

  before(async () => {
    gw = await TestGateway.start();
    cdc = await gw.registerIssuer({ allowedTypes: ['HealthCertificate'], name: '成都市武侯区疾病预防控制中心' });
    verifier = await gw.verifierKey();
    hotpot = await gw.verifierKey('hotpot-chunxi');
    browser = await launchChromium();
    phone = await newPhone();
    wallet = await phone.newPage();
  });
  after(async () => {
    await browser?.close();
    await gw?.stop();
  });

  it('opens under its own CSP, installable: manifest, icons, service worker, nothing from another origin', async () => {
    const res = await wallet.goto(`${gw.url}/wallet`);
    const csp = res!.headers()['content-security-policy'] ?? '';
    expect(csp).to.include("script-src 'self'").and.include("connect-src 'self'").and.not.include('unsafe');
    await wallet.locator('body[data-ready=true]').waitFor();
    expect(await wallet.isVisible('#view-cards')).to.equal(true);
    expect(await wallet.isVisible('#no-cards')).to.equal(true);
    const manifest = await gw.api('GET', '/wallet/manifest.webmanifest');
    expect(manifest.status).to.equal(200);
    expect(manifest.contentType).to.match(/^application\/manifest\+json/);
    const m = JSON.parse(manifest.text) as Loose;
    expect(m.name).to.equal('安心 卡包');
    expect(m.start_url).to.equal('/wallet');
    expect(m.display).to.equal('standalone');
    for (const icon of m.icons as Array<{ src: string; type: string }>) {
      const r = await gw.api('GET', icon.src);
      expect(r.status, icon.src).to.equal(200);
      expect(r.contentType).to.equal(icon.type);
    }
    const fontSize = await wallet.locator('body').evaluate((b) => parseFloat(getComputedStyle(b).fontSize));
    expect(fontSize).to.be.at.least(18);
    // Controlled by its service worker from the next load on: the shell is kept for offline use.
    // (Once it is active: installing it takes a while on a loaded machine.)
    await wallet.evaluate(() => navigator.serviceWorker.ready.then(() => true));
    await wallet.reload();
    await wallet.locator('body[data-ready=true]').waitFor();
    await wallet
      .waitForFunction(() => navigator.serviceWorker.controller !== null, undefined, { timeout: 10_000 })
      .catch(() => undefined);
    expect(await wallet.evaluate(() => navigator.serviceWorker.controller !== null)).to.equal(true);
    await shot(wallet, 'wallet-empty-zh');
  });

  it('receives a credential by offer and PIN: a wrong PIN is refused and she tries again; the device key never leaves', async () => {
    const offer = await makeOffer(gw, cdc.apiKey, 'HealthCertificate');
    await open(wallet, offer.walletLink);
    expect(new URL(wallet.url()).hash, 'the offer leaves the address bar').to.equal('');
    await wallet.locator('#pin-form:not([hidden])').waitFor();
    await shot(wallet, 'wallet-receive-pin-zh');
    const wrong = offer.txCode === '000000' ? '111111' : '000000';
    await wallet.fill('#pin', wrong);
    await wallet.click('#receive-go');
    await wallet.locator('#receive-error:not([hidden])').waitFor();
    expect(await wallet.getAttribute('#receive-error', 'data-code')).to.equal('wrongPin');
    expect(await wallet.textContent('#receive-error')).to.include('取证码不对');
    await shot(wallet, 'wallet-receive-wrong-pin-zh');

    await wallet.fill('#pin', offer.txCode);
    await wallet.click('#receive-go');
    await wallet.locator('#view-card:not([hidden])').waitFor();
    const head = (await wallet.textContent('#card-head')) ?? '';
    expect(head).to.include('健康证').and.include('成都市武侯区疾病预防控制中心');
    const fields = (await wallet.textContent('#card-fields')) ?? '';
    const holder = offer.request.holder as { name: string; idNumber: string };
    expect(fields).to.include(holder.name).and.include('餐饮服务');
    expect(fields, 'the ID number is masked on screen').not.to.include(holder.idNumber);
    await shot(wallet, 'wallet-card-zh');

    // The key: made here, non-extractable, and the credential is bound to it.
    const key = await wallet.evaluate(async () => {
      const db = await new Promise<IdbDatabase>((resolve) => {
        const r = indexedDB.open('anxin-wallet');
        r.onsuccess = () => resolve(r.result);
      });
      const pair = await new Promise<KeyPair>((resolve) => {
        const r = db.transaction('keys').objectStore('keys').get('device');
        r.onsuccess = () => resolve(r.result as KeyPair);
      });
      const jwk = await crypto.subtle.exportKey('jwk', pair.publicKey);
      let exported = true;
      try {
        await crypto.subtle.exportKey('jwk', pair.privateKey);
      } catch {
        exported = false;
      }
      return { extractable: pair.privateKey.extractable, exported, x: jwk.x };
    });
    expect(key.extractable).to.equal(false);
    expect(key.exported).to.equal(false);
  });

  it('keeps the card across a reload and with no network, with its status "as of"', async () => {
    await open(wallet);
    await wallet.locator('body[data-status=read]').waitFor();
    const card = wallet.locator('#cards li').first();
    expect(await card.getAttribute('data-state')).to.equal('active');
    expect(await card.textContent()).to.include('状态截至');
    await shot(wallet, 'wallet-cards-zh');

    await phone.setOffline(true);
    try {
      await wallet.reload();
      await wallet.locator('body[data-status=read]').waitFor();
      expect(await wallet.locator('#cards li').count()).to.equal(1);
      expect(await wallet.locator('#cards li').first().textContent()).to.include('状态截至');
    } finally {
      await phone.setOffline(false);
    }
  });

  it('reminds 30 and 7 days before the card runs out (clock moved), and says when it has; renews a shown QR code in time', async () => {
    const ctx = await newPhone();
    const page = await ctx.newPage();
    const { id } = await receive(page);
    const until = Date.parse((await page.getAttribute('#card-head', 'data-until')) ?? '');
    expect(until).to.be.above(Date.now());
    await page.clock.install({ time: until - 40 * DAY });
    for (const [daysBefore, reminder] of [
      [40, undefined],
      [25, '30'],
      [5, '7'],
      [-1, 'expired'],
    ] as const) {
      await page.clock.setSystemTime(until - daysBefore * DAY);
      await open(page);
      const banner = page.locator(`#banners .banner[data-card="${id}"]`);
      if (!reminder) {
        expect(await banner.count(), `${daysBefore} days before`).to.equal(0);
        continue;
      }
      await banner.waitFor();
      expect(await banner.getAttribute('data-reminder'), `${daysBefore} days before`).to.equal(reminder);
      if (reminder === '7') await shot(page, 'wallet-expiry-banner-zh');
    }

    // The static QR code is made again before verifiers' 5 minutes run out, while it is shown.
    await page.clock.setSystemTime(until - 40 * DAY);
    await open(page);
    await page.click('#cards li button');
    await page.click('#card-qr');
    await page.locator('#qr-img[src^="data:image/png"]').waitFor();
    const first = await page.getAttribute('#qr-img', 'data-text');
    const expires = Date.parse((await page.getAttribute('#qr-img', 'data-expires')) ?? '');
    await page.clock.runFor(4 * 60_000 + 1_000);
    await page.locator(`#qr-img:not([data-text="${first}"])`).waitFor();
    expect(Date.parse((await page.getAttribute('#qr-img', 'data-expires')) ?? '')).to.be.above(expires);
    await ctx.close();
  });

  it("answers the verifier page's request QR code: says who asks and for what; the employer's page turns green", async () => {
    // The employer's phone, a second browser context: the verifier page asks for a job's fields.
    const employer = await phoneContext(browser, 'zh-CN');
    const screen = await employer.newPage();
    screen.on('pageerror', (e) => problems.push(String(e)));
    await screen.goto(`${gw.url}/verify?lang=zh`);
    await screen.fill('#key', hotpot);
    await screen.click('#save-key');
    await screen.selectOption('#preset', 'food_service_shift');
    await screen.click('#request');
    await screen.locator('#request-box').waitFor({ state: 'visible' });
    await shot(screen, 'verifier-request-qr-zh');
    // The worker's camera: the QR code on the employer's screen, decoded from its image.
    const scanned = decodePng(await screen.locator('#request-qr').screenshot());
    expect(scanned).to.match(/^openid4vp:/);

    await open(wallet);
    await wallet.click('#go-show');
    await shot(wallet, 'wallet-scan-request-zh');
    await paste(wallet, 'request', scanned);
    await wallet.locator('#consent:not([hidden])').waitFor();
    expect(await wallet.textContent('#asker')).to.include('hotpot');
    const asked = (await wallet.locator('#asked li').allTextContents()).join(' ');
    expect(asked).to.include('姓名').and.include('健康证');
    await shot(wallet, 'wallet-consent-zh');
    const tapped = Date.now();
    await wallet.click('#agree');
    await screen.locator('#answer.ok, #answer.fail').waitFor();
    const took = Date.now() - tapped;
    expect(await screen.getAttribute('#answer', 'class')).to.include('ok');
    expect(took, 'green within two seconds of the tap').to.be.below(2000);
    await wallet.locator('#request-done[data-result=ok]').waitFor();
    await shot(wallet, 'wallet-shown-zh');
    await shot(screen, 'verifier-answered-zh');
    await employer.close();
  });

  it('declining a request shows nothing to the employer', async () => {
    const created = await gw.api('POST', '/v1/presentation-requests', {
      key: hotpot,
      body: { preset: 'food_service_shift' },
    });
    await open(wallet, created.body.walletLink as string);
    await wallet.locator('#consent:not([hidden])').waitFor();
    await wallet.click('#decline');
    await wallet.locator('#request-done[data-result=info]').waitFor();
    const outcome = await gw.api('GET', `/v1/presentation-requests/${created.body.id as string}`, { key: hotpot });
    expect(outcome.body.status).to.equal('pending');
  });

  it('shows a static QR code: it decodes back and verifies, version 25 or below at M, the ID number withheld', async () => {
    await open(wallet);
    await wallet.click('#cards li button');
    await wallet.click('#card-qr');
    await wallet.locator('#qr-img[src^="data:image/png"]').waitFor();
    await shot(wallet, 'wallet-static-qr-zh');
    const text = decodePng(await wallet.locator('#qr-img').screenshot());
    expect(text).to.equal(await wallet.getAttribute('#qr-img', 'data-text'));
    expect(Number(await wallet.getAttribute('#qr-img', 'data-version'))).to.be.at.most(25);
    expect(await wallet.getAttribute('#qr-img', 'data-ec')).to.equal('M');
    const report = await gw.verify(verifier, text);
    expect(report.verified, JSON.stringify(report.reasons)).to.equal(true);
    expect(report.presentation?.binding).to.equal('static');
    const disclosed = Object.keys((report.credential?.disclosed ?? {}) as Record<string, unknown>);
    expect(disclosed.join(' ')).not.to.include('idNumber');
  });

  it('lists who checked its cards, signed for with the device key', async function () {
    await open(wallet);
    await wallet.click('#go-receipts');
    await wallet.locator('#receipts li').first().waitFor();
    const rows = await wallet.locator('#receipts li').count();
    expect(rows).to.be.at.least(1);
    expect(await wallet.locator('#receipts li[data-verified=true]').count()).to.be.at.least(1);
    await shot(wallet, 'wallet-receipts-zh');
  });

  it('shows a revoked card as revoked, with a banner; it no longer answers requests', async () => {
    await open(wallet);
    const id = (await wallet.locator('#cards li').first().getAttribute('data-card'))!;
    const r = await gw.changeStatus(cdc.apiKey, id, 'revoke', 're_examination_failed');
    expect(r.status, r.text).to.equal(200);
    await open(wallet);
    await wallet.locator(`#cards li[data-card="${id}"][data-state=revoked]`).waitFor();
    expect(await wallet.getAttribute(`#banners .banner[data-card="${id}"]`, 'data-reminder')).to.equal('revoked');
    await shot(wallet, 'wallet-revoked-zh');
    const created = await gw.api('POST', '/v1/presentation-requests', {
      key: hotpot,
      body: { preset: 'food_service_shift' },
    });
    await open(wallet, created.body.walletLink as string);
    await wallet.locator('#request-done[data-result=fail]').waitFor();
    expect(await wallet.getAttribute('#request-done', 'data-code')).to.equal('no_match');
  });

  it('a renewed card replaces the one it renews', async function () {
    const ctx = await newPhone();
    const page = await ctx.newPage();
    const old = await receive(page);
    // The clinic renews it: an offer naming the credential it replaces.
    const res = await gw.api('POST', '/v1/credential-offers', {
      key: cdc.apiKey,
      body: { ...gw.issueBody('HealthCertificate'), replaces: old.id },
    });
    expect(res.status, res.text).to.equal(201);
    await open(page, res.body.walletLink as string);
    await page.locator('#pin-form:not([hidden])').waitFor();
    await page.fill('#pin', res.body.txCode as string);
    await page.click('#receive-go');
    await page.locator('#view-card:not([hidden])').waitFor();
    const renewed = (await page.getAttribute('#card-head', 'data-card'))!;
    expect(renewed).not.to.equal(old.id);
    await open(page);
    expect(
      await page.locator('#cards li').evaluateAll((lis) => lis.map((li) => li.getAttribute('data-card'))),
    ).to.deep.equal([renewed]);
    await ctx.close();
  });

  it('switches to English and remembers it', async () => {
    await open(wallet);
    await wallet.click('#lang');
    expect(await wallet.textContent('#go-receive')).to.equal('Receive a certificate');
    await open(wallet);
    expect(await wallet.textContent('h1')).to.equal('My certificates');
    await shot(wallet, 'wallet-cards-en');
    await wallet.click('#lang');
  });

  it('raised no error on any page', () => {
    expect(problems).to.deep.equal([]);
  });
});
