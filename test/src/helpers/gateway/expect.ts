/**
 * What the tests expect of answers: reports (verified, or failed by a check with a code)
 * and problem documents (a status, a code, RFC 9457's members).
 */
import { expect } from 'chai';
import type { Format } from './examples';
import type { ApiResponse, Loose } from './http';

export interface Report {
  verified: boolean;
  checks: Record<string, 'pass' | 'fail' | 'skipped'>;
  reasons: Array<{ check: string; code: string; detail: string; field?: string }>;
  credential?: {
    id?: string;
    type?: string;
    format: Format;
    issuer?: {
      id: string;
      name?: string;
      onBehalfOf?: {
        member: string;
        disclosed: boolean;
        name?: string;
        uscc?: string;
        registeredAs?: Array<{ id: string; name: string; kind: string; status: string }>;
      };
    };
    validFrom?: string;
    validUntil?: string;
    disclosed: Record<string, Loose>;
  };
  anchor?: {
    txId: string;
    block: number | null;
    anchoredAt: string;
    status: string;
    statusReason?: string;
    updatedAt: string;
  };
  authority?: {
    judgedAt: string;
    basis: 'anchoredAt' | 'checkedAt';
    rule: string;
    typeRule?: string;
    namedIssuer?: { field: string; outcome: string };
    issuer: { status: string; suspendedAt?: string; revokedSince?: string };
  };
  presentation?: { binding: 'challenge' | 'static' };
  checkedAt: string;
}

/** Every check, in DESIGN.md's order. */
export const CHECK_ORDER = [
  'format',
  'signature',
  'issuerTrusted',
  'issuerAuthorizedForType',
  'keyValidAtIssue',
  'anchored',
  'digestMatches',
  'status',
  'notExpired',
  'notBefore',
  'schema',
  'holderBinding',
] as const;

/** A report in which every check passed (holder binding may be skipped), as the lifecycle expects. */
export function expectVerified(r: Report, holderBinding: 'pass' | 'skipped' = 'skipped'): void {
  const failed = r.reasons.map((x) => `${x.check}:${x.code}`);
  expect(failed, 'reasons').to.deep.equal([]);
  expect(r.verified).to.equal(true);
  for (const c of CHECK_ORDER) expect(r.checks[c], c).to.equal(c === 'holderBinding' ? holderBinding : 'pass');
}

/** A report that failed `check` with `code` (and so is not verified). */
export function expectFailed(r: Report, check: string, code: string): void {
  expect(r.verified, 'verified').to.equal(false);
  expect(r.checks[check], `checks.${check}`).to.equal('fail');
  expect(r.reasons.map((x) => `${x.check}:${x.code}`)).to.include(`${check}:${code}`);
}

/** A problem+json answer with the given status and code, with RFC 9457's members. */
export function expectProblem(res: ApiResponse, status: number, code: string): void {
  expect(res.status, `status (body: ${res.text.slice(0, 300)})`).to.equal(status);
  expectProblemShape(res);
  expect(res.body.code).to.equal(code);
}

export function expectProblemShape(res: ApiResponse): void {
  expect(res.contentType, 'content-type').to.match(/^application\/problem\+json/);
  expect(res.body).to.be.an('object');
  expect(res.body.type, 'type').to.be.a('string').and.not.equal('');
  expect(res.body.title, 'title').to.be.a('string').and.not.equal('');
  expect(res.body.status, 'status member').to.equal(res.status);
  expect(res.body.code, 'code').to.be.a('string').and.not.equal('');
}
