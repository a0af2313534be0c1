/**
 * Verifying a credential: each check in DESIGN.md's order, each a small step that
 * passes, fails with a stable reason, or is skipped because something it depends on
 * failed. Issuer keys are judged as they stood when the credential was anchored — the
 * ledger's time, not the credential's own claim — so a retired key still verifies what
 * it signed before retirement, and a key compromised since T fails what it signed after.
 * The issuer's authority is judged the same way: an anchor exists only if the issuer was
 * active and allowed the type when it was anchored, so a later suspension or narrowing
 * does not undo it; only a revocation since an instant fails what was anchored from then on.
 */
import { compactVerify, importJWK, type JWK } from 'jose';
import { decodeSdJwtSync, unpackSync, createHashMappingSync } from '@sd-jwt/decode';
import {
  CREDENTIAL_SCHEMA_BY_TYPE,
  CREDENTIAL_TYPES,
  ON_BEHALF_OF_MEMBER,
  SIGNING_ALGS,
  SUBJECT_ISSUER_MEMBER,
  SUBJECT_MEMBER,
  SUBJECT_SCHEMA_BY_TYPE,
  typesOutsideKind,
  validateById,
  ajv,
  type CredentialType,
  type IssuerKeyRecord,
  type IssuerRecord,
} from '@anxin/schemas';
import { sha256Hex } from '../../crypto/holder';
import { publicKeyOf, verifyCompactJws } from './signature';
import type { AnchorProjection } from '../../ports/store';
import { sdHasher, VCT_BASE } from '../credentials/formats';
import { parseCredential, type Parsed } from './parse';
import {
  ReportBuilder,
  type AuthorityJudgement,
  type BindingMode,
  type NamedIssuerOutcome,
  type OnBehalfOf,
  type VerificationReport,
} from './report';

export interface VerifyDeps {
  issuer(id: string): IssuerRecord | undefined;
  anchor(id: string): Promise<AnchorProjection | undefined>;
  now(): Date;
  /** Registered issuers with this USCC, to say whom a platform issued on behalf of; absent: not looked up. */
  issuersByUscc?(uscc: string): IssuerRecord[];
}

/**
 * What a verifier asks of a presentation. Whatever it asks, a credential bound to a key
 * (cnf) verifies only with a valid key-binding JWT; nothing here can weaken that.
 */
export interface VerifyOptions {
  /** Static mode: a nonce of the caller's own that the key-binding JWT must carry. */
  nonce?: string;
  /** Static mode: the `aud` the key-binding JWT must carry. */
  audience?: string;
  /**
   * Challenge mode: the gateway challenge the request named, as using it came out (it is
   * used — once, atomically — before the verification, where the store is).
   */
  challenge?: ChallengeOutcome;
}

/**
 * The registered issuers with `uscc`, from a registry's issuers: what `VerifyDeps.issuersByUscc`
 * answers for a registry held in memory.
 *
 * @example
 * const deps = { ...others, issuersByUscc: (u) => issuersWithUscc(registry.values(), u) };
 */
export function issuersWithUscc(issuers: Iterable<IssuerRecord>, uscc: string): IssuerRecord[] {
  const out: IssuerRecord[] = [];
  for (const i of issuers) if (i.uscc === uscc) out.push(i);
  return out;
}

/** A verifier challenge after its one use: its nonce and aud, or why it could not be used. */
export type ChallengeOutcome =
  { usable: true; nonce: string; aud: string } | { usable: false; why: 'unknown' | 'expired' | 'used' | 'not_yours' };

const CHALLENGE_REFUSED: Record<Extract<ChallengeOutcome, { usable: false }>['why'], string> = {
  unknown: 'the challenge named by the request is unknown to this gateway',
  expired: 'the challenge named by the request has expired',
  used: 'the challenge named by the request was already used: a presentation answers one check only',
  not_yours: 'the challenge named by the request was given to another verifier',
};

/** How old a key-binding JWT may be: a screenshot of a work card expires. */
export const KB_MAX_AGE_S = 300;
const KB_SKEW_S = 60;

/** Mask an ID number: only its last four characters show. */
export function maskIdNumber(id: unknown): unknown {
  return typeof id === 'string' && id.length > 4 ? `${'*'.repeat(id.length - 4)}${id.slice(-4)}` : id;
}

interface Facts {
  id?: string;
  type?: CredentialType;
  issuerId?: string;
  issuerName?: string;
  validFrom?: string;
  validUntil?: string;
  claimedAt?: string;
  /** The credential's contents as the verifier may see them. */
  disclosed: Record<string, unknown>;
  holder?: Record<string, unknown>;
  /** The signed `cnf` claim as it is: present (whatever its shape) means the credential is bound to a key. */
  cnf?: unknown;
  onBehalfOf?: OnBehalfOf;
}

function iso(seconds: unknown): string | undefined {
  return typeof seconds === 'number' && Number.isFinite(seconds) ? new Date(seconds * 1000).toISOString() : undefined;
}

function typeOf(value: unknown): CredentialType | undefined {
  return (CREDENTIAL_TYPES as readonly unknown[]).includes(value) ? (value as CredentialType) : undefined;
}

function factsOfVc(p: Record<string, unknown>): Facts {
  const types = Array.isArray(p.type) ? p.type : [];
  const issuer = p.issuer && typeof p.issuer === 'object' ? (p.issuer as { id?: unknown; name?: unknown }) : undefined;
  const subject = (p.credentialSubject ?? {}) as Record<string, unknown>;
  const holder = subject.holder as Record<string, unknown> | undefined;
  const disclosed: Record<string, unknown> = { ...subject };
  if (holder) disclosed.holder = { name: holder.name, idNumber: maskIdNumber(holder.idNumber) };
  // Plain assignments: this runs on every verification, and conditional spreads cost here.
  const facts: Facts = { disclosed };
  const type = typeOf(types[1]);
  if (typeof p.id === 'string') facts.id = p.id;
  if (type) facts.type = type;
  if (typeof issuer?.id === 'string') facts.issuerId = issuer.id;
  if (typeof issuer?.name === 'string') facts.issuerName = issuer.name;
  if (typeof p.validFrom === 'string') facts.validFrom = facts.claimedAt = p.validFrom;
  if (typeof p.validUntil === 'string') facts.validUntil = p.validUntil;
  if (holder) facts.holder = holder;
  return facts;
}

function factsOfSdJwt(claims: Record<string, unknown>): Facts {
  const vct =
    typeof claims.vct === 'string' && claims.vct.startsWith(VCT_BASE) ? claims.vct.slice(VCT_BASE.length) : undefined;
  const type = typeOf(vct);
  const holder = claims.holder as Record<string, unknown> | undefined;
  const disclosed: Record<string, unknown> = {};
  if (holder && Object.keys(holder).length) {
    disclosed.holder = Object.fromEntries(
      Object.entries(holder)
        .filter(([k]) => k === 'name' || k === 'idNumber')
        .map(([k, v]) => [k, k === 'idNumber' ? maskIdNumber(v) : v]),
    );
  }
  if (type) {
    const member = SUBJECT_MEMBER[type];
    if (claims[member] && typeof claims[member] === 'object') disclosed[member] = claims[member];
  }
  return {
    ...(typeof claims.jti === 'string' ? { id: claims.jti } : {}),
    ...(type ? { type } : {}),
    ...(typeof claims.iss === 'string' ? { issuerId: claims.iss } : {}),
    ...(typeof claims.issuer_name === 'string' ? { issuerName: claims.issuer_name } : {}),
    ...(iso(claims.nbf) ? { validFrom: iso(claims.nbf)! } : {}),
    ...(iso(claims.exp) ? { validUntil: iso(claims.exp)! } : {}),
    ...(iso(claims.iat) ? { claimedAt: iso(claims.iat)! } : {}),
    disclosed,
    ...(holder ? { holder } : {}),
    ...(claims.cnf !== undefined ? { cnf: claims.cnf } : {}),
  };
}

function keyProblem(
  key: IssuerKeyRecord,
  at: string,
): { code: 'key_not_yet_valid' | 'key_retired' | 'key_compromised'; detail: string } | undefined {
  const t = Date.parse(at);
  if (key.revokedAt && t >= Date.parse(key.revokedAt)) {
    return { code: 'key_compromised', detail: `signed at ${at}; key ${key.kid} is compromised since ${key.revokedAt}` };
  }
  if (t < Date.parse(key.notBefore))
    return { code: 'key_not_yet_valid', detail: `signed at ${at}; key valid from ${key.notBefore}` };
  if (key.retiredAt && t >= Date.parse(key.retiredAt)) {
    return { code: 'key_retired', detail: `signed at ${at}; key ${key.kid} was retired at ${key.retiredAt}` };
  }
  return undefined;
}

/**
 * issuerTrusted: the issuer the credential claims is the one whose key signed it, and it
 * was in good standing when the ledger anchored the credential (without a matching anchor:
 * now). Suspension stops new issuance only; a revocation fails what was anchored from its
 * `revokedSince` on.
 */
function judgeIssuer(
  r: ReportBuilder,
  issuer: IssuerRecord,
  facts: Facts,
  anchoredAt: string | undefined,
  now: Date,
): AuthorityJudgement {
  const judgedAt = anchoredAt ?? now.toISOString();
  const judged = (rule: AuthorityJudgement['rule']): AuthorityJudgement => ({
    judgedAt,
    basis: anchoredAt ? 'anchoredAt' : 'checkedAt',
    rule,
    issuer: {
      status: issuer.status,
      ...(issuer.suspendedAt ? { suspendedAt: issuer.suspendedAt } : {}),
      ...(issuer.revokedSince ? { revokedSince: issuer.revokedSince } : {}),
    },
  });
  if (facts.issuerId !== issuer.id) {
    r.fail('issuerTrusted', 'issuer_mismatch', `signed by ${issuer.id}'s key but claims issuer ${facts.issuerId}`);
    return judged(issuer.status === 'active' ? 'issuer_active' : `issuer_${issuer.status}`);
  }
  switch (issuer.status) {
    case 'active':
      r.pass('issuerTrusted');
      return judged('issuer_active');
    case 'suspended':
      if (anchoredAt) {
        r.pass('issuerTrusted');
        return judged('anchored_before_suspension');
      }
      r.fail(
        'issuerTrusted',
        'issuer_suspended',
        `issuer ${issuer.id} is suspended${issuer.suspendedAt ? ` since ${issuer.suspendedAt}` : ''}, and no anchor shows it issued this before (rule issuer_suspended)`,
      );
      return judged('issuer_suspended');
    case 'revoked': {
      const since = issuer.revokedSince;
      if (anchoredAt && since && Date.parse(anchoredAt) < Date.parse(since)) {
        r.pass('issuerTrusted');
        return judged('anchored_before_revocation');
      }
      const rule = anchoredAt ? 'anchored_after_revocation' : 'issuer_revoked';
      r.fail(
        'issuerTrusted',
        'issuer_revoked',
        anchoredAt
          ? `issuer ${issuer.id} is revoked since ${since ?? 'its registration'}; this was anchored at ${anchoredAt} (rule ${rule})`
          : `issuer ${issuer.id} is revoked${since ? ` since ${since}` : ''}, and no anchor shows it issued this before (rule ${rule})`,
      );
      return judged(rule);
    }
  }
}

/**
 * issuerAuthorizedForType: the issuer's kind may issue the type; the issuer may now, or the
 * ledger anchored it while it could; and the subject names the issuer by its registered USCC.
 * An SD-JWT holder may withhold the member that names it: the report says so instead of failing.
 */
function judgeType(
  r: ReportBuilder,
  issuer: IssuerRecord,
  type: CredentialType,
  facts: Facts,
  format: 'vc+jwt' | 'dc+sd-jwt',
  anchored: boolean,
  authority: AuthorityJudgement,
): void {
  if (typesOutsideKind(issuer.kind, [type]).length) {
    authority.typeRule = 'not_for_kind';
    return r.fail(
      'issuerAuthorizedForType',
      'type_not_for_kind',
      `an issuer of kind ${issuer.kind} may never issue ${type}`,
    );
  }
  if (issuer.allowedTypes.includes(type)) authority.typeRule = 'allowed';
  else if (anchored) authority.typeRule = 'allowed_when_anchored';
  else {
    authority.typeRule = 'not_allowed';
    return r.fail(
      'issuerAuthorizedForType',
      'type_not_allowed',
      `issuer ${issuer.id} may not issue ${type}, and no anchor shows it could when this was issued (rule not_allowed)`,
    );
  }
  const member = SUBJECT_ISSUER_MEMBER[type][issuer.kind]!;
  const subject = facts.disclosed[SUBJECT_MEMBER[type]] as Record<string, unknown> | undefined;
  const field = `/${SUBJECT_MEMBER[type]}/${member}/uscc`;
  let outcome: NamedIssuerOutcome;
  if (format === 'dc+sd-jwt' && !(subject && member in subject)) outcome = 'undisclosed';
  else {
    const uscc = (subject?.[member] as { uscc?: unknown } | undefined)?.uscc;
    outcome = uscc === undefined ? 'missing' : uscc === issuer.uscc ? 'matches' : 'mismatch';
  }
  authority.namedIssuer = { field, outcome };
  if (outcome === 'missing' || outcome === 'mismatch') {
    return r.fail(
      'issuerAuthorizedForType',
      'subject_issuer_mismatch',
      outcome === 'missing'
        ? `the subject does not name its issuer: ${member}.uscc is absent (${issuer.id} is ${issuer.uscc})`
        : `the subject's ${member}.uscc is not the USCC of its issuer ${issuer.id} (${issuer.uscc})`,
      field,
    );
  }
  r.pass('issuerAuthorizedForType');
}

/** Whom a platform issued a labor contract on behalf of: the employer as written, and whether it is registered. */
function onBehalfOfIssuer(
  issuer: IssuerRecord,
  facts: Facts,
  format: 'vc+jwt' | 'dc+sd-jwt',
  deps: VerifyDeps,
): OnBehalfOf | undefined {
  if (!facts.type || facts.issuerId !== issuer.id) return undefined;
  const member = ON_BEHALF_OF_MEMBER[facts.type][issuer.kind];
  if (!member) return undefined;
  const subject = facts.disclosed[SUBJECT_MEMBER[facts.type]] as Record<string, unknown> | undefined;
  const org = subject?.[member] as { name?: unknown; uscc?: unknown } | undefined;
  if (!org) return { member, disclosed: format === 'vc+jwt' };
  const uscc = typeof org.uscc === 'string' ? org.uscc : undefined;
  return {
    member,
    disclosed: true,
    ...(typeof org.name === 'string' ? { name: org.name } : {}),
    ...(uscc ? { uscc } : {}),
    ...(uscc && deps.issuersByUscc
      ? {
          registeredAs: deps
            .issuersByUscc(uscc)
            .map((i) => ({ id: i.id, name: i.name, kind: i.kind, status: i.status }))
            .sort((a, b) => a.id.localeCompare(b.id)),
        }
      : {}),
  };
}

const wholeSeconds = (t: string | undefined) => (t === undefined ? undefined : Math.floor(Date.parse(t) / 1000));

/**
 * How the anchored window differs from the signed credential's, to the second (an SD-JWT
 * carries nbf/exp in seconds); undefined when it does not.
 */
function windowDifference(anchor: AnchorProjection, facts: Facts): string | undefined {
  const [af, au, cf, cu] = [anchor.validFrom, anchor.validUntil, facts.validFrom, facts.validUntil].map(wholeSeconds);
  if (af !== cf) return `anchored valid from ${anchor.validFrom}; the credential says ${facts.validFrom ?? 'nothing'}`;
  if (au !== cu)
    return `anchored valid until ${anchor.validUntil ?? 'no end'}; the credential says ${facts.validUntil ?? 'no end'}`;
  return undefined;
}

/** Validate the disclosed members of an SD-JWT subject against their own schemas. */
function partialSchemaIssues(
  type: CredentialType,
  member: Record<string, unknown>,
): { field: string; message: string } | undefined {
  const schema = SUBJECT_SCHEMA_BY_TYPE[type] as { properties: Record<string, object>; $id: string };
  for (const [k, v] of Object.entries(member)) {
    if (!(k in schema.properties)) return { field: `/${k}`, message: 'is not a member of this credential type' };
    const fn = ajv().getSchema(`${schema.$id}#/properties/${k}`);
    if (fn && !fn(v))
      return { field: `/${k}${fn.errors?.[0]?.instancePath ?? ''}`, message: fn.errors?.[0]?.message ?? 'is invalid' };
  }
  return undefined;
}

/**
 * Verify one presented credential. Never throws for bad input: the report says why.
 *
 * @example
 * const report = await verifyCredential(text, deps);
 * if (!report.verified) console.log(report.reasons[0].code); // e.g. 'revoked'
 */
export async function verifyCredential(
  input: string,
  deps: VerifyDeps,
  opts: VerifyOptions = {},
): Promise<VerificationReport> {
  const now = deps.now();
  const r = new ReportBuilder();
  const parsed = parseCredential(input);
  if ('error' in parsed) {
    r.fail('format', parsed.error, parsed.detail);
    return r.build({}, now);
  }
  const format = parsed.format;

  // --- signature: alg allow-list, the key the kid names, the signature itself
  const header = parsed.header;
  const alg = header.alg as string;
  const kid = typeof header.kid === 'string' ? header.kid : '';
  const hash = kid.lastIndexOf('#');
  const kidIssuer = hash > 0 ? kid.slice(0, hash) : '';
  const keyId = hash > 0 ? kid.slice(hash + 1) : '';
  let facts: Facts = format === 'vc+jwt' ? factsOfVc(parsed.payload) : factsOfSdJwt(parsed.payload);
  const credential = () => ({
    ...(facts.id ? { id: facts.id } : {}),
    ...(facts.type ? { type: facts.type } : {}),
    format,
    ...(facts.issuerId
      ? {
          issuer: {
            id: facts.issuerId,
            ...(facts.issuerName ? { name: facts.issuerName } : {}),
            ...(facts.onBehalfOf ? { onBehalfOf: facts.onBehalfOf } : {}),
          },
        }
      : {}),
    ...(facts.validFrom ? { validFrom: facts.validFrom } : {}),
    ...(facts.validUntil ? { validUntil: facts.validUntil } : {}),
    disclosed: facts.disclosed,
  });

  if (!(SIGNING_ALGS as readonly string[]).includes(alg)) {
    r.pass('format');
    r.fail('signature', 'alg_not_allowed', `alg ${alg} is not accepted; only ${SIGNING_ALGS.join(', ')}`);
    return r.build({ credential: credential() }, now);
  }
  if (!kidIssuer || !/^[A-Za-z0-9_-]{43}$/.test(keyId)) {
    r.pass('format');
    r.fail('signature', 'bad_kid', 'the header has no kid of the form <issuer id>#<key id>');
    return r.build({ credential: credential() }, now);
  }
  const issuer = deps.issuer(kidIssuer);
  const key = issuer?.keys.find((k) => k.keyId === keyId);
  if (!issuer || !key) {
    r.pass('format');
    r.fail(
      'signature',
      'unknown_key',
      issuer ? `issuer ${kidIssuer} has no key ${keyId}` : `no registered issuer ${kidIssuer}`,
    );
    return r.build({ credential: credential() }, now);
  }
  if (key.alg !== alg) {
    r.pass('format');
    r.fail('signature', 'alg_mismatch', `key ${kid} signs with ${key.alg}, not ${alg}`);
    return r.build({ credential: credential() }, now);
  }
  const signed = format === 'vc+jwt' ? parsed.jws : parsed.issuerJwt;
  if (!(await verifyCompactJws(signed, alg as 'ES256' | 'EdDSA', publicKeyOf(key.kid, key.publicJwk)))) {
    r.pass('format');
    r.fail('signature', 'bad_signature', `the signature does not verify with ${kid}`);
    return r.build({ credential: credential() }, now);
  }

  // --- SD-JWT: disclosures must each be referenced by the signed payload
  if (parsed.format === 'dc+sd-jwt') {
    const problem = checkDisclosures(parsed);
    if ('error' in problem) {
      r.fail('format', 'bad_disclosure', problem.error);
      r.pass('signature');
      return r.build({ credential: credential() }, now);
    }
    facts = factsOfSdJwt(problem.claims);
    // The salt and reference of the holder's ledger commitment stay with the holder: with the
    // anchor's public holderRef they would let anyone test guesses of the ID number offline.
    const holder = problem.claims.holder;
    if (holder && typeof holder === 'object' && ('salt' in holder || 'ref' in holder)) {
      r.fail(
        'format',
        'holder_commitment_disclosed',
        'the presentation discloses holder.salt or holder.ref, which are never shown: present the credential without them',
      );
      r.pass('signature');
      return r.build({ credential: credential() }, now);
    }
  }
  if (!facts.id || !facts.type || !facts.issuerId) {
    r.fail('format', 'bad_payload', 'the credential lacks an id, a known type or an issuer');
    r.pass('signature');
    return r.build({ credential: credential() }, now);
  }
  r.pass('format');
  r.pass('signature');

  // The ledger's record of this credential. Only an anchor of exactly this credential (same
  // digest, issuer, type and key) proves when, and under what authority, it was issued.
  const anchor = await deps.anchor(facts.id);
  const digest = sha256Hex(signed);
  const proof =
    anchor &&
    anchor.digest === digest &&
    anchor.issuer === issuer.id &&
    anchor.type === facts.type &&
    anchor.kid === kid
      ? anchor
      : undefined;

  // --- issuer: in good standing, judged when the credential was anchored
  const authority = judgeIssuer(r, issuer, facts, proof?.anchoredAt, now);
  if (r.ok('issuerTrusted')) judgeType(r, issuer, facts.type, facts, format, proof !== undefined, authority);
  const onBehalfOf = onBehalfOfIssuer(issuer, facts, format, deps);
  if (onBehalfOf) facts.onBehalfOf = onBehalfOf;

  // --- the key, as it stood when the credential was anchored
  const signedAt = anchor?.anchoredAt ?? facts.claimedAt ?? facts.validFrom ?? now.toISOString();
  const kp = keyProblem(key, signedAt);
  if (kp) r.fail('keyValidAtIssue', kp.code, kp.detail);
  else r.pass('keyValidAtIssue');

  if (!anchor) {
    r.fail('anchored', 'not_anchored', `credential ${facts.id} is not anchored on the ledger`);
  } else {
    r.pass('anchored');
    const window = windowDifference(anchor, facts);
    if (digest !== anchor.digest) {
      r.fail('digestMatches', 'digest_mismatch', 'the credential differs from the one anchored under its id');
    } else if (anchor.issuer !== issuer.id || anchor.type !== facts.type || anchor.kid !== kid) {
      r.fail('digestMatches', 'anchor_mismatch', 'the anchor names another issuer, type or key');
    } else if (window) {
      // The anchor never lengthens (nor shifts) what the signed credential says.
      r.fail('digestMatches', 'validity_mismatch', window);
    } else {
      r.pass('digestMatches');
    }
    if (r.ok('digestMatches')) {
      if (anchor.status === 'active') r.pass('status');
      else
        r.fail(
          'status',
          anchor.status === 'revoked' ? 'revoked' : 'suspended',
          `${anchor.status} (${anchor.statusReason ?? 'no reason given'}) at ${anchor.updatedAt}`,
        );
    }
  }

  // --- validity window: the anchor's when it matches, else the credential's claim
  const validFrom = (r.ok('digestMatches') ? anchor?.validFrom : undefined) ?? facts.validFrom;
  const validUntil = (r.ok('digestMatches') ? anchor?.validUntil : undefined) ?? facts.validUntil;
  if (validUntil && now.getTime() >= Date.parse(validUntil))
    r.fail('notExpired', 'expired', `expired at ${validUntil}`);
  else r.pass('notExpired');
  if (validFrom && now.getTime() < Date.parse(validFrom))
    r.fail('notBefore', 'not_yet_valid', `valid from ${validFrom}`);
  else r.pass('notBefore');

  // --- schema
  if (parsed.format === 'vc+jwt') {
    const cs = parsed.payload.credentialSchema as { id?: unknown } | undefined;
    const expected = CREDENTIAL_SCHEMA_BY_TYPE[facts.type].$id;
    if (cs?.id !== expected) {
      r.fail('schema', 'schema_invalid', `credentialSchema must be ${expected}`, '/credentialSchema/id');
    } else {
      const v = validateById(expected, parsed.payload);
      if (v.ok) r.pass('schema');
      else r.fail('schema', 'schema_invalid', v.issues[0]!.message, v.issues[0]!.field);
    }
  } else {
    const member = facts.disclosed[SUBJECT_MEMBER[facts.type]] as Record<string, unknown> | undefined;
    const issue = member ? partialSchemaIssues(facts.type, member) : undefined;
    if (issue) r.fail('schema', 'schema_invalid', issue.message, `/${SUBJECT_MEMBER[facts.type]}${issue.field}`);
    else r.pass('schema');
  }

  // --- holder binding (SD-JWT key binding)
  const binding = parsed.format === 'dc+sd-jwt' ? await checkKeyBinding(r, parsed, facts, now, opts) : undefined;

  return r.build(
    {
      credential: credential(),
      authority,
      ...(binding ? { presentation: { binding } } : {}),
      ...(anchor && r.ok('digestMatches')
        ? {
            anchor: {
              txId: anchor.txId,
              block: anchor.block,
              anchoredAt: anchor.anchoredAt,
              status: anchor.status,
              ...(anchor.statusReason ? { statusReason: anchor.statusReason } : {}),
              updatedAt: anchor.updatedAt,
            },
          }
        : {}),
    },
    now,
  );
}

function checkDisclosures(
  p: Extract<Parsed, { format: 'dc+sd-jwt' }>,
): { claims: Record<string, unknown> } | { error: string } {
  try {
    const decoded = decodeSdJwtSync(
      `${p.issuerJwt}~${p.disclosures.join('~')}${p.disclosures.length ? '~' : ''}`,
      sdHasher,
    );
    const disclosures = decoded.disclosures;
    const mapping = createHashMappingSync(disclosures, { hasher: sdHasher, alg: 'sha-256' });
    if (Object.keys(mapping).length !== disclosures.length) return { error: 'a disclosure is repeated' };
    const { unpackedObj, disclosureKeymap } = unpackSync(
      decoded.jwt.payload as Record<string, unknown>,
      disclosures,
      sdHasher,
    );
    const used = new Set(Object.values(disclosureKeymap));
    if (used.size !== disclosures.length) return { error: 'a disclosure is not referenced by the signed payload' };
    return { claims: unpackedObj as Record<string, unknown> };
  } catch (e) {
    return { error: `disclosures do not decode: ${(e as Error).message}` };
  }
}

/**
 * Holder binding: a credential bound to a key (cnf) passes only with a valid key-binding JWT
 * — absent is `kb_missing`, whatever the caller asked — and one not bound has nothing to
 * bind (a KB-JWT on it is refused). The mode of a bound credential's check is returned.
 */
async function checkKeyBinding(
  r: ReportBuilder,
  p: Extract<Parsed, { format: 'dc+sd-jwt' }>,
  facts: Facts,
  now: Date,
  opts: VerifyOptions,
): Promise<BindingMode | undefined> {
  if (facts.cnf === undefined) {
    if (p.kbJwt)
      r.fail('holderBinding', 'kb_invalid', 'a key-binding JWT was presented for a credential with no cnf key');
    else r.skip('holderBinding');
    return undefined;
  }
  const mode: BindingMode = opts.challenge ? 'challenge' : 'static';
  await judgeKeyBinding(r, p, facts.cnf, now, opts);
  return mode;
}

async function judgeKeyBinding(
  r: ReportBuilder,
  p: Extract<Parsed, { format: 'dc+sd-jwt' }>,
  cnf: unknown,
  now: Date,
  opts: VerifyOptions,
): Promise<void> {
  if (!p.kbJwt) {
    return r.fail(
      'holderBinding',
      'kb_missing',
      'the credential is bound to a key but no key-binding JWT was presented (a copy, not its holder showing it)',
    );
  }
  const jwk = cnf && typeof cnf === 'object' ? (cnf as { jwk?: unknown }).jwk : undefined;
  if (!jwk || typeof jwk !== 'object' || Array.isArray(jwk))
    return r.fail('holderBinding', 'kb_invalid', 'the credential is bound (cnf) but names no key as a JWK');
  let payload: Record<string, unknown>;
  try {
    const kbHeader = JSON.parse(Buffer.from(p.kbJwt.split('.')[0]!, 'base64url').toString('utf8')) as {
      alg?: string;
      typ?: string;
    };
    if (kbHeader.typ !== 'kb+jwt' || !kbHeader.alg || !(SIGNING_ALGS as readonly string[]).includes(kbHeader.alg)) {
      return r.fail('holderBinding', 'kb_invalid', 'the key-binding JWT must have typ kb+jwt and alg ES256 or EdDSA');
    }
    const v = await compactVerify(p.kbJwt, await importJWK(jwk as JWK, kbHeader.alg), {
      algorithms: [kbHeader.alg],
    });
    payload = JSON.parse(Buffer.from(v.payload).toString('utf8')) as Record<string, unknown>;
  } catch {
    return r.fail('holderBinding', 'kb_invalid', 'the key-binding JWT does not verify with the cnf key');
  }
  const sdHash = Buffer.from(sdHasher(p.presented, 'sha-256')).toString('base64url');
  if (payload.sd_hash !== sdHash)
    return r.fail('holderBinding', 'kb_invalid', 'sd_hash does not match the presented SD-JWT');
  const iat = typeof payload.iat === 'number' ? payload.iat : NaN;
  const t = now.getTime() / 1000;
  if (!(iat <= t + KB_SKEW_S && iat >= t - KB_MAX_AGE_S)) {
    return r.fail(
      'holderBinding',
      'kb_stale',
      `the presentation was made at ${iso(iat) ?? '?'}; it must be under ${KB_MAX_AGE_S} s old`,
    );
  }
  const c = opts.challenge;
  if (c) {
    if (!c.usable) return r.fail('holderBinding', 'kb_nonce', CHALLENGE_REFUSED[c.why]);
    if (payload.nonce !== c.nonce)
      return r.fail('holderBinding', 'kb_nonce', 'the key-binding JWT does not answer this challenge (nonce)');
    if (payload.aud !== c.aud)
      return r.fail('holderBinding', 'kb_audience', `the key-binding JWT is not addressed to ${c.aud} (aud)`);
  } else {
    if (opts.nonce !== undefined && payload.nonce !== opts.nonce)
      return r.fail('holderBinding', 'kb_nonce', 'nonce does not match');
    if (opts.audience !== undefined && payload.aud !== opts.audience)
      return r.fail('holderBinding', 'kb_audience', 'aud does not match');
  }
  r.pass('holderBinding');
}
