/**
 * LedgerState over any key-value view of the world state: the record kinds, their keys
 * (./wire) and canonical JSON encoding, in one place. The contract's stub,
 * the auditor's replay and the benchmarks each supply only how raw bytes are read and
 * written.
 */
import type { AnchorRecord, IssuerRecord, RegistrarRecord } from '@anxin/schemas';
import { canonicalBytes } from './canonical';
import type { LedgerState, StatementMark, StatusListMark, StatusSlotMark } from './state';
import { REGISTRAR_KEY, anchorKey, issuerKey, statementKey, statusListKey, statusSlotKey } from './wire';

export abstract class KeyValueLedgerState implements LedgerState {
  /** The committed bytes at `key`, or undefined / empty when absent. */
  protected abstract readRaw(key: string): Promise<Uint8Array | undefined>;
  protected abstract writeRaw(key: string, value: Buffer): Promise<void>;

  private async read<T>(key: string): Promise<T | undefined> {
    const bytes = await this.readRaw(key);
    return bytes && bytes.length
      ? (JSON.parse(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8')) as T)
      : undefined;
  }

  private write(key: string, value: unknown): Promise<void> {
    return this.writeRaw(key, canonicalBytes(value));
  }

  getRegistrar() {
    return this.read<RegistrarRecord>(REGISTRAR_KEY);
  }
  getIssuer(id: string) {
    return this.read<IssuerRecord>(issuerKey(id));
  }
  getAnchor(id: string) {
    return this.read<AnchorRecord>(anchorKey(id));
  }
  getStatement(jti: string) {
    return this.read<StatementMark>(statementKey(jti));
  }
  putRegistrar(r: RegistrarRecord) {
    return this.write(REGISTRAR_KEY, r);
  }
  putIssuer(r: IssuerRecord) {
    return this.write(issuerKey(r.id), r);
  }
  putAnchor(r: AnchorRecord) {
    return this.write(anchorKey(r.id), r);
  }
  putStatement(jti: string, mark: StatementMark) {
    return this.write(statementKey(jti), mark);
  }
  getStatusList(list: string) {
    return this.read<StatusListMark>(statusListKey(list));
  }
  putStatusList(list: string, mark: StatusListMark) {
    return this.write(statusListKey(list), mark);
  }
  getStatusSlot(list: string, idx: number) {
    return this.read<StatusSlotMark>(statusSlotKey(list, idx));
  }
  putStatusSlot(list: string, idx: number, mark: StatusSlotMark) {
    return this.write(statusSlotKey(list, idx), mark);
  }
}
