/**
 * The verification core is one decision wherever it runs: a corpus of good and hostile
 * credentials (helpers/verify-corpus) gives the same reports in Node — the core as
 * `@anxin/gateway/verify` exports it (WebCrypto), and as the gateway runs it (node:crypto's
 * signature math) — and in Chromium, where the core's bundle is served by the gateway and
 * loaded by the verifier page under the page's own strict CSP. Every runtime gets the same
 * registry, the same anchors and the same instants. Skipped, by name, without a Chromium.
 */
import { expect } from 'chai';
import { after, before, it } from 'mocha';
import type { Browser, Page } from 'playwright-core';
import { verifyCredential as verifyAsTheGatewayDoes } from '@anxin/gateway';
import { verifyDeps, PAGE_CSP } from '@anxin/gateway/server';
import {
  issuersWithUscc,
  verifyCredential,
  type AnchorProjection,
  type VerificationReport,
  type VerifyDeps,
} from '@anxin/gateway/verify';
import type { IssuerRecord } from '@anxin/schemas';
import { TestGateway } from '../../helpers/gateway';
import { browserSuite, launchChromium, recordErrors } from '../../helpers/browser';
import { verificationCorpus, type CorpusItem } from '../../helpers/verify-corpus';

/** What every runtime is given: the corpus, and the registry and anchors as JSON. */
interface World {
  items: Array<CorpusItem & { now: string }>;
  registry: IssuerRecord[];
  anchors: Record<string, AnchorProjection>;
}

/** Deps over a world, for one instant. */
function depsOf(world: World, now: string): VerifyDeps {
  const issuers = new Map(world.registry.map((i) => [i.id, i]));
  const at = new Date(now);
  return {
    issuer: (id) => issuers.get(id),
    issuersByUscc: (uscc) => issuersWithUscc(issuers.values(), uscc),
    anchor: (id) =>
      Promise.resolve(Object.prototype.hasOwnProperty.call(world.anchors, id) ? world.anchors[id] : undefined),
    now: () => at,
  };
}

/** A report as it travels (JSON): what each runtime's reports are compared as. */
const asJson = (r: VerificationReport): unknown => JSON.parse(JSON.stringify(r));

browserSuite('e2e: the verification core gives the same reports in Node and in Chromium', function () {
  this.timeout(180_000);
  let gw: TestGateway;
  let browser: Browser;
  let page: Page;
  let world: World;
  const problems: string[] = [];

  before(async () => {
    gw = await TestGateway.start();
    const corpus = await verificationCorpus(gw);
    // The anchors every item asks for, as the gateway has them (its store, else its ledger).
    const live = verifyDeps(gw.services);
    const anchors: Record<string, AnchorProjection> = {};
    const recording: VerifyDeps = {
      ...live,
      anchor: async (id) => {
        const a = await live.anchor!(id);
        if (a) anchors[id] = a;
        return a;
      },
    };
    for (const item of corpus.items) await verifyCredential(item.input, recording, item.opts);
    world = JSON.parse(
      JSON.stringify({
        items: corpus.items.map((i) => ({ ...i, now: i.now ?? corpus.now })),
        registry: [...gw.services.projection.issuers.values()],
        anchors,
      }),
    ) as World;
    browser = await launchChromium();
    page = await (await browser.newContext()).newPage();
    recordErrors(page, problems);
    await page.goto(`${gw.url}/verify`);
  });
  after(async () => {
    await browser?.close();
    await gw?.stop();
  });

  it("GET /verify/verify-core.js: one ES module, under the page's CSP", async () => {
    const res = await gw.api('GET', '/verify/verify-core.js');
    expect(res.status).to.equal(200);
    expect(res.contentType).to.include('javascript');
    expect(res.headers.get('content-security-policy')).to.equal(PAGE_CSP);
    for (const sink of ['eval(', 'new Function']) expect(res.text, sink).not.to.include(sink);
  });

  it('every item of the corpus: the same report from the core in Node, from the gateway, and from the bundle in the page', async () => {
    const inNode = await Promise.all(
      world.items.map((i) => verifyCredential(i.input, depsOf(world, i.now), i.opts).then(asJson)),
    );
    const asTheGateway = await Promise.all(
      world.items.map((i) => verifyAsTheGatewayDoes(i.input, depsOf(world, i.now), i.opts).then(asJson)),
    );
    // The page's CSP allows scripts from this origin only: the bundle is imported as the page would.
    const inChromium = await page.evaluate(async (w: World) => {
      const core = (await import('/verify/verify-core.js' as string)) as typeof import('@anxin/gateway/verify');
      const issuers = new Map(w.registry.map((i) => [i.id, i]));
      const out: unknown[] = [];
      for (const item of w.items) {
        const at = new Date(item.now);
        const report = await core.verifyCredential(
          item.input,
          {
            issuer: (id) => issuers.get(id),
            issuersByUscc: (uscc) => core.issuersWithUscc(issuers.values(), uscc),
            anchor: (id) =>
              Promise.resolve(Object.prototype.hasOwnProperty.call(w.anchors, id) ? w.anchors[id] : undefined),
            now: () => at,
          },
          item.opts,
        );
        out.push(JSON.parse(JSON.stringify(report)));
      }
      return out;
    }, world);
    expect(inChromium).to.have.length(world.items.length);
    world.items.forEach((item, n) => {
      expect(asTheGateway[n], `${item.name}: node:crypto's signature math`).to.deep.equal(inNode[n]);
      expect(inChromium[n], `${item.name}: in Chromium`).to.deep.equal(inNode[n]);
    });
    expect(problems, 'no script error or CSP violation').to.deep.equal([]);

    // The corpus is worth comparing: good and hostile, through every check.
    const reports = inNode as VerificationReport[];
    const verified = reports.filter((r) => r.verified).length;
    expect(verified, 'verified').to.be.greaterThan(8);
    expect(reports.length - verified, 'not verified').to.be.greaterThan(40);
    const codes = new Set(reports.flatMap((r) => r.reasons.map((x) => x.code)));
    for (const code of [
      'empty',
      'too_large',
      'unrecognised',
      'bad_header',
      'unsupported_typ',
      'bad_payload',
      'bad_disclosure',
      'holder_commitment_disclosed',
      'alg_not_allowed',
      'bad_kid',
      'unknown_key',
      'alg_mismatch',
      'bad_signature',
      'issuer_mismatch',
      'subject_issuer_mismatch',
      'issuer_suspended',
      'type_not_for_kind',
      'key_not_yet_valid',
      'key_compromised',
      'not_anchored',
      'digest_mismatch',
      'revoked',
      'suspended',
      'expired',
      'not_yet_valid',
      'schema_invalid',
      'kb_missing',
      'kb_invalid',
      'kb_stale',
      'kb_nonce',
      'kb_audience',
    ])
      expect(codes.has(code), code).to.equal(true);
  });
});
