/**
 * A ChaincodeStub that behaves like a Fabric peer's during simulation: reads see
 * committed state only (never the transaction's own writes) and are recorded with
 * their versions; writes are buffered into the read-write set; range and partial
 * composite key queries (with pagination) record what they saw so the committer can
 * detect phantoms; history, events, tx id and timestamp, creator and ClientIdentity
 * work as on Fabric. Pure helpers (composite keys) are fabric-shim's own.
 */
import Long from 'long';
import type { ChaincodeStub, Iterators, SerializedIdentity, StateQueryResponse, Timestamp } from 'fabric-shim-api';
import type { KVReadSpec, NsRwSetSpec, RangeQuerySpec } from '../blocks/tx';
import { cmp } from '../blocks/tx';

const ShimStub = require('fabric-shim/lib/stub') as {
  prototype: Pick<ChaincodeStub, 'createCompositeKey' | 'splitCompositeKey'>;
};

const COMPOSITEKEY_NS = '\x00';
const EMPTY_KEY_SUBSTITUTE = '\x01';
const MAX_UNICODE_RUNE_VALUE = '\u{10ffff}';
/** Fabric's default ledger.state.totalQueryLimit. */
export const TOTAL_QUERY_LIMIT = 100_000;

export interface Version {
  block: number;
  tx: number;
}
export interface VersionedKV {
  key: string;
  value: Buffer;
  version: Version;
}
export interface HistoryRecord {
  txId: string;
  timestamp: Date;
  isDelete: boolean;
  value: Buffer;
}

/** Committed state as the simulator sees it. */
export interface StateReader {
  get(ns: string, key: string): VersionedKV | undefined;
  /** Keys in [start, end) in byte order ('' end = unbounded), at most `limit`. */
  range(ns: string, start: string, end: string, limit: number): VersionedKV[];
  /** Committed modifications of a key, newest first (as Fabric returns them). */
  history(ns: string, key: string): HistoryRecord[];
}

export interface SimulationInput {
  namespace: string;
  channelId: string;
  txId: string;
  timestamp: Date;
  args: Uint8Array[];
  creator: { mspId: string; idBytes: Uint8Array };
  /** Whether a paginated query may be run (Fabric allows them in read-only transactions only). */
}

class ArrayIterator<T> implements Iterators.CommonIterator<T> {
  private i = 0;
  constructor(private readonly items: T[]) {}
  async next(): Promise<Iterators.NextResult<T>> {
    if (this.i < this.items.length) return { value: this.items[this.i++]!, done: false };
    return { value: undefined as unknown as T, done: true };
  }
  async close(): Promise<void> {
    this.i = this.items.length;
  }
}

/** Fabric-shim's idiom: a promise of an iterator that can also be iterated with for-await. */
function iterable<T, R>(
  promise: Promise<R>,
  iteratorOf: (r: R) => Iterators.CommonIterator<T>,
): Promise<R> & AsyncIterable<T> {
  const p = promise as Promise<R> & AsyncIterable<T>;
  p[Symbol.asyncIterator] = async function* () {
    const it = iteratorOf(await promise);
    try {
      for (let r = await it.next(); !r.done; r = await it.next()) yield r.value;
    } finally {
      await it.close();
    }
  };
  return p;
}

export class SimulationStub implements ChaincodeStub {
  private readonly reads = new Map<string, KVReadSpec>();
  private readonly writes = new Map<string, { value: Buffer; isDelete: boolean }>();
  private readonly ranges: RangeQuerySpec[] = [];
  private event?: { name: string; payload: Uint8Array };
  private writePerformed = false;
  private paginatedQueryPerformed = false;
  private readonly bufferArgs: Buffer[];

  constructor(
    private readonly input: SimulationInput,
    private readonly state: StateReader,
  ) {
    this.bufferArgs = input.args.map((a) => Buffer.from(a));
  }

  /** The read-write set so far. */
  rwset(): NsRwSetSpec {
    return {
      namespace: this.input.namespace,
      reads: [...this.reads.values()],
      rangeQueries: this.ranges,
      writes: [...this.writes.entries()].map(([key, w]) => ({ key, isDelete: w.isDelete, value: w.value })),
    };
  }

  chaincodeEvent(): { name: string; payload: Uint8Array } | undefined {
    return this.event;
  }

  // --- arguments and transaction facts ---
  getBufferArgs(): Buffer[] {
    return this.bufferArgs;
  }
  getArgs(): string[] {
    return this.bufferArgs.map((b) => b.toString('utf8'));
  }
  getStringArgs(): string[] {
    return this.getArgs();
  }
  getFunctionAndParameters(): { params: string[]; fcn: string } {
    const [fcn = '', ...params] = this.getArgs();
    return { fcn, params };
  }
  getTxID(): string {
    return this.input.txId;
  }
  getChannelID(): string {
    return this.input.channelId;
  }
  getCreator(): SerializedIdentity {
    return { mspid: this.input.creator.mspId, idBytes: this.input.creator.idBytes };
  }
  getMspID(): string {
    // The peer's own MSP id: the embedded ledger's peer belongs to the creator's organisation.
    return this.input.creator.mspId;
  }
  getTransient(): Map<string, Uint8Array> {
    return new Map();
  }
  getSignedProposal(): never {
    throw new Error('getSignedProposal is not available on the embedded ledger');
  }
  getTxTimestamp(): Timestamp {
    const ms = this.input.timestamp.getTime();
    return { seconds: Long.fromNumber(Math.floor(ms / 1000), true), nanos: (ms % 1000) * 1_000_000 };
  }
  getDateTimestamp(): Date {
    return new Date(this.input.timestamp.getTime());
  }
  getBinding(): string {
    return '';
  }

  // --- state ---
  private checkKey(key: string): void {
    if (typeof key !== 'string' || key.length === 0) throw new Error('key must not be an empty string');
    if (Buffer.from(key, 'utf8').toString('utf8') !== key) throw new Error(`invalid key [${key}]: not valid UTF-8`);
  }

  private recordRead(key: string, version: Version | undefined): void {
    if (!this.reads.has(key)) this.reads.set(key, version ? { key, version } : { key });
  }

  async getState(key: string): Promise<Uint8Array> {
    this.checkKey(key);
    const r = this.state.get(this.input.namespace, key);
    this.recordRead(key, r?.version);
    return r ? Buffer.from(r.value) : Buffer.alloc(0);
  }

  private checkWrite(key: string): void {
    this.checkKey(key);
    if (this.paginatedQueryPerformed) {
      throw new Error(
        `txid [${this.input.txId}]: unsuppored transaction. Transaction has already performed a paginated query. Writes are not allowed`,
      );
    }
  }

  async putState(key: string, value: Uint8Array | string): Promise<void> {
    this.checkWrite(key);
    this.writePerformed = true;
    this.writes.set(key, { value: Buffer.from(value as Uint8Array), isDelete: false });
  }

  async deleteState(key: string): Promise<void> {
    this.checkWrite(key);
    this.writePerformed = true;
    this.writes.set(key, { value: Buffer.alloc(0), isDelete: true });
  }

  async setStateValidationParameter(): Promise<void> {
    throw new Error('key-level endorsement policies are not supported by the embedded ledger');
  }
  async getStateValidationParameter(): Promise<Uint8Array> {
    return Buffer.alloc(0);
  }

  private kv(r: VersionedKV): Iterators.KV {
    return { namespace: this.input.namespace, key: r.key, value: r.value };
  }

  private scan(start: string, end: string, record: boolean): VersionedKV[] {
    const rows = this.state.range(this.input.namespace, start, end, TOTAL_QUERY_LIMIT);
    if (record) {
      this.ranges.push({
        startKey: start,
        endKey: end,
        exhausted: rows.length < TOTAL_QUERY_LIMIT,
        reads: rows.map((r) => ({ key: r.key, version: r.version })),
      });
    }
    return rows;
  }

  private page(start: string, end: string, pageSize: number, bookmark?: string) {
    if (this.writePerformed) {
      throw new Error(
        `txid [${this.input.txId}]: unsuppored transaction. Paginated queries are supported only in a read-only transaction`,
      );
    }
    if (!Number.isInteger(pageSize) || pageSize <= 0) throw new Error('pageSize must be a positive integer');
    this.paginatedQueryPerformed = true;
    const from = bookmark ? bookmark : start;
    const rows = this.state.range(this.input.namespace, from, end, pageSize + 1);
    const pageRows = rows.slice(0, pageSize);
    const next = rows.length > pageSize ? rows[pageSize]!.key : '';
    return {
      iterator: new ArrayIterator(pageRows.map((r) => this.kv(r))),
      metadata: { fetchedRecordsCount: pageRows.length, bookmark: next },
    };
  }

  private static validateSimpleKeys(...keys: string[]): void {
    for (const key of keys) {
      if (key && key.charAt(0) === COMPOSITEKEY_NS) {
        throw new Error(`first character of the key [${key}] contains a null character which is not allowed`);
      }
    }
  }

  getStateByRange(startKey: string, endKey: string) {
    const start = startKey || EMPTY_KEY_SUBSTITUTE;
    SimulationStub.validateSimpleKeys(start, endKey);
    return iterable(
      Promise.resolve().then(
        () => new ArrayIterator(this.scan(start, endKey, true).map((r) => this.kv(r))) as Iterators.StateQueryIterator,
      ),
      (it) => it,
    );
  }

  getStateByRangeWithPagination(startKey: string, endKey: string, pageSize: number, bookmark?: string) {
    const start = startKey || EMPTY_KEY_SUBSTITUTE;
    SimulationStub.validateSimpleKeys(start, endKey);
    return iterable(
      Promise.resolve().then(
        () => this.page(start, endKey, pageSize, bookmark) as StateQueryResponse<Iterators.StateQueryIterator>,
      ),
      (r) => r.iterator,
    );
  }

  getStateByPartialCompositeKey(objectType: string, attributes: string[]) {
    const partial = this.createCompositeKey(objectType, attributes);
    return iterable(
      Promise.resolve().then(
        () =>
          new ArrayIterator(
            this.scan(partial, partial + MAX_UNICODE_RUNE_VALUE, true).map((r) => this.kv(r)),
          ) as Iterators.StateQueryIterator,
      ),
      (it) => it,
    );
  }

  getStateByPartialCompositeKeyWithPagination(
    objectType: string,
    attributes: string[],
    pageSize: number,
    bookmark?: string,
  ) {
    const partial = this.createCompositeKey(objectType, attributes);
    return iterable(
      Promise.resolve().then(
        () =>
          this.page(
            partial,
            partial + MAX_UNICODE_RUNE_VALUE,
            pageSize,
            bookmark,
          ) as StateQueryResponse<Iterators.StateQueryIterator>,
      ),
      (r) => r.iterator,
    );
  }

  getQueryResult(): never {
    throw new Error('rich queries need CouchDB; the embedded ledger, like a LevelDB peer, has none');
  }
  getQueryResultWithPagination(): never {
    throw new Error('rich queries need CouchDB; the embedded ledger, like a LevelDB peer, has none');
  }

  getHistoryForKey(key: string) {
    return iterable(
      Promise.resolve().then(() => {
        this.checkKey(key);
        const items = this.state.history(this.input.namespace, key).map((h) => {
          const ms = h.timestamp.getTime();
          return {
            txId: h.txId,
            value: h.value,
            isDelete: h.isDelete,
            timestamp: { seconds: Long.fromNumber(Math.floor(ms / 1000), true), nanos: (ms % 1000) * 1_000_000 },
          } as unknown as Iterators.KeyModification;
        });
        return new ArrayIterator(items) as Iterators.HistoryQueryIterator;
      }),
      (it) => it,
    );
  }

  async invokeChaincode(): Promise<never> {
    throw new Error('chaincode-to-chaincode calls are not supported by the embedded ledger');
  }

  setEvent(name: string, payload: Uint8Array): void {
    if (typeof name !== 'string' || name === '') throw new Error('Event name must be a non-empty string');
    this.event = { name, payload: Buffer.from(payload) };
  }

  createCompositeKey(objectType: string, attributes: string[]): string {
    return ShimStub.prototype.createCompositeKey.call(this, objectType, attributes);
  }
  splitCompositeKey(compositeKey: string) {
    return ShimStub.prototype.splitCompositeKey.call(this, compositeKey);
  }

  private noPrivateData(): never {
    throw new Error('private data collections are not configured on this channel');
  }
  async getPrivateData(): Promise<Uint8Array> {
    return this.noPrivateData();
  }
  async getPrivateDataHash(): Promise<Uint8Array> {
    return this.noPrivateData();
  }
  async putPrivateData(): Promise<void> {
    return this.noPrivateData();
  }
  async deletePrivateData(): Promise<void> {
    return this.noPrivateData();
  }
  async purgePrivateData(): Promise<void> {
    return this.noPrivateData();
  }
  async setPrivateDataValidationParameter(): Promise<void> {
    return this.noPrivateData();
  }
  async getPrivateDataValidationParameter(): Promise<Uint8Array> {
    return this.noPrivateData();
  }
  getPrivateDataByRange(): never {
    return this.noPrivateData();
  }
  getPrivateDataByPartialCompositeKey(): never {
    return this.noPrivateData();
  }
  getPrivateDataQueryResult(): never {
    return this.noPrivateData();
  }
}

export { cmp };
