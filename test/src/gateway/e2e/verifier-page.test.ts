/**
 * The verifier page (/verify): served with a strict CSP and the camera allowed to this
 * origin only; its script turns real reports (verified, suspended, garbage, a work card
 * shown as a static QR code or signed for a challenge) into a green or red answer with
 * reasons in Chinese and English, saying which of the two ways the card was shown; every
 * check and reason code has words in both; nothing from a report can reach the page as HTML.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import { after, before, describe, it } from 'mocha';
import { CHECKS, REASON_CODES } from '@anxin/gateway/verify';
import { presentCredential, workCardText } from '@anxin/gateway/workcard';
import { TestGateway, deviceKey, type RegisteredIssuer } from '../../helpers/gateway';

const PUBLIC = join(require.resolve('@anxin/gateway/package.json'), '..', 'dist', 'public');

interface Summary {
  ok: boolean;
  tone: 'ok' | 'warn' | 'fail';
  headline: string;
  subline: string;
  facts: Array<{ label: string; value: string }>;
  reasons: Array<{ text: string; detail: string }>;
  checks: Array<{ name: string; label: string; outcome: string }>;
  binding: 'challenge' | 'static' | null;
}
type Dict = Record<string, { zh: string; en: string }>;
const page = require('@anxin/gateway/page') as {
  summarize(report: unknown, lang: 'zh' | 'en'): Summary;
  historyLine(report: unknown, lang: 'zh' | 'en'): { ok: boolean; tone: string; text: string };
  TEXT: Record<'zh' | 'en', Record<string, string>>;
  CHECKS: Dict;
  REASONS: Dict;
  TYPES: Dict;
};

const fact = (s: Summary, label: string) => s.facts.find((f) => f.label === label)?.value;

describe('e2e: the verifier page', function () {
  let gw: TestGateway;
  let cdc: RegisteredIssuer;
  let verifier: string;

  before(async () => {
    gw = await TestGateway.start();
    cdc = await gw.registerIssuer({ allowedTypes: ['HealthCertificate'] });
    verifier = await gw.verifierKey();
  });
  after(async () => gw?.stop());

  describe('served', () => {
    it('GET /verify: HTML in both languages, a strict CSP, the camera for this origin only, no inline code', async () => {
      const res = await gw.api('GET', '/verify');
      expect(res.status).to.equal(200);
      expect(res.contentType).to.include('text/html');
      const csp = res.headers.get('content-security-policy')!;
      expect(csp).to.include("default-src 'none'");
      expect(csp).to.include("script-src 'self'");
      expect(csp).to.include("connect-src 'self'");
      expect(csp).to.include("frame-ancestors 'none'");
      expect(csp).not.to.include('unsafe-inline');
      expect(res.headers.get('permissions-policy')).to.include('camera=(self)');
      const html = res.text;
      expect(html).to.include('<script src="/verify/verify.js"></script>');
      expect(html).to.include('href="/verify/verify.css"');
      expect(html, 'no inline script').not.to.match(/<script(?![^>]*\bsrc=)[^>]*>/);
      expect(html, 'no inline style or handler').not.to.match(/\s(style|on[a-z]+)=/);
      expect(html).to.include('核验').and.to.include('English');
    });

    it('its script and style sheet; any other name is a 404 problem', async () => {
      const js = await gw.api('GET', '/verify/verify.js');
      expect(js.status).to.equal(200);
      expect(js.contentType).to.include('javascript');
      expect(js.text).to.equal(readFileSync(join(PUBLIC, 'verify.js'), 'utf8'));
      const css = await gw.api('GET', '/verify/verify.css');
      expect(css.status).to.equal(200);
      expect(css.contentType).to.include('text/css');
      for (const bad of ['/verify/verify.html', '/verify/..%2Fpackage.json', '/verify/toString', '/verify/x.js']) {
        const res = await gw.api('GET', bad);
        expect(res.status, bad).to.equal(404);
        expect(res.contentType, bad).to.include('application/problem+json');
      }
    });

    it('the script writes report text only as text: no innerHTML, outerHTML, insertAdjacentHTML, document.write or eval', () => {
      const src = readFileSync(join(PUBLIC, 'verify.js'), 'utf8');
      for (const sink of ['innerHTML', 'outerHTML', 'insertAdjacentHTML', 'document.write', 'eval(', 'new Function'])
        expect(src, sink).not.to.include(sink);
      expect(src).to.include('textContent');
    });
  });

  describe('answers', () => {
    it('a verified credential: green, its type and issuer, the holder (ID number masked), the anchor', async () => {
      const issued = await gw.issue(cdc.apiKey, 'HealthCertificate');
      const report = await gw.verify(verifier, issued.credential);
      const zh = page.summarize(report, 'zh');
      expect(zh.ok).to.equal(true);
      expect(zh.headline).to.equal('✓ 通过核验');
      expect(zh.subline).to.include('健康证');
      expect(zh.subline).to.include(report.credential!.issuer!.name!);
      expect(fact(zh, '姓名')).to.equal(issued.holder.name);
      expect(fact(zh, '身份证号')).to.equal(`${'*'.repeat(14)}${issued.holder.idNumber.slice(-4)}`);
      expect(fact(zh, '从业类别')).to.equal('餐饮服务');
      expect(fact(zh, '链上存证')).to.match(new RegExp(`^区块 ${report.anchor!.block} · \\d{4}-\\d{2}-\\d{2}$`));
      expect(zh.reasons).to.deep.equal([]);
      expect(zh.checks.filter((c) => c.outcome === 'pass').length).to.equal(11);
      const en = page.summarize(report, 'en');
      expect(en.headline).to.equal('✓ Verified');
      expect(en.subline).to.include('Health certificate');
      expect(fact(en, 'Categories')).to.equal('food service');
    });

    it('a suspended one: red, the reason in words, the gateway’s detail beside it', async () => {
      const issued = await gw.issue(cdc.apiKey, 'HealthCertificate');
      expect((await gw.changeStatus(cdc.apiKey, issued.id, 'suspend', 're_examination_pending')).status).to.equal(200);
      const report = await gw.verify(verifier, issued.credential);
      const zh = page.summarize(report, 'zh');
      expect(zh.ok).to.equal(false);
      expect(zh.headline).to.equal('✗ 未通过核验');
      expect(zh.reasons.map((r) => r.text)).to.deep.equal(['凭证已暂停使用']);
      expect(zh.reasons[0]!.detail).to.include('re_examination_pending');
      expect(zh.checks.find((c) => c.name === 'status')).to.deep.include({ label: '当前状态', outcome: 'fail' });
      expect(page.summarize(report, 'en').reasons[0]!.text).to.equal('The credential is suspended');
    });

    it('a platform’s contract from an issuer since suspended: green, whom it was issued for, and why it still holds', async () => {
      const platform = await gw.registerIssuer({ allowedTypes: ['LaborContract'] });
      const issued = await gw.issue(platform.apiKey, 'LaborContract');
      const res = await gw.api('PATCH', `/v1/issuers/${encodeURIComponent(platform.id)}`, {
        key: gw.adminKey,
        body: { status: 'suspended' },
      });
      expect(res.status).to.equal(200);
      const report = await gw.verify(verifier, issued.credential);
      const zh = page.summarize(report, 'zh');
      expect(zh.ok).to.equal(true);
      expect(fact(zh, '代其签发的用人单位')).to.equal('成都蜀味坊火锅餐饮管理有限公司 · 未登记为签发机构');
      expect(fact(zh, '签发资格')).to.equal('签发时机构资格有效（该机构现已被暂停）');
      const en = page.summarize(report, 'en');
      expect(fact(en, 'Issued on behalf of')).to.equal('成都蜀味坊火锅餐饮管理有限公司 · not a registered issuer');
      expect(fact(en, "Issuer's authority")).to.equal('Issued while the issuer was in good standing (since suspended)');
    });

    it('status read from lists: "status as of" the list; amber only when the lists or trust list are past exp', () => {
      const base = {
        verified: false,
        checks: {},
        statusList: { status: 'active', asOf: '2026-06-30T01:02:03Z', lists: ['https://x/l'] },
        checkedAt: '2026-06-30T02:00:00Z',
      };
      const stale = page.summarize(
        {
          ...base,
          reasons: [
            { check: 'issuerTrusted', code: 'trust_list_expired', detail: '' },
            { check: 'status', code: 'status_list_expired', detail: '' },
          ],
        },
        'en',
      );
      expect(stale).to.include({ ok: false, tone: 'warn', headline: page.TEXT.en.warn });
      expect(fact(stale, 'Status as of')).to.match(/^2026-06-30 \d\d:02:03 · active$/);
      const revoked = page.summarize(
        {
          ...base,
          statusList: { ...base.statusList, status: 'revoked' },
          reasons: [
            { check: 'status', code: 'status_list_expired', detail: '' },
            { check: 'status', code: 'revoked', detail: '' },
          ],
        },
        'en',
      );
      expect(revoked.tone, 'a finding beside a stale list is red').to.equal('fail');
      const green = page.summarize({ ...base, verified: true, reasons: [] }, 'zh');
      expect(green.tone).to.equal('ok');
      expect(fact(green, '状态截至')).to.match(/ · 有效$/);
    });

    it('garbage: red, "not an Anxin credential", no facts', async () => {
      const s = page.summarize(await gw.verify(verifier, 'hello, I am a certificate'), 'zh');
      expect(s.ok).to.equal(false);
      expect(s.reasons.map((r) => r.text)).to.deep.equal(['不是安心凭证或其二维码']);
      expect(s.facts.map((f) => f.label)).to.deep.equal(['核验时间']);
    });

    it('a work card scanned as a verifier link: green with only what the worker disclosed, shown as a static QR code', async () => {
      const device = deviceKey();
      const issued = await gw.issue(cdc.apiKey, 'HealthCertificate', {
        format: 'dc+sd-jwt',
        holderKey: device.privateJwk,
      });
      const p = await presentCredential(issued.credential, {
        disclose: ['holder.name', 'healthCertificate.validity', 'healthCertificate.result'],
        holderKey: device.privateJwk,
      });
      const report = await gw.verify(verifier, workCardText(p.presentation, `${gw.url}/verify`));
      const s = page.summarize(report, 'zh');
      expect(s.ok, JSON.stringify(report.reasons)).to.equal(true);
      expect(s.facts.map((f) => f.label)).to.include.members(['姓名', '有效期自', '有效期至', '体检结论']);
      expect(s.facts.map((f) => f.label)).not.to.include('身份证号');
      expect(fact(s, '体检结论')).to.equal('合格');
      expect(s.checks.find((c) => c.name === 'holderBinding')!.outcome).to.equal('pass');
      expect(s.binding).to.equal('static');
      expect(fact(s, '出示方式')).to.equal(page.TEXT.zh.bindingStatic);
      expect(fact(page.summarize(report, 'en'), 'Shown as')).to.equal(page.TEXT.en.bindingStatic);
    });

    it("a work card signed for this verifier's challenge: green, shown as signed live; its replay red", async () => {
      const device = deviceKey('EdDSA');
      const issued = await gw.issue(cdc.apiKey, 'HealthCertificate', {
        format: 'dc+sd-jwt',
        holderKey: device.privateJwk,
      });
      const c = (await gw.api('POST', '/v1/verify/challenges', { key: verifier })).body;
      const p = await presentCredential(issued.credential, {
        disclose: ['holder.name', 'healthCertificate.result'],
        holderKey: device.privateJwk,
        nonce: c.nonce,
        audience: c.aud,
      });
      const report = await gw.verify(verifier, p.presentation, { challenge: c.nonce });
      const zh = page.summarize(report, 'zh');
      expect(zh.ok, JSON.stringify(report.reasons)).to.equal(true);
      expect(zh.binding).to.equal('challenge');
      expect(fact(zh, '出示方式')).to.equal(page.TEXT.zh.bindingChallenge);
      expect(fact(page.summarize(report, 'en'), 'Shown as')).to.equal(page.TEXT.en.bindingChallenge);
      const replay = page.summarize(await gw.verify(verifier, p.presentation, { challenge: c.nonce }), 'zh');
      expect(replay.ok).to.equal(false);
      expect(replay.reasons.map((r) => r.text)).to.deep.equal([page.REASONS.kb_nonce!.zh]);
    });

    it('a credential not bound to a key: no word about how it was shown', async () => {
      const report = await gw.verify(verifier, (await gw.issue(cdc.apiKey, 'HealthCertificate')).credential);
      const s = page.summarize(report, 'zh');
      expect(s.binding).to.equal(null);
      expect(fact(s, '出示方式')).to.equal(undefined);
    });

    it("the session list: one line per check — verdict, type, the holder's name, the first reason, the local time", async () => {
      const ok = await gw.issue(cdc.apiKey, 'HealthCertificate');
      const bad = await gw.issue(cdc.apiKey, 'HealthCertificate');
      expect((await gw.changeStatus(cdc.apiKey, bad.id, 'revoke', 're_examination_failed')).status).to.equal(200);
      const good = await gw.verify(verifier, ok.credential);
      const at = new Date(good.checkedAt);
      const hm = `${String(at.getHours()).padStart(2, '0')}:${String(at.getMinutes()).padStart(2, '0')}`;
      expect(page.historyLine(good, 'zh')).to.deep.equal({
        ok: true,
        tone: 'ok',
        text: `✓ 健康证 · ${ok.holder.name} · ${hm}`,
      });
      const revoked = page.historyLine(await gw.verify(verifier, bad.credential), 'en');
      expect(revoked.ok).to.equal(false);
      expect(revoked.tone).to.equal('fail');
      // An answer that is only stale (lists kept past their exp) is amber, not a failure.
      const stale = page.historyLine(
        {
          ...good,
          verified: false,
          reasons: [{ check: 'status', code: 'status_list_expired', message: 'expired' }],
        },
        'en',
      );
      expect([stale.ok, stale.tone, stale.text.slice(0, 2)]).to.deep.equal([false, 'warn', '⚠ ']);
      expect(revoked.text).to.match(
        new RegExp(`^✗ Health certificate · ${bad.holder.name} · The credential has been revoked · \\d{2}:\\d{2}$`),
      );
      expect(page.historyLine(await gw.verify(verifier, 'not a credential'), 'zh').text).to.match(
        /^✗ 无法识别的凭证 · 不是安心凭证或其二维码 · \d{2}:\d{2}$/,
      );
    });

    it('a field holding markup stays a plain string (the page puts it in textContent)', () => {
      const report = {
        verified: false,
        checks: {},
        reasons: [{ check: 'signature', code: 'bad_signature', detail: '<img src=x onerror=alert(1)>' }],
        credential: { format: 'vc+jwt', disclosed: { holder: { name: '<script>alert(1)</script>' } } },
      };
      const s = page.summarize(report, 'en');
      expect(fact(s, 'Name')).to.equal('<script>alert(1)</script>');
      expect(s.reasons[0]).to.deep.equal({
        text: 'Bad signature: forged or altered',
        detail: '<img src=x onerror=alert(1)>',
      });
    });
  });

  it('every check and every reason code the gateway can give has words in Chinese and English', () => {
    for (const c of CHECKS) {
      expect(page.CHECKS[c]?.zh, c).to.be.a('string').with.length.greaterThan(0);
      expect(page.CHECKS[c]?.en, c).to.be.a('string').with.length.greaterThan(0);
    }
    for (const code of Object.values(REASON_CODES).flat()) {
      expect(page.REASONS[code]?.zh, code).to.be.a('string').with.length.greaterThan(0);
      expect(page.REASONS[code]?.en, code).to.be.a('string').with.length.greaterThan(0);
    }
    for (const t of ['HealthCertificate', 'SkillCertificate', 'LaborContract'])
      expect(page.TYPES[t], t).to.have.keys('zh', 'en');
    expect(Object.keys(page.TEXT.en).sort()).to.deep.equal(Object.keys(page.TEXT.zh).sort());
  });
});
