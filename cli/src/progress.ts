/**
 * A progress bar on stderr when it is a terminal (blocks, tx/s, ETA); nothing otherwise,
 * so pipes, files and CI logs get only the final report.
 */
import { SingleBar } from 'cli-progress';

export interface Progress {
  update(p: { block: number; first: number; last: number; transactions: number }): void;
  stop(): void;
}

const NONE: Progress = { update: () => undefined, stop: () => undefined };

export function progressBar(label: string, enabled = !!process.stderr.isTTY): Progress {
  if (!enabled) return NONE;
  const started = Date.now();
  let bar: SingleBar | undefined;
  return {
    update({ block, first, last, transactions }) {
      const total = last - first + 1;
      const value = Math.max(0, block - first + 1);
      const secs = (Date.now() - started) / 1000;
      const payload = { tx: transactions, rate: secs > 0 ? Math.round(transactions / secs) : 0, block };
      if (!bar) {
        bar = new SingleBar({
          stream: process.stderr,
          format: `${label} {bar} {percentage}% | block {block}/${last} | {tx} tx | {rate} tx/s | ETA {eta_formatted}`,
          barsize: 24,
          hideCursor: true,
          clearOnComplete: true,
          etaBuffer: 50,
          fps: 8,
        });
        bar.start(total, value, payload);
      } else {
        bar.update(value, payload);
      }
    },
    stop() {
      bar?.stop();
    },
  };
}

export interface PhaseProgress {
  update(phase: string, done: number, total: number): void;
  stop(): void;
}

/** A bar per phase (pages, bytes, …) on stderr when it is a terminal; nothing otherwise. */
export function phaseBar(label: string, enabled = !!process.stderr.isTTY): PhaseProgress {
  if (!enabled) return { update: () => undefined, stop: () => undefined };
  let bar: SingleBar | undefined;
  let current = '';
  return {
    update(phase, done, total) {
      if (phase !== current) {
        bar?.stop();
        current = phase;
        bar = new SingleBar({
          stream: process.stderr,
          format: `${label} {phase} {bar} {percentage}% | ETA {eta_formatted}`,
          barsize: 24,
          hideCursor: true,
          clearOnComplete: true,
          fps: 8,
        });
        bar.start(Math.max(1, total), Math.min(done, total), { phase: phase.padEnd(6) });
      } else {
        bar!.setTotal(Math.max(1, total));
        bar!.update(Math.min(done, total), { phase: phase.padEnd(6) });
      }
    },
    stop() {
      bar?.stop();
    },
  };
}
