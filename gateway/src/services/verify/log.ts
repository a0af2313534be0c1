/**
 * Who verified what: kept so that, when a credential is suspended or revoked, its
 * issuer can tell every employer who checked it recently. Buffered off the
 * verification path and written in the background.
 */
import type { Store, VerificationLogEntry } from '../../ports/store';

export class VerificationLog {
  private buffer: VerificationLogEntry[] = [];
  private timer?: NodeJS.Timeout;
  private flushing: Promise<void> = Promise.resolve();

  constructor(
    private readonly store: Store,
    private readonly intervalMs = 250,
    private readonly onError: (e: unknown) => void = () => undefined,
  ) {}

  record(e: VerificationLogEntry): void {
    this.buffer.push(e);
    this.timer ??= setTimeout(() => void this.flush(), this.intervalMs);
  }

  flush(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    const batch = this.buffer;
    this.buffer = [];
    this.flushing = this.flushing.then(() =>
      batch.length ? this.store.recordVerifications(batch).catch(this.onError) : undefined,
    );
    return this.flushing;
  }
}
