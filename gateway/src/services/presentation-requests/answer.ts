/**
 * The wallet's answer to a presentation request (OpenID4VP 1.0 §8.2, direct_post), judged:
 * a vp_token keyed by credential query id, one presentation each; the request's nonce used
 * once, atomically, for all of them; each presentation verified as POST /v1/verify would for
 * the request's verifier (its key-binding JWT must answer the nonce and the Client
 * Identifier); then whether it answers its query — the right type, bound to the holder's
 * key, every asked claim disclosed. The verifier keeps only the asked claims.
 */
import type { VerificationReport } from '../../verify';
import type { AnsweredCredential, PresentationOutcome, PresentationRequestRecord } from './requests';
import { typeOfVct } from './presets';

/** An answer refused as malformed or out of turn: OpenID4VP's `invalid_request`, nothing recorded. */
export class InvalidAnswer extends Error {
  readonly error = 'invalid_request';
}

/** The presentations of a vp_token, by credential query id, checked against the query's shape. */
export function presentationsOf(r: PresentationRequestRecord, vpToken: string): Record<string, string> {
  let token: unknown;
  try {
    token = JSON.parse(vpToken);
  } catch {
    throw new InvalidAnswer('vp_token is not JSON');
  }
  if (!token || typeof token !== 'object' || Array.isArray(token))
    throw new InvalidAnswer('vp_token is a JSON object keyed by credential query id');
  const ids = new Set(r.dcql.credentials.map((c) => c.id));
  const out: Record<string, string> = {};
  for (const [id, value] of Object.entries(token as Record<string, unknown>)) {
    if (!ids.has(id)) throw new InvalidAnswer(`vp_token names ${id}, which the query does not ask for`);
    // `multiple` is never asked for: exactly one presentation per credential query.
    if (!Array.isArray(value) || value.length !== 1 || typeof value[0] !== 'string' || !value[0])
      throw new InvalidAnswer(`vp_token.${id} must be an array of exactly one presentation`);
    out[id] = value[0];
  }
  return out;
}

/** The claims of a report's disclosure a path names (`[group, member]` or `[group]`), or undefined. */
function at(disclosed: Record<string, unknown>, path: readonly string[]): unknown {
  let v: unknown = disclosed;
  for (const p of path)
    v = v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>)[p] : undefined;
  return v;
}

/** Only what was asked, of what was disclosed: the verifier keeps no more than the job needs. */
function onlyAsked(disclosed: Record<string, unknown>, paths: readonly (readonly string[])[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const path of paths) {
    const v = at(disclosed, path);
    if (v === undefined) continue;
    if (path.length === 1) out[path[0]!] = v;
    else ((out[path[0]!] ??= {}) as Record<string, unknown>)[path[1]!] = v;
  }
  return out;
}

/**
 * Judge the presentations: verify each (`verify` uses the verifier's pipeline with the
 * already-used nonce), then check it answers its credential query.
 *
 * @example
 * const outcome = await judgeAnswer(record, presentations, used, (c) => run(c, record.verifier, {}, used), publicUrl, now);
 * // outcome.verified; outcome.credentials.health.missing: [] or ['healthCertificate.categories']
 */
export async function judgeAnswer(
  r: PresentationRequestRecord,
  presentations: Record<string, string>,
  verify: (credential: string) => Promise<VerificationReport>,
  publicUrl: string,
  now: Date,
): Promise<PresentationOutcome> {
  const credentials: Record<string, AnsweredCredential> = {};
  let error: PresentationOutcome['error'];
  for (const q of r.dcql.credentials) {
    const presented = presentations[q.id];
    if (presented === undefined) {
      error ??= { code: 'credential_missing', detail: `no presentation for ${q.id}` };
      continue;
    }
    const report = await verify(presented);
    const paths = q.claims.map((c) => c.path);
    const disclosed = report.credential?.disclosed ?? {};
    const missing = paths.filter((p) => at(disclosed, p) === undefined).map((p) => p.join('.'));
    const problems: string[] = [];
    const asked = new Set(q.meta.vct_values.map((v) => typeOfVct(publicUrl, v)));
    if (report.credential?.type === undefined || !asked.has(report.credential.type as never))
      problems.push('wrong_type');
    // Cryptographic holder binding is required (DCQL's default): a copy without the
    // holder's key, or an unbound credential, answers nothing.
    if (report.checks.holderBinding !== 'pass') problems.push('holder_binding_required');
    if (report.credential) report.credential.disclosed = onlyAsked(disclosed, paths);
    credentials[q.id] = { report, missing, ...(problems.length ? { problems } : {}) };
  }
  const verified =
    !error &&
    Object.values(credentials).every((c) => c.report.verified && c.missing.length === 0 && !c.problems?.length);
  return { verified, answeredAt: now.toISOString(), credentials, ...(error ? { error } : {}) };
}
