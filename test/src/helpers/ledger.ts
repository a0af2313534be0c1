/**
 * The real path: an EmbeddedLedger in a temp dir running the Anxin contract, with
 * shortcuts to register issuers and anchor credentials, and assertions on the errors a
 * submit gives (RejectedError with the contract's code, CommitError with Fabric's).
 */
import { join } from 'node:path';
import { expect } from 'chai';
import { CommitError, RejectedError, type SubmitResult } from '@anxin/network';
import { EmbeddedLedger, type EmbeddedLedgerOptions } from '@anxin/network/embedded';
import type { AnchorRecord, CredentialType, IssuerRecord, SigningAlg, StatementKind } from '@anxin/schemas';
import { newIssuerKey, newRegistrar, type OwnedKey, type Registrar } from './keys';
import { anchorSpec, issuerSpec, sign, statements, type AnchorSpec, type Body, type IssuerSpec } from './statements';
import { tempDir } from './tmp';
import type { TestIssuer } from './world';

export interface OpenedLedger {
  ledger: EmbeddedLedger;
  /** The ledger's directory (reopen it with EmbeddedLedger.open(dir)). */
  dir: string;
  registrar: Registrar;
}

/**
 * Open an EmbeddedLedger in a fresh temp dir with a 5 ms batch timeout and initialise its
 * registrar (pass `init: false` to skip, `registrar` to reuse one).
 *
 * @example
 * const { ledger, registrar } = await openLedger();
 * const issuer = await registerIssuer(ledger, registrar);
 */
export async function openLedger(
  opts: EmbeddedLedgerOptions & { dir?: string; init?: boolean; registrar?: Registrar } = {},
): Promise<OpenedLedger> {
  const { dir = join(tempDir('ledger'), 'ledger'), init = true, registrar: given, ...options } = opts;
  const ledger = await EmbeddedLedger.open(dir, { ...options, batch: { timeoutMs: 5, ...options.batch } });
  const registrar = given ?? (await newRegistrar());
  if (init) await ledger.submit('init', [registrar.initArgs]);
  return { ledger, dir, registrar };
}

/** Parse a transaction's or evaluation's JSON result. */
export function json<T = unknown>(bytes: Uint8Array): T {
  return JSON.parse(Buffer.from(bytes).toString('utf8')) as T;
}

/** Submit a signed statement of `body.kind` and return the submit result. */
export async function submitStatement<K extends StatementKind>(
  ledger: EmbeddedLedger,
  body: Body<K>,
  key: OwnedKey,
): Promise<SubmitResult> {
  return ledger.submit(body.kind, [await sign(body, key)]);
}

/** Register a new issuer with a fresh key on the ledger. */
export async function registerIssuer(
  ledger: EmbeddedLedger,
  registrar: Registrar,
  opts: Partial<IssuerSpec> & { alg?: SigningAlg; slug?: string; notBefore?: string } = {},
): Promise<TestIssuer & { record: IssuerRecord }> {
  const spec = issuerSpec(opts);
  const key = await newIssuerKey(spec.id, opts.alg);
  const res = await submitStatement(
    ledger,
    statements.registerIssuer(spec, { ...key.newKey, ...(opts.notBefore ? { notBefore: opts.notBefore } : {}) }),
    registrar,
  );
  return { id: spec.id, spec, key, record: json<IssuerRecord>(res.result) };
}

/** Anchor a fresh credential of `issuer` (type: its first allowed type). */
export async function anchorCredential(
  ledger: EmbeddedLedger,
  issuer: TestIssuer,
  opts: { key?: OwnedKey; type?: CredentialType; anchor?: Partial<AnchorSpec> } = {},
): Promise<{ spec: AnchorSpec; jws: string; res: SubmitResult; record: AnchorRecord }> {
  const key = opts.key ?? issuer.key;
  const spec = anchorSpec(key, { type: opts.type ?? issuer.spec.allowedTypes[0]!, ...opts.anchor });
  const jws = await sign(statements.anchor(issuer.id, spec), key);
  const res = await ledger.submit('anchor', [jws]);
  return { spec, jws, res, record: json<AnchorRecord>(res.result) };
}

async function caught(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (e) {
    return e;
  }
  return undefined;
}

/** Assert a submit/evaluate was refused by the contract with `reason` (its stable code). */
export async function expectRejected(p: Promise<unknown>, reason: string): Promise<RejectedError> {
  const e = await caught(p);
  expect(e, `expected RejectedError ${reason}, but it succeeded`).to.be.instanceOf(RejectedError);
  expect((e as RejectedError).reason, String(e)).to.equal(reason);
  return e as RejectedError;
}

/** Assert a submit was committed but invalidated with `code`. */
export async function expectCommitError(
  p: Promise<unknown>,
  code: 'MVCC_READ_CONFLICT' | 'PHANTOM_READ_CONFLICT' | 'INVALID',
): Promise<CommitError> {
  const e = await caught(p);
  expect(e, `expected CommitError ${code}, but it succeeded`).to.be.instanceOf(CommitError);
  expect((e as CommitError).code, String(e)).to.equal(code);
  return e as CommitError;
}
