/**
 * Every metric is documented and charted: README.md's metrics table lists exactly the
 * `anxin_*` families a running gateway exports, with the type it exports them as, and the
 * shipped Grafana dashboard (docs/grafana/anxin.json) is valid JSON whose every query names
 * only metrics the gateway exports — and charts each operational one.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { expect } from 'chai';
import { after, before, describe, it } from 'mocha';
import { TestGateway } from '../../helpers/gateway';

const ROOT = resolve(__dirname, '../../../..');

/** The families of a Prometheus text exposition, by name, with their type. */
function families(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const m of text.matchAll(/^# TYPE (\S+) (\S+)$/gm)) out.set(m[1]!, m[2]!);
  return out;
}

/** The sample names a family is queried by: a histogram's _bucket, _sum and _count too. */
function sampleNames(fams: Map<string, string>): Set<string> {
  const names = new Set<string>();
  for (const [name, type] of fams) {
    names.add(name);
    if (type === 'histogram' || type === 'summary') for (const s of ['_bucket', '_sum', '_count']) names.add(name + s);
  }
  return names;
}

/** Every PromQL expression of a dashboard: panel targets, nested rows, template queries. */
function expressions(dashboard: { panels?: unknown[]; templating?: { list?: unknown[] } }): string[] {
  const out: string[] = [];
  const walk = (panels: unknown[] = []) => {
    for (const p of panels as Array<{ targets?: Array<{ expr?: string }>; panels?: unknown[] }>) {
      for (const t of p.targets ?? []) if (t.expr) out.push(t.expr);
      walk(p.panels);
    }
  };
  walk(dashboard.panels);
  for (const v of (dashboard.templating?.list ?? []) as Array<{ query?: unknown; definition?: string }>) {
    const q = typeof v.query === 'string' ? v.query : (v.query as { query?: string } | undefined)?.query;
    if (q && v.definition !== undefined) out.push(q);
  }
  return out;
}

describe('e2e: every metric is in the README and the dashboard names only real ones', function () {
  this.timeout(60_000);
  let gw: TestGateway;
  let exported: Map<string, string>;

  before(async () => {
    gw = await TestGateway.start();
    const issuer = await gw.registerIssuer();
    await gw.issue(issuer.apiKey, 'HealthCertificate');
    const r = await gw.api('GET', '/metrics');
    expect(r.status).to.equal(200);
    exported = new Map([...families(r.text)].filter(([name]) => name.startsWith('anxin_')));
  });
  after(async () => gw?.stop());

  it('README.md documents exactly the anxin_* metrics exported, each with its type', () => {
    const readme = readFileSync(resolve(ROOT, 'README.md'), 'utf8');
    const rows = [...readme.matchAll(/^\| `(anxin_[a-z0-9_]+)` \| (\w+) \|/gm)].map((m) => [m[1]!, m[2]!] as const);
    const documented = new Map(rows);
    expect(rows.length, 'no metric listed twice').to.equal(documented.size);
    expect([...documented.keys()].sort()).to.deep.equal([...exported.keys()].sort());
    for (const [name, type] of exported) expect(documented.get(name), name).to.equal(type);
  });

  it('docs/grafana/anxin.json is a dashboard whose every query names exported metrics', () => {
    const dashboard = JSON.parse(readFileSync(resolve(ROOT, 'docs/grafana/anxin.json'), 'utf8')) as {
      title: string;
      uid: string;
      panels: unknown[];
      templating: { list: unknown[] };
    };
    expect(dashboard.title).to.be.a('string');
    expect(dashboard.uid).to.be.a('string');
    const exprs = expressions(dashboard);
    expect(exprs.length).to.be.at.least(10);
    const known = sampleNames(exported);
    const named = new Set<string>();
    for (const e of exprs) {
      const names = e.match(/\banxin_[a-z0-9_]+/g) ?? [];
      expect(names.length, `a query names no metric: ${e}`).to.be.above(0);
      for (const n of names) {
        expect(known.has(n), `${n} (in ${e}) is not exported`).to.equal(true);
        named.add(exported.has(n) ? n : n.replace(/_(bucket|sum|count)$/, ''));
      }
    }
    // What an operator watches: each charted.
    for (const family of [
      'anxin_projection_lag_blocks',
      'anxin_projection_lag_seconds',
      'anxin_projection_stalled',
      'anxin_projection_stopped',
      'anxin_webhook_outbox',
      'anxin_webhook_delivery_failures_total',
      'anxin_ledger_commit_duration_seconds',
      'anxin_store_errors_total',
      'anxin_verify_thread_restarts_total',
      'anxin_idempotency_takeovers_total',
    ]) {
      expect(named.has(family), `${family} is charted`).to.equal(true);
    }
  });
});
