/**
 * What the wallet keeps on the phone, in IndexedDB (database `anxin-wallet`): the device
 * key pair (a non-extractable CryptoKey survives there by structured clone), the cards,
 * and small settings. Nothing here is ever sent anywhere by this module.
 */

/** A credential kept, with what the wallet last learnt of its status. */
export interface Card {
  /** The credential's id (`jti`). */
  id: string;
  /** The SD-JWT VC as issued, with every disclosure. */
  credential: string;
  type: string;
  issuer: { id: string; name?: string };
  validFrom?: string;
  validUntil?: string;
  receivedAt: string;
  /** The last status read from the issuer's status list, and the instant it is as of. */
  status?: { status: 'active' | 'revoked' | 'suspended' | 'unknown'; asOf?: string; checkedAt: string };
}

const DB = 'anxin-wallet';
const STORES = ['keys', 'cards', 'settings'] as const;
type Store = (typeof STORES)[number];

let opened: Promise<IDBDatabase> | undefined;

function db(): Promise<IDBDatabase> {
  opened ??= new Promise((resolve, reject) => {
    const req = indexedDB.open(DB, 1);
    req.onupgradeneeded = () => {
      for (const s of STORES) if (!req.result.objectStoreNames.contains(s)) req.result.createObjectStore(s);
    };
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error ?? new Error('IndexedDB unavailable'));
  });
  return opened;
}

function done<T>(req: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error ?? new Error('IndexedDB request failed'));
  });
}

async function tx(store: Store, mode: IDBTransactionMode): Promise<IDBObjectStore> {
  return (await db()).transaction(store, mode).objectStore(store);
}

export async function get<T>(store: Store, key: string): Promise<T | undefined> {
  return (await done((await tx(store, 'readonly')).get(key))) as T | undefined;
}

export async function put(store: Store, key: string, value: unknown): Promise<void> {
  await done((await tx(store, 'readwrite')).put(value, key));
}

export async function remove(store: Store, key: string): Promise<void> {
  await done((await tx(store, 'readwrite')).delete(key));
}

/** Every card kept, newest first. */
export async function allCards(): Promise<Card[]> {
  const cards = (await done((await tx('cards', 'readonly')).getAll())) as Card[];
  return cards.sort((a, b) => b.receivedAt.localeCompare(a.receivedAt));
}

export function putCard(card: Card): Promise<void> {
  return put('cards', card.id, card);
}
