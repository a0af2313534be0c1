/**
 * The ledger's wire format: what every reader and writer of the Anxin chaincode's data
 * agrees on with the contract — the world-state keys (Fabric composite keys), the
 * contract's and the chaincode's names, and the transaction functions. The embedded
 * ledger, the Fabric adapter, the gateway's projection, the CLI and the benchmarks import
 * it from here (`@anxin/chaincode/rules`, or `@anxin/chaincode/wire` alone); none spells
 * it out again. How a refusal travels (a Rejection's JSON message, read back by
 * `parseRejection`) is in ./errors, and part of this format too.
 *
 * No Fabric runtime and no Node built-in here: this module loads anywhere.
 */
import { STATEMENT_KINDS, type StatementKind } from '@anxin/schemas';

export { REJECTION_CODES, Rejection, parseRejection, type RejectionCode } from './errors';

/** The contract's name inside the chaincode (fabric-contract-api); the only contract, so its functions are called by bare name. */
export const CONTRACT_NAME = 'anxin';

/**
 * The name the chaincode goes by when configuration names none. The name itself is
 * configuration — ANXIN_FABRIC_CHAINCODE, an embedded ledger's genesis (network.json),
 * the CLI's --chaincode — and is the namespace of every write the contract makes.
 */
export const DEFAULT_CHAINCODE_NAME = 'anxin';

/** The state-changing transactions: `init` (the registrar keys, once), then one per statement kind. */
export const STATEMENT_FUNCTIONS = ['init', ...STATEMENT_KINDS] as const;
export type StatementFunction = 'init' | StatementKind;

/** The read-only transactions (`@Transaction(false)`): evaluated, never committed. */
export const QUERY_FUNCTIONS = [
  'getAnchor',
  'checkDigest',
  'getAnchorHistory',
  'getIssuer',
  'listIssuers',
  'getRegistrar',
] as const;
export type QueryFunction = (typeof QUERY_FUNCTIONS)[number];

/** Fabric's composite-key separator (fabric-shim's COMPOSITEKEY_NS): keys are `\u0000type\u0000attr\u0000…`. */
const SEP = '\u0000';

/** The object type of each kind of record, the first part of its composite key. */
export const KEY_PREFIX = {
  anchor: 'anchor',
  issuer: 'issuer',
  statement: 'stmt',
  statusList: 'slist',
  statusSlot: 'sslot',
} as const;
export type KeyedRecord = keyof typeof KEY_PREFIX;

/** The registrar record's key: a plain key, the only one. */
export const REGISTRAR_KEY = 'registrar';

/** A composite key in Fabric's encoding, as `stub.createCompositeKey(type, attrs)` makes it. */
export function compositeKey(type: string, ...attrs: string[]): string {
  return `${SEP}${type}${SEP}${attrs.map((a) => `${a}${SEP}`).join('')}`;
}

/** The key of credential `id`'s anchor. */
export function anchorKey(id: string): string {
  return compositeKey(KEY_PREFIX.anchor, id);
}

/** The key of issuer `id`'s record. */
export function issuerKey(id: string): string {
  return compositeKey(KEY_PREFIX.issuer, id);
}

/** The key of the mark that statement `jti` was applied. */
export function statementKey(jti: string): string {
  return compositeKey(KEY_PREFIX.statement, jti);
}

/** The key of status list `list`'s record: the issuer it belongs to. */
export function statusListKey(list: string): string {
  return compositeKey(KEY_PREFIX.statusList, list);
}

/** The key of entry `idx` of status list `list`: the credential it was given to. */
export function statusSlotKey(list: string, idx: number): string {
  return compositeKey(KEY_PREFIX.statusSlot, list, String(idx));
}

/** What every key of one kind of record starts with. */
export function keyPrefix(kind: KeyedRecord): string {
  return `${SEP}${KEY_PREFIX[kind]}${SEP}`;
}

/**
 * The keys of one kind of record as a range [start, end) in byte order, for a range
 * query over world state: from `\u0000type\u0000` up to, not including, `\u0000type\u0001`.
 */
export function keyRange(kind: KeyedRecord): { start: string; end: string } {
  return { start: keyPrefix(kind), end: `${SEP}${KEY_PREFIX[kind]}\u0001` };
}

const PREFIXES = (Object.keys(KEY_PREFIX) as KeyedRecord[]).map((kind) => [kind, keyPrefix(kind)] as const);

/** Which kind of record a world-state key holds; undefined for a key the contract never writes. */
export function recordKindOf(key: string): KeyedRecord | 'registrar' | undefined {
  if (key === REGISTRAR_KEY) return 'registrar';
  for (const [kind, prefix] of PREFIXES) if (key.startsWith(prefix)) return kind;
  return undefined;
}

/** A key for people: a composite key's separators shown as '/', e.g. /anchor/urn:uuid:…/; a plain key as it is. */
export function displayKey(key: string): string {
  return key.startsWith(SEP) ? key.split(SEP).join('/') : key;
}
