/**
 * Readiness: whether this gateway can serve what it is asked now, and if not, every reason
 * why, each with a stable code and the numbers behind it. The store must answer, the
 * ledger must answer, and the projection — the store's copy of the ledger that
 * verification reads — must be following the ledger, not held at a change, and not
 * further behind it than the configured limits.
 */
import type { Ledger } from '@anxin/network';
import type { Store } from '../../ports/store';
import type { Failure, Stall } from '../projection';
import type { Lag, ProjectionLag } from './projection-lag';

/** Why a gateway is not ready, in the order they are reported (a cause comes before what it explains). */
export const NOT_READY_CODES = [
  'store_unavailable',
  'ledger_unavailable',
  'projection_stopped',
  'projection_stalled',
  'projection_lagging',
] as const;
export type NotReadyCode = (typeof NOT_READY_CODES)[number];

export interface NotReady {
  code: NotReadyCode;
  detail: string;
  [member: string]: unknown;
}

export interface ReadinessLimits {
  maxLagBlocks: number;
  /** 0: no limit in seconds. */
  maxLagSeconds: number;
  /** How long the store and the ledger have to answer (default 2 s): a hung peer is as unavailable as a stopped one. */
  timeoutMs?: number;
}

export interface Readiness {
  ready: boolean;
  /** Every reason it is not ready, in NOT_READY_CODES order; empty when ready. */
  causes: NotReady[];
  ledger: { kind: Ledger['kind']; ok: boolean; height?: number };
  store: { kind: Store['kind']; ok: boolean };
  projection: {
    projectedTo: number;
    lagBlocks?: number;
    lagSeconds?: number;
    maxLagBlocks: number;
    maxLagSeconds: number;
  };
}

export interface ReadinessDeps {
  store: Pick<Store, 'kind' | 'ping'>;
  ledger: Pick<Ledger, 'kind'>;
  projection: {
    readonly position: { block: number };
    readonly stalled: Stall | undefined;
    readonly failed: Failure | undefined;
  };
  lag: Pick<ProjectionLag, 'measure'>;
}

const message = (e: unknown) => (e instanceof Error ? e.message : String(e));

/** `p`, or a rejection once `ms` have passed without an answer. */
function within<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([p, late]).finally(() => clearTimeout(timer));
}

/**
 * Check everything readiness depends on, at once.
 *
 * @example
 * const r = await readiness(deps, { maxLagBlocks: 100, maxLagSeconds: 60 });
 * if (!r.ready) console.log(r.causes.map((c) => c.code)); // e.g. ['projection_lagging']
 */
export async function readiness(d: ReadinessDeps, limits: ReadinessLimits): Promise<Readiness> {
  const ms = limits.timeoutMs ?? 2_000;
  const [store, lag] = await Promise.all([
    within(d.store.ping(), ms).then(
      (ok) => ({ ok, error: ok ? undefined : 'the store does not answer' }),
      (e: unknown) => ({ ok: false, error: message(e) }),
    ),
    within(d.lag.measure(), ms).then(
      (l): { lag: Lag; error?: undefined } => ({ lag: l }),
      (e: unknown) => ({ lag: undefined, error: message(e) }),
    ),
  ]);
  const causes: NotReady[] = [];
  if (!store.ok) causes.push({ code: 'store_unavailable', detail: `store (${d.store.kind}): ${store.error}` });
  if (!lag.lag) causes.push({ code: 'ledger_unavailable', detail: `ledger (${d.ledger.kind}): ${lag.error}` });
  const failed = d.projection.failed;
  if (failed) {
    causes.push({
      code: 'projection_stopped',
      detail: `the projection stopped following the ledger: ${failed.error}; it starts over by itself`,
      since: failed.since,
      restarts: failed.restarts,
    });
  }
  const stalled = d.projection.stalled;
  if (stalled) {
    causes.push({
      code: 'projection_stalled',
      detail: `the projection is held at block ${stalled.at.block} tx ${stalled.at.txIndex}: ${stalled.error}`,
      block: stalled.at.block,
      txIndex: stalled.at.txIndex,
      since: stalled.since,
      attempts: stalled.attempts,
    });
  }
  const l = lag.lag;
  if (l && (l.blocks > limits.maxLagBlocks || (limits.maxLagSeconds > 0 && l.seconds > limits.maxLagSeconds))) {
    causes.push({
      code: 'projection_lagging',
      detail: `the projection is ${l.blocks} blocks (${Math.round(l.seconds)} s) behind the ledger`,
      lagBlocks: l.blocks,
      lagSeconds: l.seconds,
      maxLagBlocks: limits.maxLagBlocks,
      maxLagSeconds: limits.maxLagSeconds,
    });
  }
  return {
    ready: causes.length === 0,
    causes,
    ledger: { kind: d.ledger.kind, ok: !!l, ...(l ? { height: l.height } : {}) },
    store: { kind: d.store.kind, ok: store.ok },
    projection: {
      projectedTo: l?.projectedTo ?? d.projection.position.block,
      ...(l ? { lagBlocks: l.blocks, lagSeconds: l.seconds } : {}),
      maxLagBlocks: limits.maxLagBlocks,
      maxLagSeconds: limits.maxLagSeconds,
    },
  };
}
