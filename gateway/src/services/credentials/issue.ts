/**
 * Issuing: validate → check the issuer may → build → sign → anchor → record → answer,
 * only once the anchor is committed. With an Idempotency-Key a retry never issues
 * twice: the key is claimed, then the credential and its anchor statement are recorded
 * before submission, so an interrupted issuance is completed by a retry instead of being
 * repeated.
 *
 * A claim is held under a lease. While it lasts a retry is told the request is in
 * progress; once it has passed (the gateway holding it died), a retry takes the claim over
 * and finishes what was recorded — re-submitting the recorded anchor statement, which the
 * ledger applies at most once — or, when nothing was recorded, issues under the claim.
 */
import { createHash, randomUUID } from 'node:crypto';
import canonicalize from 'canonicalize';
import { calculateJwkThumbprint, type JWK } from 'jose';
import type { StatementSigner } from '@anxin/chaincode/rules';
import { signStatementFast as signStatement } from '../../crypto/jws';
import {
  SUBJECT_DATE_CHECKS,
  SUBJECT_ISSUER_MEMBER,
  checkValidityWindow,
  publicKid,
  type AnchorRecord,
  type CredentialType,
  type HolderIdentity,
  type IssuerRecord,
} from '@anxin/schemas';
import { sha256Hex } from '../../verify';
import { DomainError, type FieldIssue } from '../../errors';
import type { CredentialFormat, CredentialRecord, IdempotencyRecord, Principal } from '../../ports/store';
import type { Services } from '../context';
import { issuerOrThrow } from '../issuers';
import { C_NONCE_TTL_S, useCNonce } from '../nonces';
import { buildCredential, impliedValidity } from './build';
import { issueSdJwt, signVcJwt } from './formats';
import { publicKeyProblem, verifyHolderProof } from './holder-proof';
import { vctRefOf } from '../type-metadata';
import { checkRenewal, type Renewal } from './renewal';
import { tokenStatusClaim } from '../status-lists/urls';

export interface IssueRequest {
  type: CredentialType;
  holder: HolderIdentity;
  subject: Record<string, unknown>;
  validFrom?: string;
  validUntil?: string;
  format?: CredentialFormat;
  holderPublicJwk?: Record<string, string>;
  /** Proof of possession of holderPublicJwk (openid4vci-proof+jwt); required with it. */
  holderProof?: string;
  /** The credential this one renews (the issuer's, same type, same holder). */
  replaces?: string;
  /** With replaces: revoke the replaced credential as superseded, in the same ledger transaction. */
  supersede?: boolean;
}

/** How long a claim is held for its request: far beyond any issuance, ledger timeouts included. */
export const IDEMPOTENCY_LEASE_MS = 60_000;
/** An issuance normally ends within this; a claim taken more recently is probably still being worked on. */
const USUAL_ISSUANCE_MS = 10_000;

/** Told of what happened to a request on its way, for the metrics. */
export interface IssueObserver {
  /** The request took over the claim of an earlier one whose lease had ended. */
  tookOver?(): void;
}

export interface IssueResponse {
  id: string;
  format: CredentialFormat;
  credential: string;
  digest: string;
  anchor: { txId: string; block: number; anchoredAt: string };
}

/** The issuer's newest key that may sign now and that this gateway holds. */
export async function currentSigner(s: Services, issuer: IssuerRecord): Promise<StatementSigner> {
  const now = s.now().getTime();
  const usable = issuer.keys
    .filter((k) => !k.retiredAt && !k.revokedAt && Date.parse(k.notBefore) <= now)
    .sort((a, b) => Date.parse(b.notBefore) - Date.parse(a.notBefore));
  for (const k of usable) {
    const signer = await s.keys.signer(k.kid);
    if (signer) return signer;
  }
  throw new DomainError('no_signing_key', `issuer ${issuer.id} has no usable signing key in this gateway's custody`);
}

function requestHash(body: unknown): string {
  return createHash('sha256')
    .update(canonicalize(body) ?? '')
    .digest('hex');
}

const C_NONCE_REFUSED = {
  unknown: 'its nonce is not a c_nonce of this gateway: get one from POST /v1/nonce',
  expired: 'its c_nonce has expired: get a fresh one from POST /v1/nonce',
  used: 'its c_nonce was already used: get a fresh one from POST /v1/nonce',
  not_yours: 'its c_nonce cannot be used here',
} as const;

/**
 * Binding a credential to a key takes proof that the one asking holds that key: without it,
 * anyone could bind a worker's credential to a key of their own. The proof must hold, then
 * its c_nonce is used (once).
 */
async function proveHolderKey(s: Services, body: IssueRequest): Promise<void> {
  if (!body.holderPublicJwk) return;
  const refuse = (code: string, message: string) =>
    new DomainError('holder_proof_invalid', `holderProof: ${message}`, {
      errors: [{ field: '/holderProof', code, message }],
    });
  if (!body.holderProof) throw refuse('required', 'is required with holderPublicJwk');
  const r = await verifyHolderProof(body.holderProof, {
    audience: s.publicUrl,
    now: s.now(),
    maxAgeS: C_NONCE_TTL_S,
    key: body.holderPublicJwk,
  });
  if (!r.ok) throw refuse(r.code, r.detail);
  const used = await useCNonce(s, r.proof.nonce);
  if (!used.ok) throw refuse('nonce', C_NONCE_REFUSED[used.why]);
}

async function waitForAnchor(s: Services, id: string, timeoutMs = 10_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const a = await s.store.getAnchor(id);
    if (a || Date.now() > deadline) return a;
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** The ledger's refusal reason of an error, if the ledger refused. */
const refusal = (e: unknown): string | undefined => (e instanceof DomainError ? e.extra.reason : undefined);

/**
 * Runs a write of the store; its failure (a full disk, an I/O error) is `store_unavailable`,
 * naming the credential's committed anchor when there is one: the client learns the
 * credential exists on the ledger, and a retry with its Idempotency-Key answers it.
 */
async function recording<T>(
  write: () => Promise<T>,
  anchored?: { id: string; txId: string; block: number; anchoredAt: string },
): Promise<T> {
  try {
    return await write();
  } catch (e) {
    if (e instanceof DomainError) throw e;
    const what = anchored
      ? `credential ${anchored.id} is anchored (block ${anchored.block}) but could not be recorded`
      : 'the request could not be recorded';
    throw new DomainError('store_unavailable', `${what}: ${(e as Error).message}`, {
      retryAfter: 1,
      ...(anchored ? { anchored } : {}),
    });
  }
}

/** Submit the recorded anchor statement and record the result. Safe to repeat. */
async function anchorRecorded(s: Services, rec: CredentialRecord): Promise<CredentialRecord> {
  let anchor: { txId: string; block: number; anchoredAt: string };
  try {
    const committed = await s.ledgerClient.submit<AnchorRecord>('anchor', rec.anchorStatement);
    s.fault?.('issue:anchored');
    anchor = { txId: committed.txId, block: committed.block, anchoredAt: committed.record.anchoredAt };
    // A renewal changed the replaced anchor in the same transaction: both are projected at once.
    const replaced = committed.record.replaces ? await s.ledgerClient.getAnchor(committed.record.replaces) : undefined;
    await recording(
      () =>
        s.projection.applyAnchors(
          replaced ? [committed.record, replaced] : [committed.record],
          committed.block,
          committed.txIndex,
          committed.txId,
          true,
        ),
      { id: rec.id, ...anchor },
    );
  } catch (e) {
    // A previous attempt may have committed without our hearing of it: then the ledger has it
    // (and refuses the statement again — as replayed, or as too old once a day has passed).
    if (!refusal(e)) throw e;
    const onLedger = await s.ledgerClient.getAnchor(rec.id);
    if (!onLedger || onLedger.digest !== rec.digest) throw e;
    const projected = await waitForAnchor(s, rec.id);
    if (!projected) throw new DomainError('ledger_unavailable', 'the anchor is committed but not yet projected; retry');
    anchor = { txId: projected.txId, block: projected.block, anchoredAt: projected.anchoredAt };
  }
  const done: CredentialRecord = { ...rec, state: 'anchored', anchor };
  await recording(() => s.store.putCredential(done), { id: rec.id, ...anchor });
  return done;
}

function responseOf(s: Services, rec: CredentialRecord, credential?: string): IssueResponse {
  return {
    id: rec.id,
    format: rec.format,
    credential: credential ?? s.kek.open(rec.sealed, rec.id).toString('utf8'),
    digest: rec.digest,
    anchor: rec.anchor!,
  };
}

/** Build and sign the credential and its anchor statement: the record to anchor, still pending. */
async function prepare(
  s: Services,
  issuer: IssuerRecord,
  body: IssueRequest,
  id: string,
  idempotencyKey?: string,
  renewal?: Renewal,
): Promise<{ pending: CredentialRecord; credential: string }> {
  const signer = await currentSigner(s, issuer);
  const format = body.format ?? 'vc+jwt';
  const statusEntry = await s.statusEntries.allocate(issuer.id);
  const vc = buildCredential(
    { ...body, ...(renewal ? { holderSalt: renewal.holderSalt } : {}) },
    issuer,
    s.publicUrl,
    id,
    statusEntry,
  );
  // The credential names the key by its public kid (under the issuer's URL); the anchor statement, by the ledger's.
  const credentialSigner = { ...signer, kid: publicKid(s.publicUrl, signer.kid) };
  let credential: string;
  let signed: string;
  if (format === 'vc+jwt') {
    credential = signed = await signVcJwt(vc, credentialSigner);
  } else {
    const sd = await issueSdJwt(
      vc,
      credentialSigner,
      body.holderPublicJwk,
      vctRefOf(s.publicUrl, body.type),
      tokenStatusClaim(s.publicUrl, statusEntry),
    );
    credential = sd.sdJwt;
    signed = sd.issuerJwt;
  }
  const digest = sha256Hex(signed);
  const statement = await signStatement(
    {
      kind: 'anchor',
      iss: issuer.id,
      anchor: {
        id,
        type: body.type,
        kid: signer.kid,
        digest,
        holderRef: vc.credentialSubject.holder.ref,
        validFrom: vc.validFrom,
        ...(vc.validUntil ? { validUntil: vc.validUntil } : {}),
        statusEntry,
        ...(renewal ? { replaces: renewal.replaces } : {}),
        ...(renewal?.supersede ? { supersede: true as const } : {}),
      },
    },
    signer,
  );
  const pending: CredentialRecord = {
    id,
    issuer: issuer.id,
    type: body.type,
    format,
    sealed: s.kek.seal(credential, id),
    digest,
    anchorStatement: statement,
    state: 'pending',
    createdAt: s.now().toISOString(),
    ...(idempotencyKey ? { idempotencyKey } : {}),
    // The holder finds what is bound to its key by the key's thumbprint ('' for none).
    holderJkt: body.holderPublicJwk ? await calculateJwkThumbprint(body.holderPublicJwk as JWK, 'sha256') : '',
  };
  return { pending, credential };
}

/**
 * The validity the credential will carry — given, or implied by the subject's own dates —
 * must be in order, within what the subject says, and within what its type allows.
 */
function checkValidity(body: IssueRequest): void {
  const implied = impliedValidity(body.type, body.subject);
  const validFrom = body.validFrom ?? implied.from;
  const validUntil = body.validUntil ?? implied.until;
  if (validFrom && validUntil && Date.parse(validUntil) <= Date.parse(validFrom)) {
    const field = body.validUntil ? '/validUntil' : '/validFrom';
    throw new DomainError(
      'validation_failed',
      `the credential would end (${validUntil}) before it starts (${validFrom})`,
      {
        errors: [{ field, code: 'dateOrder', message: 'validUntil must be after validFrom' }],
      },
    );
  }
  const errors: FieldIssue[] = [];
  if (body.validFrom && implied.from && Date.parse(body.validFrom) < Date.parse(implied.from)) {
    errors.push({
      field: '/validFrom',
      code: 'beforeSubject',
      message: `must not be before the subject's ${implied.fromField.slice(1).replace('/', '.')} (${implied.from})`,
    });
  }
  if (body.validUntil && implied.until && Date.parse(body.validUntil) > Date.parse(implied.until)) {
    errors.push({
      field: '/validUntil',
      code: 'afterSubject',
      message: `must not be after the subject's ${implied.untilField.slice(1).replace('/', '.')} (${implied.until})`,
    });
  }
  const window = validFrom ? checkValidityWindow(body.type, validFrom, validUntil) : undefined;
  if (window) errors.push({ field: body.validUntil ? '/validUntil' : `/subject${implied.untilField}`, ...window });
  if (errors.length) throw new DomainError('validation_failed', errors[0]!.message, { errors });
}

/**
 * The subject names its issuer: the health authority, the certifying body, the employer
 * (or the platform issuing on the employer's behalf) carries the issuer's registered USCC.
 */
function checkNamedIssuer(body: IssueRequest, issuer: IssuerRecord): void {
  const member = SUBJECT_ISSUER_MEMBER[body.type][issuer.kind];
  if (!member) throw new DomainError('type_not_allowed', `an issuer of kind ${issuer.kind} may not issue ${body.type}`);
  const named = body.subject[member] as { uscc?: unknown } | undefined;
  if (named?.uscc !== undefined && named.uscc === issuer.uscc) return;
  const field = `/subject/${member}/uscc`;
  throw new DomainError(
    'subject_issuer_mismatch',
    named?.uscc === undefined
      ? `the subject must name its issuer: ${member}.uscc ${issuer.uscc}`
      : `${member}.uscc ${typeof named.uscc === 'string' ? named.uscc : JSON.stringify(named.uscc)} is not the issuer's (${issuer.uscc})`,
    {
      errors: [
        {
          field,
          code: named?.uscc === undefined ? 'required' : 'issuerMismatch',
          message: `must be the issuer's registered USCC ${issuer.uscc}`,
        },
      ],
    },
  );
}

/**
 * Everything about a request that can be judged before anything is signed: the principal is
 * an active issuer that may issue the type, the subject's dates and validity are in order,
 * the subject names its issuer, a holder key is a public key. Throws the refusal.
 *
 * @example
 * const issuer = await checkIssueRequest(s, req.principal!, body); // before an offer is made
 */
export async function checkIssueRequest(s: Services, principal: Principal, body: IssueRequest): Promise<IssuerRecord> {
  if (principal.type !== 'issuer') throw new DomainError('forbidden', 'only an issuer’s API key can issue credentials');
  const dateIssues = SUBJECT_DATE_CHECKS[body.type](body.subject as never);
  if (dateIssues.length) {
    throw new DomainError('validation_failed', dateIssues[0]!.message, {
      errors: dateIssues.map((i) => ({ ...i, field: `/subject${i.field}` })),
    });
  }
  const issuer = await issuerOrThrow(s, principal.id);
  if (issuer.status !== 'active') throw new DomainError('issuer_not_active', `issuer ${issuer.id} is ${issuer.status}`);
  if (!issuer.allowedTypes.includes(body.type))
    throw new DomainError('type_not_allowed', `issuer ${issuer.id} may not issue ${body.type}`);
  if (body.holderPublicJwk && (body.format ?? 'vc+jwt') !== 'dc+sd-jwt') {
    throw new DomainError('validation_failed', 'holderPublicJwk binds an SD-JWT to the holder; send format dc+sd-jwt', {
      errors: [{ field: '/holderPublicJwk', code: 'format', message: 'only with format dc+sd-jwt' }],
    });
  }
  const keyProblem = body.holderPublicJwk && publicKeyProblem(body.holderPublicJwk);
  if (keyProblem) {
    throw new DomainError('validation_failed', `/holderPublicJwk ${keyProblem.message}`, {
      errors: [{ field: '/holderPublicJwk', ...keyProblem }],
    });
  }
  checkValidity(body);
  checkNamedIssuer(body, issuer);
  if (body.supersede && !body.replaces) {
    throw new DomainError('validation_failed', 'supersede revokes the credential named in replaces: send replaces', {
      errors: [{ field: '/replaces', code: 'required', message: 'is required with supersede' }],
    });
  }
  return issuer;
}

export async function issueCredential(
  s: Services,
  principal: Principal,
  body: IssueRequest,
  idempotencyKey?: string,
  observer: IssueObserver = {},
): Promise<IssueResponse> {
  const issuer = await checkIssueRequest(s, principal, body);
  const renewal = body.replaces ? await checkRenewal(s, issuer.id, { ...body, replaces: body.replaces }) : undefined;

  if (idempotencyKey) return issueOnce(s, principal, issuer, body, idempotencyKey, observer, renewal);
  await proveHolderKey(s, body);
  for (let attempt = 1; ; attempt++) {
    const { pending, credential } = await prepare(s, issuer, body, `urn:uuid:${randomUUID()}`, undefined, renewal);
    try {
      return responseOf(s, await anchorRecorded(s, pending), credential);
    } catch (e) {
      // Another gateway gave out the same status list entry first: issue again with another.
      if (attempt < 3 && entryTaken(e)) continue;
      throw e;
    }
  }
}

/** The ledger refused the credential's status list entry: a fresh credential with a fresh entry will do. */
const entryTaken = (e: unknown): boolean => {
  const r = refusal(e);
  return r === 'STATUS_ENTRY_TAKEN' || r === 'STATUS_LIST_NOT_OWN';
};

/** Answer a request carrying an Idempotency-Key: claim it, or replay, wait for, or take over an earlier claim. */
async function issueOnce(
  s: Services,
  principal: Principal,
  issuer: IssuerRecord,
  body: IssueRequest,
  key: string,
  observer: IssueObserver,
  renewal?: Renewal,
): Promise<IssueResponse> {
  // The proof is how this attempt shows it holds the key, not what is issued: a retry may
  // carry a fresh one (its c_nonce spent by the first attempt) and is still the same request.
  const { holderProof: _proof, ...issued } = body;
  const hash = requestHash({ op: 'issue', body: issued });
  const leaseMs = s.idempotencyLeaseMs ?? IDEMPOTENCY_LEASE_MS;
  // Twice at most: a claim completed, released or taken over between our look and our take-over is looked at again.
  for (let look = 0; ; look++) {
    const now = s.now();
    const leaseUntil = new Date(now.getTime() + leaseMs).toISOString();
    const claim: IdempotencyRecord = {
      principal: principal.id,
      key,
      requestHash: hash,
      resource: `urn:uuid:${randomUUID()}`,
      createdAt: now.toISOString(),
      leaseUntil,
    };
    const existing = await recording(() => s.store.claimIdempotencyKey(claim));
    if (!existing) {
      s.fault?.('issue:claimed');
      return issueUnderClaim(s, issuer, body, claim, false, renewal);
    }
    if (existing.requestHash !== hash) {
      throw new DomainError('idempotency_key_reused', 'this Idempotency-Key was used for a different request');
    }
    if (existing.response) {
      // The credential the request answered with (its id is in the stored answer).
      const answered = (existing.response.body as { id?: unknown } | null)?.id;
      const id = typeof answered === 'string' ? answered : existing.resource;
      const prior = id ? await s.store.getCredential(id) : undefined;
      if (prior?.state === 'anchored') return responseOf(s, prior);
      if (prior?.state === 'pending') return responseOf(s, await anchorRecorded(s, prior));
      throw new Error(`the credential ${String(id)} answered for Idempotency-Key ${key} is not in the store`);
    }
    const left = existing.leaseUntil ? Date.parse(existing.leaseUntil) - now.getTime() : 0;
    if (left > 0 || look > 0) {
      // Soon while the request may still be finishing as usual; else when its lease ends.
      const heldFor = leaseMs - left;
      const retryAfter = heldFor < USUAL_ISSUANCE_MS ? 1 : Math.max(1, Math.ceil(left / 1000));
      throw new DomainError(
        'request_in_progress',
        'a request with this Idempotency-Key is still in progress; retry shortly',
        { retryAfter },
      );
    }
    const taken = await recording(() =>
      s.store.takeOverIdempotencyKey(principal.id, key, now.toISOString(), leaseUntil),
    );
    if (!taken) continue;
    observer.tookOver?.();
    return issueUnderClaim(s, issuer, body, taken, true, renewal);
  }
}

/**
 * Issue under a claim this request holds: finish what an earlier holder recorded (the
 * credential under the claim's id), or issue it; then store the answer, which ends the
 * claim (retention prunes it in time). A refusal releases the claim so the key can be used
 * again; any other failure (the ledger or the store unavailable: the outcome unknown) keeps the claim
 * but ends its lease, so that a retry takes it over at once and finishes it.
 */
async function issueUnderClaim(
  s: Services,
  issuer: IssuerRecord,
  body: IssueRequest,
  claim: IdempotencyRecord,
  takenOver: boolean,
  renewal?: Renewal,
): Promise<IssueResponse> {
  const id = claim.resource ?? `urn:uuid:${randomUUID()}`;
  try {
    let rec = takenOver ? await s.store.getCredential(id) : undefined;
    let inHand: string | undefined;
    if (!rec) {
      // Only an attempt that issues needs the proof: one that finishes a recorded issuance does not.
      await proveHolderKey(s, body);
      const prepared = await prepare(s, issuer, body, id, claim.key, renewal);
      // Recorded before it is anchored: a retry after a crash finishes this issuance. Should
      // an earlier holder (presumed gone, but slow) have recorded one meanwhile, that one is used.
      rec = await recording(() => s.store.createCredential(prepared.pending));
      if (rec.digest === prepared.pending.digest) inHand = prepared.credential;
      s.fault?.('issue:recorded');
    }
    let done: CredentialRecord;
    try {
      done = rec.state === 'anchored' ? rec : await anchorRecorded(s, rec);
    } catch (e) {
      // A recorded statement a day old is refused, and not anchored (else it would have been
      // found): it never will be, so the credential is issued again under a new id. So is one
      // whose status list entry another gateway gave out first.
      if (refusal(e) !== 'STATEMENT_EXPIRED' && !entryTaken(e)) throw e;
      const fresh = await prepare(s, issuer, body, `urn:uuid:${randomUUID()}`, claim.key, renewal);
      done = await anchorRecorded(s, await s.store.createCredential(fresh.pending));
      inHand = fresh.credential;
    }
    await recording(
      () =>
        s.store.completeIdempotencyKey(claim.principal, claim.key, {
          status: 201,
          body: { id: done.id, digest: done.digest, anchor: done.anchor },
        }),
      { id: done.id, ...done.anchor! },
    );
    return responseOf(s, done, inHand);
  } catch (e) {
    // Best effort: should this write fail too, the lease ends by itself.
    const lease = claim.leaseUntil;
    if (e instanceof DomainError && e.code !== 'ledger_unavailable' && e.code !== 'store_unavailable') {
      await s.store.releaseIdempotencyKey(claim.principal, claim.key, lease).catch(() => undefined);
    } else if (lease) {
      await s.store.yieldIdempotencyKey(claim.principal, claim.key, lease).catch(() => undefined);
    }
    throw e;
  }
}
