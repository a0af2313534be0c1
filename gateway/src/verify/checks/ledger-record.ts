/**
 * The ledger's record of this credential, looked up once for the checks after it. Only an
 * anchor of exactly this credential (same digest, issuer, type and key) — the proof —
 * shows when, and under what authority, it was issued.
 */
import { sha256Hex } from '../bytes';
import type { Fragment } from '../context';

export const ledgerRecord: Fragment = async (c) => {
  const anchor = await c.deps.anchor(c.facts.id!);
  const digest = sha256Hex(c.signed, c.sha256);
  c.anchor = anchor;
  c.digest = digest;
  c.proof =
    anchor &&
    anchor.digest === digest &&
    anchor.issuer === c.issuer.id &&
    anchor.type === c.facts.type &&
    anchor.kid === c.kid
      ? anchor
      : undefined;
};
