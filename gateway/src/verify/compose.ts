/**
 * Verifying a credential: each check of the report, in its order, as a fragment over one
 * shared context (context.ts). Each passes, fails with a stable reason, or is skipped
 * because something it depends on failed; the first three may end the verification, since
 * nothing is judged of what is not known to be signed.
 *
 * Issuer keys are judged as they stood when the credential was anchored — the ledger's
 * time, not the credential's own claim — so a retired key still verifies what it signed
 * before retirement, and a key compromised since T fails what it signed after. The
 * issuer's authority is judged the same way: an anchor exists only if the issuer was
 * active and allowed the type when it was anchored, so a later suspension or narrowing
 * does not undo it; only a revocation since an instant fails what was anchored from then on.
 */
import { anchored } from './checks/anchored';
import { digest } from './checks/digest';
import { format } from './checks/format';
import { holderBinding } from './checks/holder-binding';
import { issuer } from './checks/issuer';
import { issuerType } from './checks/issuer-type';
import { keyWindow } from './checks/key-window';
import { ledgerRecord } from './checks/ledger-record';
import { payload } from './checks/payload';
import { schema } from './checks/schema';
import { signature } from './checks/signature';
import { status } from './checks/status';
import { validity } from './checks/validity';
import { STOP, startContext, type Context, type Fragment } from './context';
import type { VerifyDeps, VerifyOptions } from './deps';
import { credentialOf } from './facts';
import { ReportBuilder, type VerificationReport } from './report';

/** The verification, in the report's order. */
export const FRAGMENTS: readonly Fragment[] = [
  format, // format: what was presented is a credential
  signature, // signature: by a registered key, with an allowed algorithm
  payload, // format: its disclosures and its contents
  ledgerRecord, // (the ledger's record of it, for the checks below)
  issuer, // issuerTrusted
  issuerType, // issuerAuthorizedForType
  keyWindow, // keyValidAtIssue
  anchored, // anchored
  digest, // digestMatches
  status, // status
  validity, // notExpired, notBefore
  schema, // schema
  holderBinding, // holderBinding
];

/** The report of what the fragments found, as far as they got. */
function report(c: Context): VerificationReport {
  const { r, now } = c;
  if (!c.parsed) return r.build({}, now);
  const anchor = c.anchor && r.ok('digestMatches') ? c.anchor : undefined;
  return r.build(
    {
      credential: credentialOf(c.facts, c.parsed.format),
      ...(c.authority ? { authority: c.authority } : {}),
      ...(c.binding ? { presentation: { binding: c.binding } } : {}),
      ...(c.statusList ? { statusList: c.statusList } : {}),
      ...(anchor
        ? {
            anchor: {
              txId: anchor.txId,
              block: anchor.block,
              anchoredAt: anchor.anchoredAt,
              status: anchor.status,
              ...(anchor.statusReason ? { statusReason: anchor.statusReason } : {}),
              ...(anchor.replaces ? { replaces: anchor.replaces } : {}),
              ...(anchor.replacedBy ? { replacedBy: anchor.replacedBy } : {}),
              updatedAt: anchor.updatedAt,
            },
          }
        : {}),
    },
    now,
  );
}

/**
 * Verify one presented credential. Never throws for bad input: the report says why.
 *
 * @example
 * const report = await verifyCredential(text, { issuer, anchor, now: () => new Date() });
 * if (!report.verified) console.log(report.reasons[0].code); // e.g. 'revoked'
 */
export async function verifyCredential(
  input: string,
  deps: VerifyDeps,
  opts: VerifyOptions = {},
): Promise<VerificationReport> {
  const c = startContext(input, deps, opts, new ReportBuilder());
  for (const fragment of FRAGMENTS) {
    const step = fragment(c);
    if ((step instanceof Promise ? await step : step) === STOP) break;
  }
  return report(c);
}
