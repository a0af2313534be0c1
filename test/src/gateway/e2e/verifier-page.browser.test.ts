/**
 * The verifier page in a real browser (Chromium, headless, driven by playwright-core): the
 * script runs under the page's own CSP, a work-card link is verified on opening and leaves
 * no trace in the address bar and says it was a static QR code, a challenge asked of the
 * worker's phone is answered by the next check and says so, pasted text is verified, the
 * answer switches language and remembers it, a wrong API key says so; without a key the page
 * verifies in the browser. Skipped,
 * by name, when no Chromium is found (Debian's `chromium`, or ANXIN_CHROMIUM=/path/to/chrome).
 */
import { expect } from 'chai';
import { after, before, it } from 'mocha';
import type { Browser, Page } from 'playwright-core';
import { presentCredential, workCardText } from '@anxin/gateway/workcard';
import {
  TestGateway,
  deviceKey,
  withoutCommitment,
  type DeviceKey,
  type Issued,
  type RegisteredIssuer,
} from '../../helpers/gateway';
import { browserSuite, launchChromium, phoneContext, recordErrors } from '../../helpers/browser';

browserSuite('e2e: the verifier page in a browser', function () {
  this.timeout(60_000);
  let gw: TestGateway;
  let browser: Browser;
  let cdc: RegisteredIssuer;
  let verifier: string;
  let holder: DeviceKey;
  let bound: Issued;
  const problems: string[] = [];

  async function newPage(locale: 'zh-CN' | 'en-US' = 'zh-CN'): Promise<Page> {
    const page = await (await phoneContext(browser, locale)).newPage();
    recordErrors(page, problems);
    return page;
  }

  async function answer(page: Page): Promise<{ tone: string; headline: string; text: string }> {
    // A selector, not a function: the page's CSP forbids evaluating strings, as it should.
    await page.locator('#answer.ok, #answer.fail').waitFor();
    return {
      tone: ((await page.getAttribute('#answer', 'class')) ?? '').replace('answer', '').trim(),
      headline: (await page.textContent('#headline')) ?? '',
      text: (await page.textContent('#answer')) ?? '',
    };
  }

  async function withKey(page: Page, key: string): Promise<void> {
    await page.goto(`${gw.url}/verify`);
    await page.fill('#key', key);
    await page.click('#save-key');
  }

  async function card(disclose: string[]): Promise<string> {
    const p = await presentCredential(bound.credential, { disclose, holderKey: holder.privateJwk });
    return workCardText(p.presentation, `${gw.url}/verify`);
  }

  before(async () => {
    gw = await TestGateway.start();
    cdc = await gw.registerIssuer({ allowedTypes: ['HealthCertificate'] });
    verifier = await gw.verifierKey();
    holder = deviceKey();
    bound = await gw.issue(cdc.apiKey, 'HealthCertificate', { format: 'dc+sd-jwt', holderKey: holder.privateJwk });
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    await gw?.stop();
  });

  it('a work-card link without an API key: verified in the browser, and the credential leaves the address bar', async () => {
    const page = await newPage();
    await page.goto(await card(['holder.name']));
    const a = await answer(page);
    expect(a.tone, a.text).to.equal('ok');
    expect(a.text).to.include('状态截至');
    expect(page.url()).to.equal(`${gw.url}/verify`);
  });

  it('with the key saved, a work-card link opens green with only what the worker disclosed', async () => {
    const page = await newPage();
    await withKey(page, verifier);
    await page.goto(await card(['holder.name', 'healthCertificate.categories', 'healthCertificate.result']));
    const a = await answer(page);
    expect(a.tone).to.equal('ok');
    expect(a.headline).to.equal('✓ 通过核验');
    expect(a.text).to.include(bound.holder.name).and.to.include('餐饮服务').and.to.include('合格');
    expect(a.text).not.to.include('身份证号');
    expect(a.text).not.to.include(bound.holder.idNumber.slice(-4));
    expect(a.text).to.include('出示方式').and.to.include('二维码（5 分钟内有效');
    expect(page.url()).to.equal(`${gw.url}/verify`);
  });

  it("asks the worker's phone to sign: the next check answers that request, says so, and uses it up", async () => {
    const page = await newPage('en-US');
    await withKey(page, verifier);
    expect(await page.isHidden('#challenge-box')).to.equal(true);
    await page.click('#ask');
    await page.locator('#challenge-box:not([hidden])').waitFor();
    const nonce = (await page.textContent('#challenge-nonce')) ?? '';
    const aud = (await page.textContent('#challenge-aud')) ?? '';
    expect(nonce).to.match(/^[A-Za-z0-9_-]{32}$/);
    expect(aud).to.match(/\/verifiers\//);
    // What the worker's phone does with it: a key-binding JWT over that nonce and aud.
    const p = await presentCredential(bound.credential, {
      disclose: ['holder.name', 'healthCertificate.result'],
      holderKey: holder.privateJwk,
      nonce,
      audience: aud,
    });
    await page.fill('#text', p.presentation);
    await page.click('#check');
    const a = await answer(page);
    expect(a.tone, a.text).to.equal('ok');
    expect(a.text).to.include('Shown as').and.to.include("signed live, answering this check's request");
    expect(await page.isHidden('#challenge-box'), 'the request is used up').to.equal(true);
    expect(await page.isVisible('#ask')).to.equal(true);

    // The same answer again, now with no request pending: a static check of a fresh QR code.
    await page.click('#check');
    await page.locator('#history li:nth-child(2)').waitFor();
    expect(await page.textContent('#answer')).to.include('QR code (good for 5 minutes');

    // A request can be cancelled: the next check is static.
    await page.click('#ask');
    await page.locator('#challenge-box:not([hidden])').waitFor();
    await page.click('#cancel-challenge');
    expect(await page.isHidden('#challenge-box')).to.equal(true);
  });

  it('the bound credential without its key-binding JWT (a copy): red, "not signed by its holder"', async () => {
    const page = await newPage();
    await withKey(page, verifier);
    await page.fill('#text', withoutCommitment(bound.credential));
    await page.click('#check');
    const a = await answer(page);
    expect(a.tone).to.equal('fail');
    expect(a.text).to.include('缺少本人出示签名');
  });

  it('pasted text of a suspended credential: red with the reason; English on a click, remembered after a reload', async () => {
    const issued = await gw.issue(cdc.apiKey, 'HealthCertificate');
    expect((await gw.changeStatus(cdc.apiKey, issued.id, 'suspend', 're_examination_pending')).status).to.equal(200);
    const page = await newPage();
    await withKey(page, verifier);
    await page.fill('#text', issued.credential);
    await page.click('#check');
    const zh = await answer(page);
    expect(zh.tone).to.equal('fail');
    expect(zh.headline).to.equal('✗ 未通过核验');
    expect(zh.text).to.include('凭证已暂停使用').and.to.include('re_examination_pending');
    await page.click('#lang');
    expect(await page.textContent('#headline')).to.equal('✗ Not verified');
    expect(await page.textContent('#reasons')).to.include('The credential is suspended');
    await page.reload();
    expect(await page.textContent('#check')).to.equal('Verify');
    expect(await page.getAttribute('html', 'lang')).to.equal('en');
  });

  it('two credentials for one job, scanned one after the other: both in the session list, newest first; cleared on request', async () => {
    const page = await newPage();
    await withKey(page, verifier);
    expect(await page.isHidden('#session')).to.equal(true);
    await page.goto(await card(['holder.name', 'healthCertificate.result']));
    await answer(page);
    const revoked = await gw.issue(cdc.apiKey, 'HealthCertificate');
    await gw.changeStatus(cdc.apiKey, revoked.id, 'revoke', 're_examination_failed');
    await page.fill('#text', revoked.credential);
    await page.click('#check');
    await page.locator('#history li:nth-child(2)').waitFor();
    const items = await page.locator('#history li').allTextContents();
    expect(items).to.have.length(2);
    expect(items[0]).to.match(/^✗ 健康证 · .* · 凭证已被撤销 · \d{2}:\d{2}$/);
    expect(items[1]).to.match(new RegExp(`^✓ 健康证 · ${bound.holder.name} · \\d{2}:\\d{2}$`));
    expect(await page.getAttribute('#history li:nth-child(1)', 'class')).to.equal('fail');
    await page.click('#clear-session');
    expect(await page.isHidden('#session')).to.equal(true);
  });

  it('a wrong API key: says the key is not valid', async () => {
    const page = await newPage('en-US');
    await withKey(page, 'ak_wrong.key-that-was-never-issued');
    await page.fill('#text', bound.credential);
    await page.click('#check');
    const a = await answer(page);
    expect(a.tone).to.equal('fail');
    expect(a.headline).to.equal('The API key is not valid or has been revoked');
  });

  it('no script error and no CSP violation on any page above', () => {
    // 401 from the wrong-key test is logged by the browser as a failed resource; nothing else may be.
    expect(problems.filter((p) => !/status of 401/.test(p))).to.deep.equal([]);
  });
});
