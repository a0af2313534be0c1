import type { Context } from 'fabric-contract-api';
import { canonicalBytes } from './canonical';
import { KeyValueLedgerState } from './kv-state';
import type { TxContext } from './state';

export { canonicalBytes };

/** LedgerState over a Fabric ChaincodeStub. */
export class StubState extends KeyValueLedgerState {
  constructor(private readonly ctx: Context) {
    super();
  }
  protected readRaw(key: string): Promise<Uint8Array> {
    return this.ctx.stub.getState(key);
  }
  protected writeRaw(key: string, value: Buffer): Promise<void> {
    return this.ctx.stub.putState(key, value);
  }
}

/** The transaction's id and time, from the stub: never the clock. */
export function txContext(ctx: Context): TxContext {
  return { txId: ctx.stub.getTxID(), time: ctx.stub.getDateTimestamp().toISOString() };
}
