/**
 * The printable work card (GET /v1/credentials/:id/card): for a worker without a smartphone,
 * an SVG card with the chosen fields in Chinese and English and a QR code — a short link
 * with the card's own secret, QR version 10 or below at error correction Q — or the QR code
 * alone as PNG. The QR codes are decoded back (the SVG's drawn from its own path) and
 * verified over HTTP through the link; every field of every type can be printed; a wrong
 * secret and a withdrawn card are refused; a revoked credential fails at the next scan;
 * everything that cannot be printed is refused with a problem saying why.
 */
import { expect } from 'chai';
import jsQR from 'jsqr';
import { after, before, describe, it } from 'mocha';
import { PNG } from 'pngjs';
import type { CredentialType } from '@anxin/schemas';
import { printableCardSvg, qrVersion } from '@anxin/gateway/workcard';
import {
  TestGateway,
  deviceKey,
  expectFailed,
  expectVerified,
  type Issued,
  type RegisteredIssuer,
} from '../../helpers/gateway';

/** The text of the QR code an SVG card draws (viewBox "-4 -4 N N", one rectangle per run of dark modules). */
function decodeSvgQr(svg: string): string {
  return decodeSvgQrCode(svg).text;
}

/** The QR version the SVG draws: (modules − 17) / 4. */
function svgQrVersion(svg: string): number {
  return decodeSvgQrCode(svg).version;
}

function decodeSvgQrCode(svg: string): { text: string; version: number } {
  const box = /viewBox="-4 -4 (\d+) \1"[^>]*>(?:<rect[^>]*\/>)?<path d="([^"]+)"/.exec(svg);
  if (!box) throw new Error('no QR code in the SVG');
  const n = Number(box[1]);
  const scale = 4;
  const side = n * scale;
  const rgba = new Uint8ClampedArray(side * side * 4).fill(255);
  for (const m of box[2]!.matchAll(/M(\d+) (\d+)h(\d+)v1h-\d+z/g)) {
    const [x0, y0, run] = [Number(m[1]) + 4, Number(m[2]) + 4, Number(m[3])];
    for (let y = y0 * scale; y < (y0 + 1) * scale; y++)
      for (let x = x0 * scale; x < (x0 + run) * scale; x++) rgba.fill(0, (y * side + x) * 4, (y * side + x) * 4 + 3);
  }
  const code = jsQR(rgba, side, side);
  if (!code) throw new Error('the SVG QR code does not decode');
  return { text: code.data, version: (n - 8 - 17) / 4 };
}

describe('e2e: the printable work card', function () {
  this.timeout(60_000);
  let gw: TestGateway;
  let cdc: RegisteredIssuer;
  let other: RegisteredIssuer;
  let verifier: string;
  let plain: Issued;
  const disclose = 'holder.name,healthCertificate.categories,healthCertificate.validity,healthCertificate.result';
  const cardPath = (id: string, query: string) => `/v1/credentials/${encodeURIComponent(id)}/card?${query}`;

  before(async () => {
    gw = await TestGateway.start();
    cdc = await gw.registerIssuer({ allowedTypes: ['HealthCertificate'] });
    other = await gw.registerIssuer({ allowedTypes: ['HealthCertificate'] });
    verifier = await gw.verifierKey();
    plain = await gw.issue(cdc.apiKey, 'HealthCertificate', { format: 'dc+sd-jwt' });
  });
  after(async () => gw?.stop());

  it('SVG: the chosen fields in both languages, no ID number, a QR code that verifies with only those fields', async () => {
    const res = await gw.api('GET', cardPath(plain.id, `disclose=${disclose}`), { key: cdc.apiKey });
    expect(res.status, res.text.slice(0, 300)).to.equal(200);
    expect(res.contentType).to.include('image/svg+xml');
    expect(res.headers.get('cache-control')).to.equal('no-store');
    expect(res.headers.get('content-disposition')).to.match(/^inline; filename="work-card-[0-9a-f-]+\.svg"$/);
    const svg = res.text;
    expect(svg).to.match(/^<\?xml[^>]*>\n<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg" width="105mm" height="148mm"/);
    for (const s of [plain.holder.name, '姓名', 'Name', '餐饮服务', 'food service', '合格', 'fit', '健康证', plain.id])
      expect(svg).to.include(s);
    expect(svg).not.to.include(plain.holder.idNumber.slice(-4));
    expect(svg).not.to.include('身份证号');

    const text = decodeSvgQr(svg);
    expect(text, 'a short link: the card and its secret, nothing of the worker').to.match(
      new RegExp(`^${gw.url.replace(/[.]/g, '\\.')}/c#AXC\\.[A-Za-z0-9_-]{12}\\.[A-Za-z0-9_-]{22}$`),
    );
    expect(text).not.to.include(plain.holder.idNumber);
    expect(svgQrVersion(svg)).to.be.at.most(10);
    expect(qrVersion(text, 'Q')).to.equal(svgQrVersion(svg));
    expect(res.headers.get('anxin-card-id')).to.equal(text.split('.').at(-2));
    const report = await gw.verify(verifier, text);
    expectVerified(report, 'skipped');
    const disclosed = report.credential!.disclosed as Record<string, Record<string, unknown>>;
    expect(disclosed.holder).to.deep.equal({ name: plain.holder.name });
    expect(Object.keys(disclosed.healthCertificate!).sort()).to.deep.equal(['categories', 'result', 'validity']);
  });

  it('PNG: the QR code alone, the same kind of link; once revoked, the printed card fails at the next scan', async () => {
    const res = await fetch(`${gw.url}${cardPath(plain.id, 'disclose=holder.name&format=png')}`, {
      headers: { authorization: `Bearer ${cdc.apiKey}` },
    });
    expect(res.status).to.equal(200);
    expect(res.headers.get('content-type')).to.equal('image/png');
    const png = PNG.sync.read(Buffer.from(await res.arrayBuffer()));
    const text = jsQR(new Uint8ClampedArray(png.data), png.width, png.height)!.data;
    expect(text.startsWith(`${gw.url}/c#AXC.`)).to.equal(true);
    expectVerified(await gw.verify(verifier, text), 'skipped');

    expect((await gw.changeStatus(cdc.apiKey, plain.id, 'revoke', 're_examination_failed')).status).to.equal(200);
    expectFailed(await gw.verify(verifier, text), 'status', 'revoked');
  });

  it('every field of every type is printable: one short link at version <= 10 / Q that verifies with all of them', async () => {
    const member = {
      HealthCertificate: 'healthCertificate',
      SkillCertificate: 'skillCertificate',
      LaborContract: 'laborContract',
    };
    for (const type of Object.keys(member) as CredentialType[]) {
      const issuer = await gw.registerIssuer({ allowedTypes: [type] });
      const c = await gw.issue(issuer.apiKey, type, { format: 'dc+sd-jwt' });
      const res = await gw.api('GET', cardPath(c.id, `disclose=holder,${member[type]}`), { key: issuer.apiKey });
      expect(res.status, `${type}: ${res.text.slice(0, 300)}`).to.equal(200);
      const text = decodeSvgQr(res.text);
      expect(svgQrVersion(res.text), type).to.be.at.most(10);
      const report = await gw.verify(verifier, text);
      expectVerified(report, 'skipped');
      const disclosed = report.credential!.disclosed as Record<string, Record<string, unknown>>;
      expect(Object.keys(disclosed.holder!).sort(), type).to.deep.equal(['idNumber', 'name']);
      expect(Object.keys(disclosed[member[type]]!).sort(), type).to.deep.equal(
        Object.keys(c.request.subject as object).sort(),
      );
    }
  });

  it("the README's own disclose=holder.name,healthCertificate prints", async () => {
    const fresh = await gw.issue(cdc.apiKey, 'HealthCertificate', { format: 'dc+sd-jwt' });
    const res = await gw.api('GET', cardPath(fresh.id, 'disclose=holder.name,healthCertificate'), { key: cdc.apiKey });
    expect(res.status, res.text.slice(0, 300)).to.equal(200);
    expectVerified(await gw.verify(verifier, decodeSvgQr(res.text)), 'skipped');
  });

  it('a wrong secret and an unknown card: 404 card_unknown; a withdrawn card: 410 card_revoked, its sibling still verifies', async () => {
    const fresh = await gw.issue(cdc.apiKey, 'HealthCertificate', { format: 'dc+sd-jwt' });
    const print = async () => {
      const res = await gw.api('GET', cardPath(fresh.id, 'disclose=holder.name'), { key: cdc.apiKey });
      expect(res.status).to.equal(200);
      return { text: decodeSvgQr(res.text), id: res.headers.get('anxin-card-id')! };
    };
    const [one, two] = [await print(), await print()];
    expect(one.text).not.to.equal(two.text);
    const refused = async (text: string, status: number, code: string) => {
      const res = await gw.api('POST', '/v1/verify', { key: verifier, body: { credential: text } });
      expect(res.status, res.text.slice(0, 200)).to.equal(status);
      expect(res.body.code).to.equal(code);
    };
    const secret = one.text.slice(-22);
    const wrong = `${one.text.slice(0, -22)}${secret[0] === 'A' ? 'B' : 'A'}${secret.slice(1)}`;
    await refused(wrong, 404, 'card_unknown');
    await refused(`${gw.url}/c#AXC.${'x'.repeat(12)}.${secret}`, 404, 'card_unknown');
    // Another card's secret does not open this one.
    await refused(`${one.text.slice(0, -22)}${two.text.slice(-22)}`, 404, 'card_unknown');

    // Only its issuer withdraws it, and only under its own credential.
    const revoke = (key: string, credentialId: string, card: string) =>
      gw.api('POST', `/v1/credentials/${encodeURIComponent(credentialId)}/cards/${card}/revoke`, { key });
    expect((await revoke(other.apiKey, fresh.id, one.id)).status).to.equal(404);
    expect((await revoke(cdc.apiKey, plain.id, one.id)).status).to.equal(404);
    const done = await revoke(cdc.apiKey, fresh.id, one.id);
    expect(done.status).to.equal(200);
    expect(done.body).to.include({ id: one.id, credentialId: fresh.id });
    await refused(one.text, 410, 'card_revoked');
    // The fragment alone (as the verifier page posts it) is the same card.
    await refused(one.text.slice(one.text.indexOf('#') + 1), 410, 'card_revoked');
    expectVerified(await gw.verify(verifier, two.text), 'skipped');
  });

  it('the link opened by a phone camera lands on the verifier page, the fragment kept by the browser', async () => {
    const res = await fetch(`${gw.url}/c`, { redirect: 'manual' });
    expect(res.status).to.equal(302);
    expect(new URL(res.headers.get('location')!, `${gw.url}/c`).pathname).to.equal('/verify');
  });

  describe('refused, with a problem that says why', () => {
    const problem = async (id: string, query: string, key: string | undefined, status: number, code: string) => {
      const res = await gw.api('GET', cardPath(id, query), key ? { key } : {});
      expect(res.status, res.text.slice(0, 300)).to.equal(status);
      expect(res.contentType).to.include('application/problem+json');
      expect(res.body.code).to.equal(code);
      return res.body as { detail: string; errors?: Array<{ field: string }> };
    };

    it('a vc+jwt credential (it would print every field): 409 card_unavailable', async () => {
      const jwt = await gw.issue(cdc.apiKey, 'HealthCertificate');
      const p = await problem(jwt.id, `disclose=${disclose}`, cdc.apiKey, 409, 'card_unavailable');
      expect(p.detail).to.match(/full ID number/);
    });

    it("a credential bound to the worker's device key (paper cannot sign): 409 card_unavailable", async () => {
      const bound = await gw.issue(cdc.apiKey, 'HealthCertificate', {
        format: 'dc+sd-jwt',
        holderKey: deviceKey().privateJwk,
      });
      const p = await problem(bound.id, `disclose=${disclose}`, cdc.apiKey, 409, 'card_unavailable');
      expect(p.detail).to.match(/device key/);
    });

    it("the holder's salt and commitment: 400 naming disclose (never printed, not even with the whole holder)", async () => {
      const fresh = await gw.issue(cdc.apiKey, 'HealthCertificate', { format: 'dc+sd-jwt' });
      for (const m of ['holder.salt', 'holder.ref']) {
        const p = await problem(fresh.id, `disclose=holder.name,${m}`, cdc.apiKey, 400, 'validation_failed');
        expect(p.errors![0]!.field).to.equal('disclose');
      }
    });

    it('a member the credential does not have: 400 naming disclose and the members it has', async () => {
      const fresh = await gw.issue(cdc.apiKey, 'HealthCertificate', { format: 'dc+sd-jwt' });
      const p = await problem(fresh.id, 'disclose=holder.salary', cdc.apiKey, 400, 'validation_failed');
      expect(p.errors![0]!.field).to.equal('disclose');
      expect(p.detail).to.match(/holder\.salary .* holder\.name/);
    });

    it('query parameters outside their schema: 400 validation_failed', async () => {
      const fresh = await gw.issue(cdc.apiKey, 'HealthCertificate', { format: 'dc+sd-jwt' });
      for (const q of [
        '',
        'format=svg',
        `disclose=${disclose}&format=pdf`,
        'disclose=holder.name;drop',
        `disclose=holder.name&x=1`,
      ])
        await problem(fresh.id, q, cdc.apiKey, 400, 'validation_failed');
    });

    it("another issuer's credential: 404; no key: 401; a verify-only key: 403", async () => {
      const fresh = await gw.issue(cdc.apiKey, 'HealthCertificate', { format: 'dc+sd-jwt' });
      await problem(fresh.id, `disclose=${disclose}`, other.apiKey, 404, 'not_found');
      await problem(fresh.id, `disclose=${disclose}`, undefined, 401, 'unauthorized');
      await problem(fresh.id, `disclose=${disclose}`, verifier, 403, 'forbidden');
    });
  });

  it('text on the card is escaped: markup in a field is printed, never drawn', async () => {
    const svg = await printableCardSvg({
      presentation: {
        presentation: 'x',
        claims: { holder: { name: '<script>x</script>&"y"' } },
        disclosed: ['holder.name'],
        withheld: [],
        bound: false,
      },
      qrText: 'ANXIN:x',
      credentialId: 'urn:uuid:00000000-0000-4000-8000-000000000000',
      type: 'HealthCertificate',
      issuer: { id: 'urn:anxin:issuer:x', name: 'A&B <Clinic>' },
    });
    expect(svg).not.to.include('<script');
    expect(svg).to.include('&lt;script&gt;x&lt;/script&gt;&amp;&quot;y&quot;');
    expect(svg).to.include('A&amp;B &lt;Clinic&gt;');
    expect(decodeSvgQr(svg)).to.equal('ANXIN:x');
  });
});
