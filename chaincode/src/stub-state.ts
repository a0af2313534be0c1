import type { Context } from 'fabric-contract-api';
import type { AnchorRecord, IssuerRecord, RegistrarRecord } from '@anxin/schemas';
import { KEY_PREFIX, REGISTRAR_KEY, type LedgerState, type StatementMark, type TxContext } from './state';

import { canonicalBytes } from './canonical';

export { canonicalBytes };

/** LedgerState over a Fabric ChaincodeStub. */
export class StubState implements LedgerState {
  constructor(private readonly ctx: Context) {}

  private async read<T>(key: string): Promise<T | undefined> {
    const bytes = await this.ctx.stub.getState(key);
    return bytes && bytes.length ? (JSON.parse(Buffer.from(bytes).toString('utf8')) as T) : undefined;
  }

  private write(key: string, value: unknown): Promise<void> {
    return this.ctx.stub.putState(key, canonicalBytes(value));
  }

  key(type: keyof typeof KEY_PREFIX, id: string): string {
    return this.ctx.stub.createCompositeKey(KEY_PREFIX[type], [id]);
  }

  getRegistrar() {
    return this.read<RegistrarRecord>(REGISTRAR_KEY);
  }
  getIssuer(id: string) {
    return this.read<IssuerRecord>(this.key('issuer', id));
  }
  getAnchor(id: string) {
    return this.read<AnchorRecord>(this.key('anchor', id));
  }
  getStatement(jti: string) {
    return this.read<StatementMark>(this.key('statement', jti));
  }
  putRegistrar(r: RegistrarRecord) {
    return this.write(REGISTRAR_KEY, r);
  }
  putIssuer(r: IssuerRecord) {
    return this.write(this.key('issuer', r.id), r);
  }
  putAnchor(r: AnchorRecord) {
    return this.write(this.key('anchor', r.id), r);
  }
  putStatement(jti: string, mark: StatementMark) {
    return this.write(this.key('statement', jti), mark);
  }
}

/** The transaction's id and time, from the stub: never the clock. */
export function txContext(ctx: Context): TxContext {
  return { txId: ctx.stub.getTxID(), time: ctx.stub.getDateTimestamp().toISOString() };
}
