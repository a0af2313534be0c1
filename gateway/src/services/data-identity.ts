/**
 * Whether the store, the key-encryption key and the ledger a gateway is started on belong
 * together. The first start records the ledger's identity (block 0's channel and header
 * hash) and the KEK's fingerprint in the store; every start compares the three and stops,
 * with one line and a stable code, at the first that does not belong:
 *
 * - a store that holds sealed keys, but no KEK file: a new key would open none of them;
 * - a KEK other than the one the store's records are sealed under;
 * - a store recorded over one ledger, started over another (or over none: a deleted ledger);
 * - an empty store over a ledger that was initialised: a lost store, which a first start
 *   would paper over (a new admin.key, no registrar key) — unless the registrar key is
 *   configured, as for a further gateway joining a shared ledger;
 * - block 0 that does not hold together (its data is not what its header hashes).
 */
import type { Ledger } from '@anxin/network';
import { blockDataHash, decodeBlock } from '@anxin/network';
import type { Kek } from '../crypto/kek';
import { AnxinError } from '../errors';
import type { Store, StoreIdentity } from '../ports/store';

/**
 * Why a gateway refuses to start on the data it was given. Stable: scripts and tests
 * branch on it (`npm start` prints it in its last line and exits with status 3).
 */
export type StartupErrorCode =
  /** The store holds records sealed under a KEK, and the KEK file is missing. */
  | 'kek_missing'
  /** The KEK is not the one the store's records are sealed under. */
  | 'kek_mismatch'
  /** The store is empty, but the ledger was initialised: the store was lost. */
  | 'store_missing'
  /** The store was recorded over an embedded ledger that is not there. */
  | 'ledger_missing'
  /** The store belongs to another ledger (another genesis block or channel). */
  | 'ledger_mismatch'
  /** The ledger cannot be opened or read (its files are damaged, its peer unreachable). */
  | 'ledger_unreadable'
  /** Block 0 does not hold together: its data is not what its header hashes. */
  | 'genesis_damaged';

export class StartupError extends AnxinError<StartupErrorCode> {}

/** The ledger's identity, read from its block 0 (checked to hold together). */
export async function ledgerIdentity(ledger: Ledger): Promise<StoreIdentity['ledger']> {
  let bytes: Uint8Array | undefined;
  try {
    for await (const b of ledger.blocks(0, { follow: false })) {
      bytes = b.bytes;
      break;
    }
  } catch (e) {
    throw new StartupError('ledger_unreadable', `block 0 cannot be read: ${(e as Error).message}`, { cause: e });
  }
  if (!bytes) throw new StartupError('ledger_unreadable', 'the ledger has no block 0');
  let block;
  try {
    block = decodeBlock(bytes);
  } catch (e) {
    throw new StartupError('genesis_damaged', `block 0 does not decode: ${(e as Error).message}`, { cause: e });
  }
  const channel = block.transactions[0]?.channelId;
  if (block.number !== 0 || !channel || !blockDataHash(block.data).equals(block.dataHash))
    throw new StartupError(
      'genesis_damaged',
      `block 0 does not hold together (its data is not what its header hashes): the ledger is damaged`,
    );
  return { channel, genesisHash: block.hash.toString('hex') };
}

/** What a store holds that ties it to a KEK and a ledger, before the ledger is opened. */
export interface StoreHoldings {
  identity?: StoreIdentity;
  /** Whether a gateway has started on it: it holds the gateway's own key or an admin API key. */
  used: boolean;
  /** The KEK its sealed keys name (for a store written before identities were recorded). */
  sealedUnder?: string;
  /** The key ids of the registrar keys it holds. */
  registrarKeyIds: string[];
}

/** What `store` holds of its identity. */
export async function storeHoldings(store: Store): Promise<StoreHoldings> {
  const identity = await store.getIdentity();
  const sealed = [...(await store.listCustodialKeys('gateway')), ...(await store.listCustodialKeys('registrar'))];
  const admins = await store.listApiKeys({ type: 'admin', id: 'admin' });
  return {
    ...(identity ? { identity } : {}),
    used: !!identity || sealed.length > 0 || admins.length > 0,
    ...(sealed[0] ? { sealedUnder: sealed[0].sealed.kek } : {}),
    registrarKeyIds: sealed.filter((k) => k.owner === 'registrar').map((k) => k.kid.slice(k.kid.lastIndexOf('#') + 1)),
  };
}

/** The short form of a genesis hash in messages. */
const short = (hash: string) => hash.slice(0, 16);

/** Refuses a store recorded over another ledger than `ledger`. */
export function checkLedger(held: StoreHoldings, ledger: StoreIdentity['ledger'], where: string): void {
  const mine = held.identity?.ledger;
  if (mine && (mine.channel !== ledger.channel || mine.genesisHash !== ledger.genesisHash))
    throw new StartupError(
      'ledger_mismatch',
      `the store belongs to ledger ${mine.channel}/${short(mine.genesisHash)}, but ${where} is ledger ${ledger.channel}/${short(ledger.genesisHash)}`,
    );
}

/** Refuses a KEK other than the one the store's records are sealed under. */
export function checkKek(held: StoreHoldings, kek: Pick<Kek, 'fingerprint' | 'opens'>, kekFile: string): void {
  const expected = held.identity?.kek ?? held.sealedUnder;
  // During a rotation (anxin kek rotate) the store is sealed under either key of the ring.
  if (expected && !kek.opens.includes(expected))
    throw new StartupError(
      'kek_mismatch',
      `the store's keys are sealed under key-encryption key ${expected}, but ${kekFile} is ${kek.fingerprint}`,
    );
}

/**
 * Refuses a ledger that does not know the store: an empty store over an initialised ledger
 * (unless `joining`: the registrar key is configured), or a used store (written before
 * identities were recorded) whose registrar keys the ledger does not have.
 */
export function checkInitialised(
  held: StoreHoldings,
  registrarKeyIds: string[] | undefined,
  opts: { joining: boolean; storeWhere: string; ledgerWhere: string },
): void {
  if (!held.used && registrarKeyIds && !opts.joining)
    throw new StartupError(
      'store_missing',
      `${opts.ledgerWhere} was initialised, but the store (${opts.storeWhere}) is empty: restore the store this ledger was run with (a first start would replace admin.key and lack the registrar key); a further gateway joining this ledger starts from a fresh data directory, or is given ANXIN_REGISTRAR_KEY_FILE`,
    );
  if (held.identity || !held.used || !held.registrarKeyIds.length) return;
  if (!registrarKeyIds || !held.registrarKeyIds.some((k) => registrarKeyIds.includes(k)))
    throw new StartupError(
      'ledger_mismatch',
      `the store's registrar key is not ${registrarKeyIds ? 'one of the registrar keys of' : 'on'} ${opts.ledgerWhere}: the store belongs to another ledger`,
    );
}
