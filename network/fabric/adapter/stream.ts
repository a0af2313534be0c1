/**
 * A fabric-gateway event stream, safe to close at any moment. grpc-js reports a cancelled
 * call as an 'error' event on the call's stream; the stream's async iterator only listens
 * for it once its first `next()` has run, so a stream closed before anyone read from it
 * would crash the process with an uncaught error. `PrefetchedStream` asks for the first
 * item at once (and keeps that promise, handled) so the error always has a listener.
 */
import type { CloseableAsyncIterable } from '@hyperledger/fabric-gateway';

export class PrefetchedStream<T> implements AsyncIterableIterator<T> {
  /** Closed on purpose (abort, ledger close): the consumer should end quietly. */
  cancelled = false;
  private readonly it: AsyncIterator<T>;
  private first?: Promise<IteratorResult<T>>;
  private closed = false;

  constructor(
    private readonly stream: CloseableAsyncIterable<T>,
    private readonly onClose: () => void = () => undefined,
  ) {
    this.it = stream[Symbol.asyncIterator]();
    this.first = this.it.next();
    this.first.catch(() => undefined);
  }

  next(): Promise<IteratorResult<T>> {
    const f = this.first;
    if (f) {
      this.first = undefined;
      return f;
    }
    return this.it.next();
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  /** Cancel the call (idempotent). `cancelled` marks it as on purpose. */
  close(cancelled = true): void {
    if (cancelled) this.cancelled = true;
    if (this.closed) return;
    this.closed = true;
    this.onClose();
    this.stream.close();
  }
}
