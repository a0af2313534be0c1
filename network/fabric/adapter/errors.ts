/**
 * Fabric Gateway failures → the Ledger port's stable error codes, the same ones the
 * embedded adapter gives:
 *
 *   chaincode said no (endorse or evaluate; the peer passes the chaincode's message,
 *     `chaincode response 500, {"code":"…","detail":"…"}`) → RejectedError(reason = the
 *     contract's code); a non-JSON chaincode error → RejectedError('CHAINCODE_ERROR')
 *   commit status not VALID → CommitError (MVCC_READ_CONFLICT | PHANTOM_READ_CONFLICT | INVALID)
 *   gRPC DEADLINE_EXCEEDED → TIMEOUT
 *   the ledger was closed (CANCELLED after close) → CLOSED
 *   anything else (no connection, peer or orderer refused, endorsement could not be
 *   collected, stream broken) → UNAVAILABLE
 */
import { status as GrpcStatus } from '@grpc/grpc-js';
import { parseRejection } from '@anxin/chaincode/rules';
import { CHAINCODE_ERROR, LedgerError, RejectedError } from '../../ports/ledger';

const CHAINCODE_RESPONSE = /chaincode response (\d+), ([\s\S]*)$/;

interface GrpcLike {
  code?: unknown;
  message?: unknown;
  details?: unknown;
}

/** The texts a gateway error carries: each endorser's message, then the overall one. */
function texts(e: GrpcLike): string[] {
  const out: string[] = [];
  if (Array.isArray(e.details)) {
    for (const d of e.details as Array<{ message?: unknown }>) if (typeof d?.message === 'string') out.push(d.message);
  }
  if (typeof e.message === 'string') out.push(e.message);
  return out;
}

export interface MapContext {
  /** What was being done, for the message (e.g. "endorse anchor"). */
  op: string;
  txId?: string;
  /** The ledger has been closed: a cancelled call is CLOSED, not UNAVAILABLE. */
  closed?: boolean;
}

/** Map anything thrown by fabric-gateway / grpc-js to a LedgerError. */
export function toLedgerError(e: unknown, ctx: MapContext): LedgerError {
  if (e instanceof LedgerError) return e;
  const g = (typeof e === 'object' && e !== null ? e : { message: String(e) }) as GrpcLike;
  const all = texts(g);
  for (const t of all) {
    const r = parseRejection(t);
    if (r) return new RejectedError(r.code, r.detail, ctx.txId);
  }
  for (const t of all) {
    const m = CHAINCODE_RESPONSE.exec(t);
    if (m && Number(m[1]) >= 400) return new RejectedError(CHAINCODE_ERROR, m[2]!, ctx.txId);
  }
  const code = typeof g.code === 'number' ? g.code : undefined;
  const first = all.find((t) => t !== g.message) ?? (typeof g.message === 'string' ? g.message : String(e));
  const message = `${ctx.op}: ${first}`;
  if (ctx.closed) return new LedgerError('CLOSED', `${ctx.op}: the ledger is closed`, ctx.txId);
  if (code === GrpcStatus.DEADLINE_EXCEEDED) return new LedgerError('TIMEOUT', message, ctx.txId);
  return new LedgerError('UNAVAILABLE', message, ctx.txId);
}

/** Whether a gRPC failure is worth another try on a fresh call (connection trouble, not a refusal). */
export function isTransient(e: unknown): boolean {
  const code = (e as GrpcLike | undefined)?.code;
  if (e instanceof LedgerError) return e.code === 'UNAVAILABLE';
  return code === GrpcStatus.UNAVAILABLE;
}
