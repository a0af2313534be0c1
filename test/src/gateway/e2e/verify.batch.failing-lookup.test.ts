/**
 * POST /v1/verify/batch when a look-up fails for one credential: that credential gets an
 * error entry — a problem with a stable code — in place of its report, every other one its
 * report, in order, and the summary counts the error. The failures are real ones of the
 * real adapters: the SQLite store's anchors table made unreadable for one id (a generated
 * column whose expression fails for that row only), and the embedded ledger closed under a
 * credential the store has not projected.
 */
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { expect } from 'chai';
import { after, before, describe, it } from 'mocha';
import { ajv } from '@anxin/schemas';
import {
  TestGateway,
  expectFailed,
  expectProblem,
  expectProblemShape,
  expectVerified,
  type ApiResponse,
  type Issued,
  type Report,
} from '../../helpers/gateway';

interface ErrorEntry {
  error: { type: string; title: string; status: number; code: string; detail?: string };
}

/** Run `sql` on the gateway's store file, beside the gateway's own connection. */
function onStore(gw: TestGateway, sql: string, ...params: string[]): void {
  const db = new Database(join(gw.dataDir, 'store.sqlite'));
  try {
    db.prepare(sql).run(...params);
  } finally {
    db.close();
  }
}

/** The answer checks against VerifyBatchResponse of /openapi.json (with the components it refers to). */
async function expectDocumentedBatchAnswer(gw: TestGateway, answer: unknown): Promise<void> {
  const doc = (await gw.api('GET', '/openapi.json')).body;
  expect(doc.paths['/v1/verify/batch'].post.responses['200'].content['application/json'].schema).to.deep.equal({
    $ref: '#/components/schemas/VerifyBatchResponse',
  });
  const { VerifyBatchResponse, VerificationReport, Problem } = doc.components.schemas;
  // Strict ajv knows no `components`: the same schemas as $defs, the references moved with them.
  const defs = JSON.parse(
    JSON.stringify({ VerifyBatchResponse, VerificationReport, Problem }).replaceAll(
      '#/components/schemas/',
      '#/$defs/',
    ),
  ) as Record<string, object>;
  const check = ajv().compile({ $ref: '#/$defs/VerifyBatchResponse', $defs: defs });
  expect(check(answer), JSON.stringify(check.errors)).to.equal(true);
}

/** An error entry: the item's problem, with RFC 9457's members and no report's. */
function expectErrorEntry(item: unknown, status: number, code: string): void {
  const e = item as ErrorEntry & Partial<Report>;
  expect(e, JSON.stringify(item)).to.have.property('error');
  expect(e.verified).to.equal(undefined);
  expectProblemShape({ status, contentType: 'application/problem+json', body: e.error } as ApiResponse);
  expect(e.error.code).to.equal(code);
  expect(e.error.type).to.equal(`https://anxin.dev/problems/${code}`);
}

describe('e2e: a batch verification with one failing look-up', function () {
  describe('the store cannot read one credential’s anchor (verification threads on)', () => {
    let gw: TestGateway;
    let verifier: string;
    let a: Issued;
    let b: Issued;
    let c: Issued;

    before(async () => {
      gw = await TestGateway.start({ env: { ANXIN_VERIFY_THREADS: '1' } });
      verifier = await gw.verifierKey();
      const cdc = await gw.registerIssuer({ allowedTypes: ['HealthCertificate'] });
      [a, b, c] = [
        await gw.issue(cdc.apiKey, 'HealthCertificate'),
        await gw.issue(cdc.apiKey, 'HealthCertificate'),
        await gw.issue(cdc.apiKey, 'HealthCertificate'),
      ];
      onStore(
        gw,
        `ALTER TABLE anchors ADD COLUMN unreadable GENERATED ALWAYS AS (CASE WHEN id = '${b.id}' THEN json(id) END) VIRTUAL`,
      );
    });
    after(async () => gw?.stop());

    it('alone, that credential is a 500 internal problem; the others verify', async () => {
      expectProblem(
        await gw.api('POST', '/v1/verify', { key: verifier, body: { credential: b.credential } }),
        500,
        'internal',
      );
      expectVerified(await gw.verify(verifier, a.credential));
    });

    it('in a batch: an internal error entry in its place, reports for the rest, the summary counts it', async () => {
      const res = await gw.api('POST', '/v1/verify/batch', {
        key: verifier,
        body: { credentials: [a.credential, b.credential, 'garbage', c.credential] },
      });
      expect(res.status, res.text.slice(0, 500)).to.equal(200);
      expect(res.body.summary).to.deep.equal({ total: 4, verified: 2, failed: 1, errors: 1 });
      const results = res.body.results as unknown[];
      expect(results).to.have.length(4);
      expectVerified(results[0] as Report);
      expectErrorEntry(results[1], 500, 'internal');
      // An unexpected failure is logged, never shown: the SQLite message stays out of the answer.
      expect(JSON.stringify(results[1])).not.to.match(/JSON|sqlite/i);
      expectFailed(results[2] as Report, 'format', 'unrecognised');
      expectVerified(results[3] as Report);
      expect((results[3] as Report).credential!.id).to.equal(c.id);
      await expectDocumentedBatchAnswer(gw, res.body);
    });
  });

  describe('the ledger is unavailable for a credential the store has not projected (verified inline)', () => {
    let gw: TestGateway;
    let verifier: string;
    let a: Issued;
    let b: Issued;

    before(async () => {
      gw = await TestGateway.start({ env: { ANXIN_VERIFY_THREADS: '0' } });
      verifier = await gw.verifierKey();
      const cdc = await gw.registerIssuer({ allowedTypes: ['HealthCertificate'] });
      a = await gw.issue(cdc.apiKey, 'HealthCertificate');
      b = await gw.issue(cdc.apiKey, 'HealthCertificate');
      // Not projected: verification asks the ledger, which is closed.
      onStore(gw, 'DELETE FROM anchors WHERE id = ?', b.id);
      await gw.services.ledger.close();
    });
    after(async () => gw?.stop());

    it('a ledger_unavailable error entry (503) in its place; the projected one still verifies', async () => {
      const res = await gw.api('POST', '/v1/verify/batch', {
        key: verifier,
        body: { credentials: [b.credential, a.credential] },
      });
      expect(res.status, res.text.slice(0, 500)).to.equal(200);
      expect(res.body.summary).to.deep.equal({ total: 2, verified: 1, failed: 0, errors: 1 });
      expectErrorEntry(res.body.results[0], 503, 'ledger_unavailable');
      expectVerified(res.body.results[1] as Report);
    });
  });
});
