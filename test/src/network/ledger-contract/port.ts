/**
 * What the Ledger contract's cases share: the adapter under test, and helpers that use
 * the Ledger port only (so they work the same on every adapter).
 */
import { expect } from 'chai';
import { LedgerError, RejectedError, type Ledger, type SubmitResult } from '@anxin/network';
import type { AnchorRecord } from '@anxin/schemas';
import { newIssuerKey, type Registrar } from '../../helpers/keys';
import { anchorSpec, issuerSpec, sign, statements, type AnchorSpec } from '../../helpers/statements';
import type { TestIssuer } from '../../helpers/world';

export interface LedgerUnderTest {
  ledger: Ledger;
  registrar: Registrar;
  /** Registered on this ledger, active, allowed HealthCertificate. */
  issuer: TestIssuer;
  /** Close the ledger and release whatever setup made (must be safe after ledger.close()). */
  teardown(): Promise<void>;
}

export interface LedgerContractOptions {
  /** Register every case as skipped, with this reason in the suite's title. */
  skip?: string;
  /** Once before the cases (e.g. bring a network up), with its own timeout. */
  prepare?: () => Promise<unknown>;
  prepareTimeoutMs?: number;
  /** Per case (default: the runner's). */
  timeoutMs?: number;
  /**
   * Cases this adapter is known to fail, by title, with why: listed as skipped with the
   * reason in the title (loud in every run), until the adapter is fixed.
   */
  knownGaps?: Record<string, string>;
}

export type Ctx = { t: LedgerUnderTest };
export interface Case {
  title: string;
  run(ctx: Ctx): Promise<void>;
}

export const HEX64 = /^[0-9a-f]{64}$/;

export function json<T = unknown>(bytes: Uint8Array): T {
  return JSON.parse(Buffer.from(bytes).toString('utf8')) as T;
}

/** Register a fresh issuer (one ES256 key) through any Ledger. */
export async function registerTestIssuer(
  ledger: Ledger,
  registrar: Registrar,
): Promise<TestIssuer & { res: SubmitResult }> {
  const spec = issuerSpec();
  const key = await newIssuerKey(spec.id);
  const res = await ledger.submit('registerIssuer', [
    await sign(statements.registerIssuer(spec, key.newKey), registrar),
  ]);
  return { id: spec.id, spec, key, res };
}

export async function anchorNew(ledger: Ledger, issuer: TestIssuer, anchor: Partial<AnchorSpec> = {}) {
  const spec = anchorSpec(issuer.key, anchor);
  const jws = await sign(statements.anchor(issuer.id, spec), issuer.key);
  const res = await ledger.submit('anchor', [jws]);
  return { spec, jws, res, record: json<AnchorRecord>(res.result) };
}

export async function statusJws(
  issuer: TestIssuer,
  kind: 'revoke' | 'suspend' | 'reinstate',
  credentialId: string,
): Promise<string> {
  return sign(statements[kind](issuer.id, credentialId), issuer.key);
}

export async function caught(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (e) {
    return e;
  }
  throw new Error('expected a failure, but the call succeeded');
}

export async function expectRejected(p: Promise<unknown>, reason: string): Promise<RejectedError> {
  const e = await caught(p);
  expect(e, String(e)).to.be.instanceOf(RejectedError);
  const r = e as RejectedError;
  expect(r.code).to.equal('REJECTED');
  expect(r.reason, String(e)).to.equal(reason);
  return r;
}

/** Drain a finite stream. */
export async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}

/** The first `n` items of a (following) stream, then stop it; reject after `ms`. */
export async function firstOf<T>(it: AsyncIterable<T>, n: number, ms: number): Promise<T[]> {
  const out: T[] = [];
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`stream gave ${out.length} of ${n} items in ${ms} ms`)), ms);
  });
  const read = (async () => {
    for await (const x of it) {
      out.push(x);
      if (out.length >= n) break;
    }
    return out;
  })();
  try {
    return await Promise.race([read, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

export async function failsClosed(what: string, p: () => Promise<unknown>): Promise<void> {
  let e: unknown;
  try {
    await p();
  } catch (x) {
    e = x;
  }
  expect(e, `${what} after close`).to.be.instanceOf(LedgerError);
  expect(['CLOSED', 'UNAVAILABLE'], `${what}: ${String(e)}`).to.include((e as LedgerError).code);
}

export function settle<T>(ps: Promise<T>[]): Promise<PromiseSettledResult<T>[]> {
  return Promise.allSettled(ps);
}

/** With ANXIN_TEST_VERBOSE set, say which of the acceptable outcomes happened. */
export function note(ledger: Ledger, what: string, outcomes: PromiseSettledResult<SubmitResult>[]): void {
  if (!process.env.ANXIN_TEST_VERBOSE) return;
  const s = outcomes.map((o) =>
    o.status === 'fulfilled'
      ? `VALID@${o.value.block}/${o.value.txIndex}`
      : o.reason instanceof LedgerError
        ? `${o.reason.code}${o.reason instanceof RejectedError ? `:${o.reason.reason}` : ''}`
        : String(o.reason),
  );
  const stats = (ledger as { stats?: unknown }).stats;
  process.stderr.write(`      [${ledger.kind}] ${what}: ${s.join(', ')}${stats ? ` ${JSON.stringify(stats)}` : ''}\n`);
}
