/**
 * An error as it crosses the boundary between the main thread and a verification thread.
 * `postMessage` clones an Error as its name and message only, so a `DomainError` would
 * arrive as a bare Error and become a 500: its code (`ledger_unavailable` when the anchor
 * look-up failed) and data travel explicitly and it is rebuilt on the other side.
 */
import { DomainError, type DomainErrorCode, type DomainErrorData } from '../../errors';

/** An error in a form `postMessage` carries whole. */
export interface ThreadError {
  message: string;
  domain?: { code: DomainErrorCode; detail?: string | undefined; extra: DomainErrorData };
}

/**
 * The form of `e` that crosses a thread.
 *
 * @example
 * port.postMessage({ t: 'failed', id, error: toThreadError(e) });
 */
export function toThreadError(e: unknown): ThreadError {
  const message = e instanceof Error ? e.message : String(e);
  if (!(e instanceof DomainError)) return { message };
  return { message, domain: { code: e.code, detail: e.detail, extra: e.extra } };
}

/**
 * The error `toThreadError` carried: a `DomainError` with its code and data again, else an Error.
 *
 * @example
 * pending.reject(fromThreadError(m.error));
 */
export function fromThreadError(t: ThreadError): Error {
  if (t.domain) return new DomainError(t.domain.code, t.domain.detail, t.domain.extra);
  return new Error(t.message);
}
