/**
 * A verification report: every check with its outcome, the reasons for each failure
 * (stable codes), and what the credential says. Never a bare boolean.
 */
export const CHECKS = [
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
export type CheckName = (typeof CHECKS)[number];
export type Outcome = 'pass' | 'fail' | 'skipped';

/** Reason codes, by check. Stable: never renamed once published. */
export const REASON_CODES = {
  format: [
    'empty',
    'too_large',
    'unrecognised',
    'bad_header',
    'unsupported_typ',
    'bad_payload',
    'bad_disclosure',
    'holder_commitment_disclosed',
  ],
  signature: ['alg_not_allowed', 'bad_kid', 'unknown_key', 'alg_mismatch', 'bad_signature'],
  issuerTrusted: ['unknown_issuer', 'issuer_mismatch', 'issuer_suspended', 'issuer_revoked'],
  issuerAuthorizedForType: ['type_not_allowed'],
  keyValidAtIssue: ['key_not_yet_valid', 'key_retired', 'key_compromised'],
  anchored: ['not_anchored'],
  digestMatches: ['digest_mismatch', 'anchor_mismatch'],
  status: ['revoked', 'suspended'],
  notExpired: ['expired'],
  notBefore: ['not_yet_valid'],
  schema: ['schema_invalid'],
  holderBinding: ['kb_missing', 'kb_invalid', 'kb_stale', 'kb_nonce', 'kb_audience'],
} as const satisfies Record<CheckName, readonly string[]>;

export type ReasonCode<C extends CheckName = CheckName> = (typeof REASON_CODES)[C][number];

export interface Reason {
  check: CheckName;
  code: string;
  detail: string;
  /** For schema failures: the JSON Pointer of the failing member. */
  field?: string;
}

/**
 * How a credential bound to a key (cnf) was presented: `challenge` — its key-binding JWT
 * answered a one-time challenge this verifier obtained from the gateway (nonce and aud, used
 * once); `static` — no challenge, only a fresh key-binding JWT (iat within KB_MAX_AGE_S: the
 * offline QR code). Absent for credentials not bound to a key.
 */
export type BindingMode = 'challenge' | 'static';

export interface VerificationReport {
  verified: boolean;
  checks: Record<CheckName, Outcome>;
  reasons: Reason[];
  credential?: {
    id?: string;
    type?: string;
    format: 'vc+jwt' | 'dc+sd-jwt';
    issuer?: { id: string; name?: string };
    validFrom?: string;
    validUntil?: string;
    /** What the verifier may see: for SD-JWT only what the holder disclosed; an ID number is masked. */
    disclosed: Record<string, unknown>;
  };
  anchor?: {
    txId: string;
    block: number;
    anchoredAt: string;
    status: string;
    statusReason?: string;
    updatedAt: string;
  };
  /** For a credential bound to a key: how its holder's key-binding JWT was judged. */
  presentation?: { binding: BindingMode };
  checkedAt: string;
}

const ALL_SKIPPED = Object.fromEntries(CHECKS.map((c) => [c, 'skipped'])) as Record<CheckName, Outcome>;

/** Collects outcomes in order; a check whose prerequisites failed is skipped. */
export class ReportBuilder {
  private readonly checks: Record<CheckName, Outcome> = { ...ALL_SKIPPED };
  private readonly reasons: Reason[] = [];

  pass(check: CheckName): void {
    this.checks[check] = 'pass';
  }

  fail<C extends CheckName>(check: C, code: ReasonCode<C>, detail: string, field?: string): void {
    this.checks[check] = 'fail';
    this.reasons.push({ check, code, detail, ...(field !== undefined ? { field } : {}) });
  }

  skip(check: CheckName, why?: string): void {
    this.checks[check] = 'skipped';
    void why;
  }

  ok(...checks: CheckName[]): boolean {
    return checks.every((c) => this.checks[c] === 'pass');
  }

  build(extra: Pick<VerificationReport, 'credential' | 'anchor' | 'presentation'>, now: Date): VerificationReport {
    // Every check must pass; holder binding may be skipped only when there is nothing to bind
    // (no cnf): the decision itself fails a bound credential without a valid key-binding JWT.
    const verified = CHECKS.every((c) =>
      c === 'holderBinding' ? this.checks[c] !== 'fail' : this.checks[c] === 'pass',
    );
    return {
      verified,
      checks: { ...this.checks },
      reasons: this.reasons,
      ...(extra.credential ? { credential: extra.credential } : {}),
      ...(extra.anchor ? { anchor: extra.anchor } : {}),
      ...(extra.presentation ? { presentation: extra.presentation } : {}),
      checkedAt: now.toISOString(),
    };
  }
}
