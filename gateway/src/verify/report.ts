/**
 * A verification report: every check with its outcome, the reasons for each failure
 * (stable codes), what the credential says, and how the issuer's authority was judged.
 * Never a bare boolean.
 */
import type { IssuerKind, IssuerStatus } from '@anxin/schemas';

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
  issuerTrusted: ['unknown_issuer', 'issuer_mismatch', 'issuer_suspended', 'issuer_revoked', 'trust_list_expired'],
  issuerAuthorizedForType: ['type_not_allowed', 'type_not_for_kind', 'subject_issuer_mismatch'],
  keyValidAtIssue: ['key_not_yet_valid', 'key_retired', 'key_compromised'],
  anchored: ['not_anchored'],
  digestMatches: ['digest_mismatch', 'anchor_mismatch', 'validity_mismatch'],
  status: [
    'revoked',
    'suspended',
    'no_status_list',
    'status_list_unavailable',
    'status_list_invalid',
    'status_list_expired',
  ],
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
 * Which rule decided whether the issuer was in good standing. Authority is judged when the
 * ledger anchored the credential (an anchor exists only if the issuer was active and allowed
 * the type then), or, without a matching anchor, now.
 */
export const AUTHORITY_RULES = [
  /** Active now (and so when it anchored). */
  'issuer_active',
  /** Suspended now; it anchored this while in good standing: suspension stops only new issuance. */
  'anchored_before_suspension',
  /** Revoked since an instant; it anchored this before that instant. */
  'anchored_before_revocation',
  /** Revoked since an instant; it anchored this at or after it. Fails. */
  'anchored_after_revocation',
  /** Suspended, and no matching anchor shows it issued this before. Fails. */
  'issuer_suspended',
  /** Revoked, and no matching anchor shows it issued this before the revocation. Fails. */
  'issuer_revoked',
] as const;
export type AuthorityRule = (typeof AUTHORITY_RULES)[number];

/** Which rule decided whether the issuer may issue the type. */
export const TYPE_RULES = [
  /** The issuer may issue the type now. */
  'allowed',
  /** No longer allowed, but the ledger anchored it while it was: narrowing is not retroactive. */
  'allowed_when_anchored',
  /** Not allowed, and no matching anchor shows it was. Fails. */
  'not_allowed',
  /** The issuer's kind may never issue the type. Fails. */
  'not_for_kind',
] as const;
export type TypeRule = (typeof TYPE_RULES)[number];

/** Whether the subject names its issuer (the health authority's, certifying body's, employer's or platform's USCC). */
export const NAMED_ISSUER_OUTCOMES = ['matches', 'mismatch', 'missing', 'undisclosed'] as const;
export type NamedIssuerOutcome = (typeof NAMED_ISSUER_OUTCOMES)[number];

/** How the issuer's authority was judged: when, by which rule, from which registry state. */
export interface AuthorityJudgement {
  /** The instant judged at: when the ledger anchored the credential, or the check itself without a matching anchor. */
  judgedAt: string;
  basis: 'anchoredAt' | 'checkedAt';
  rule: AuthorityRule;
  /** Absent when the issuer's standing already failed. */
  typeRule?: TypeRule;
  /** The subject member naming the issuer and what was found there; absent when the type rule failed. */
  namedIssuer?: { field: string; outcome: NamedIssuerOutcome };
  /** The issuer as the registry has it now. */
  issuer: { status: IssuerStatus; suspendedAt?: string; revokedSince?: string };
}

/**
 * The organisation an issuer issued the credential on behalf of — the employer of a contract
 * a platform issued — as the subject writes it, and the registered issuers with its USCC.
 */
export interface OnBehalfOf {
  /** The subject member naming it (`employer`). */
  member: string;
  /** False when the holder did not disclose it (SD-JWT): nothing more is known. */
  disclosed: boolean;
  name?: string;
  uscc?: string;
  /** Registered issuers with that USCC (empty: none); absent when there was no USCC or no registry to ask. */
  registeredAs?: Array<{ id: string; name: string; kind: IssuerKind; status: IssuerStatus }>;
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
    issuer?: { id: string; name?: string; onBehalfOf?: OnBehalfOf };
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
    /** The renewal chain on the ledger: the credential this one renews, and the one renewing it. */
    replaces?: string;
    replacedBy?: string;
    updatedAt: string;
  };
  /** How the issuer's authority was judged; absent when the signature did not lead to a registered issuer. */
  authority?: AuthorityJudgement;
  /** For a credential bound to a key: how its holder's key-binding JWT was judged. */
  presentation?: { binding: BindingMode };
  /**
   * When the status was read from the issuer's status lists rather than the ledger: what they
   * say, as of when (the earliest list's signing time), and until when they may be leaned on
   * (the earliest `exp`). Present too when a list is past its `exp` (status fails
   * `status_list_expired`): it says what the lists said then.
   */
  statusList?: StatusListReport;
  checkedAt: string;
}

/** The status as the issuer's status lists say it. */
export interface StatusListReport {
  status: 'active' | 'revoked' | 'suspended';
  /** RFC 3339: the status is as of this instant (the list's `iat`, or its `validFrom`). */
  asOf: string;
  /** RFC 3339: the earliest `exp` of the lists read; absent when none has one. */
  exp?: string;
  lists: string[];
}

const ALL_SKIPPED = Object.fromEntries(CHECKS.map((c) => [c, 'skipped'])) as Record<CheckName, Outcome>;

/** Collects outcomes in order; a check whose prerequisites failed is skipped. */
export class ReportBuilder {
  private readonly checks: Record<CheckName, Outcome> = { ...ALL_SKIPPED };
  private readonly reasons: Reason[] = [];
  /** Set when the status was judged from signed status lists, without a ledger to ask. */
  private withoutLedger = false;

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

  /**
   * The status was judged from the issuer's signed status lists, with no ledger asked: the
   * ledger's checks (anchored, digestMatches) stay skipped and do not hold the answer back.
   */
  statusFromLists(): void {
    this.withoutLedger = true;
  }

  ok(...checks: CheckName[]): boolean {
    return checks.every((c) => this.checks[c] === 'pass');
  }

  build(
    extra: Pick<VerificationReport, 'credential' | 'anchor' | 'authority' | 'presentation' | 'statusList'>,
    now: Date,
  ): VerificationReport {
    // Every check must pass; holder binding may be skipped only when there is nothing to bind
    // (no cnf): the decision itself fails a bound credential without a valid key-binding JWT.
    const verified = CHECKS.every((c) =>
      c === 'holderBinding' || (this.withoutLedger && (c === 'anchored' || c === 'digestMatches'))
        ? this.checks[c] !== 'fail'
        : this.checks[c] === 'pass',
    );
    return {
      verified,
      checks: { ...this.checks },
      reasons: this.reasons,
      ...(extra.credential ? { credential: extra.credential } : {}),
      ...(extra.anchor ? { anchor: extra.anchor } : {}),
      ...(extra.authority ? { authority: extra.authority } : {}),
      ...(extra.presentation ? { presentation: extra.presentation } : {}),
      ...(extra.statusList ? { statusList: extra.statusList } : {}),
      checkedAt: now.toISOString(),
    };
  }
}
