/**
 * KEK rotation: every sealed record (custodial private keys, issued credentials) re-sealed
 * under a new key-encryption key, one record at a time, so that a kill at any instant leaves
 * a store whose every record opens with the key files on disk.
 *
 * The steps, each one safe to be killed after:
 *  1. the new key is written to `<kek>.next` (temporary file, fsync, rename, fsync of the directory);
 *  2. each record not sealed under it is opened (old or new key) and re-sealed under it,
 *     replaced only if unchanged meanwhile (compare-and-set on its ciphertext);
 *  3. the old key is copied to `<kek>.previous`, then `<kek>.next` is renamed over `<kek>`;
 *  4. once no record is left under another key, `<kek>.previous` is removed.
 * The gateway opens with `<kek>`, `<kek>.next` and `<kek>.previous` (loadKekRing), so every
 * state in between serves; running the rotation again finishes an interrupted one.
 */
import { randomBytes } from 'node:crypto';
import { closeSync, existsSync, fsyncSync, openSync, renameSync, unlinkSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { Kek, KekError, kekRotationFiles, readKek } from '../../crypto/kek';
import type { IdentityStore, ResealStore, SealedKind } from '../../ports/store';

/** Where a rotation may be stopped for a crash test (see `RotateKekOptions.fault`). */
export type KekRotationPoint = 'next-written' | 'resealed' | 'previous-written' | 'renamed';

export interface RotateKekOptions {
  /** Records listed per page. */
  pageSize?: number;
  /** Called at each point a crash is to be survived from (tests kill the process there). */
  fault?: (point: KekRotationPoint, resealed: number) => void;
}

export interface KekRotationResult {
  /** Fingerprint of the KEK every record is sealed under now. */
  kek: string;
  /** Fingerprint of the KEK it replaced. */
  previous: string;
  /** Records re-sealed by this run. */
  resealed: number;
  /** Sealed records in the store. */
  records: number;
  /** True when this run finished a rotation an earlier one had begun. */
  resumed: boolean;
}

const KINDS: readonly SealedKind[] = ['custodial_key', 'credential'];

/** Write `text` to `path` so that a crash leaves either no file or the whole of it. */
function writeDurably(path: string, text: string): void {
  const tmp = `${path}.tmp`;
  writeFileSync(tmp, text, { mode: 0o600 });
  const fd = openSync(tmp, 'r+');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, path);
  syncDir(dirname(path));
}

function syncDir(dir: string): void {
  const fd = openSync(dir, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** Re-seal every record not under `target`; returns how many were re-sealed and how many there are. */
async function resealAll(
  store: ResealStore,
  ring: Kek,
  target: Kek,
  opts: RotateKekOptions,
): Promise<{ resealed: number; records: number }> {
  const pageSize = opts.pageSize ?? 200;
  let resealed = 0;
  let records = 0;
  for (const kind of KINDS) {
    let after: string | undefined;
    for (;;) {
      const page = await store.listSealed(kind, after, pageSize);
      if (!page.length) break;
      let prev = after;
      for (const e of page) {
        records++;
        let current = e.sealed;
        // A record changed meanwhile (re-issued, re-sealed by another run) is read again and retried.
        for (let attempt = 0; current.kek !== target.fingerprint; attempt++) {
          if (attempt === 5)
            throw new KekError('kek_unsealable', `${kind} ${e.id} keeps changing while being re-sealed`);
          const next = target.seal(ring.open(current, e.id), e.id);
          if (await store.replaceSealed(kind, e.id, current, next)) {
            resealed++;
            opts.fault?.('resealed', resealed);
            break;
          }
          const [again] = await store.listSealed(kind, prev, 1);
          if (!again || again.id !== e.id) break;
          current = again.sealed;
        }
        prev = e.id;
      }
      after = page[page.length - 1]!.id;
    }
  }
  return { resealed, records };
}

/** Whether any record is sealed under a key other than `fingerprint`. */
async function anyLeftBehind(store: ResealStore, fingerprint: string, pageSize: number): Promise<boolean> {
  for (const kind of KINDS) {
    let after: string | undefined;
    for (;;) {
      const page = await store.listSealed(kind, after, pageSize);
      if (!page.length) break;
      if (page.some((e) => e.sealed.kek !== fingerprint)) return true;
      after = page[page.length - 1]!.id;
    }
  }
  return false;
}

/**
 * Rotate the KEK in `kekFile` over `store`, or finish a rotation an earlier run began.
 * Stop the gateways that use the store first: a record one of them seals meanwhile under
 * the old key is re-sealed by the next run, and `<kek>.previous` stays until then.
 *
 * @example
 * const r = await rotateKek(store, '/var/lib/anxin/kek.key'); // r.kek: the new fingerprint
 */
export async function rotateKek(
  store: ResealStore & Pick<IdentityStore, 'recordIdentityKek'>,
  kekFile: string,
  opts: RotateKekOptions = {},
): Promise<KekRotationResult & { previousKept: boolean }> {
  const files = kekRotationFiles(kekFile);
  const current = readKek(kekFile);
  let target: Kek;
  let old: Kek;
  let resumed = false;
  if (existsSync(files.next)) {
    // Killed before the new key took the KEK file's place: go on with the same new key.
    target = readKek(files.next);
    old = current;
    resumed = true;
  } else if (existsSync(files.previous)) {
    // Killed after it took its place: the old key is in .previous; finish re-sealing.
    target = current;
    old = readKek(files.previous);
    resumed = true;
  } else {
    writeDurably(files.next, randomBytes(32).toString('base64') + '\n');
    target = readKek(files.next);
    old = current;
    opts.fault?.('next-written', 0);
  }
  const ring = target.openingAlso([old, current]);
  const { resealed, records } = await resealAll(store, ring, target, opts);
  if (existsSync(files.next)) {
    writeDurably(files.previous, old.toFileText());
    opts.fault?.('previous-written', resealed);
    renameSync(files.next, kekFile);
    syncDir(dirname(kekFile));
    opts.fault?.('renamed', resealed);
  }
  const previousKept = await anyLeftBehind(store, target.fingerprint, opts.pageSize ?? 200);
  if (!previousKept) {
    // The store's identity names the new key before the old one goes: a start in between
    // opens either way, one after finds the identity and the KEK file agreeing.
    await store.recordIdentityKek(target.fingerprint);
  }
  if (!previousKept && existsSync(files.previous)) {
    unlinkSync(files.previous);
    syncDir(dirname(files.previous));
  }
  return { kek: target.fingerprint, previous: old.fingerprint, resealed, records, resumed, previousKept };
}
