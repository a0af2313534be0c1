/**
 * Choosing a credential's status list entry: a list of the issuer's with room, and an index
 * at random within it, so that the entries of one list are spread over its whole range and
 * a list fetched says nothing about which credential is checked (herd privacy). An index the
 * projection shows given out, or one this gateway handed out moments ago and has not yet
 * seen committed, is never chosen; the ledger has the last word (STATUS_ENTRY_TAKEN).
 */
import { randomBytes, randomInt } from 'node:crypto';
import { STATUS_LIST_SIZE, type StatusEntry } from '@anxin/schemas';
import type { StatusEntryStore } from '../../ports/store';

/** A list takes new entries until this share of it is given out: random picks stay cheap, the herd large. */
export const STATUS_LIST_FILL = 0.5;
/** A handed-out index is held this long in memory; by then it is committed (and projected) or abandoned. */
const HOLD_MS = 10 * 60_000;
const MAX_PICKS = 64;

export class StatusEntryAllocator {
  /** Entries handed out and not yet seen in the store, by list: index → when. */
  private readonly held = new Map<string, Map<number, number>>();
  /**
   * The list each issuer is filling, once this gateway opened or found it, with how many of
   * its entries are used as far as this gateway knows: the store is asked again only when
   * that reaches the limit, not on every issuance.
   */
  private readonly filling = new Map<string, { list: string; used: number }>();

  constructor(
    private readonly store: StatusEntryStore,
    private readonly size = STATUS_LIST_SIZE,
  ) {}

  /**
   * The list's held entries, the expired ones dropped. A Map iterates in insertion order and
   * entries go in with the time they were handed out, so the expired ones are at the front:
   * the sweep stops at the first that is not, and costs nothing per issuance under load.
   */
  private heldIn(list: string, now: number): Map<number, number> {
    let h = this.held.get(list);
    if (!h) this.held.set(list, (h = new Map()));
    for (const [idx, at] of h) {
      if (now - at <= HOLD_MS) break;
      h.delete(idx);
    }
    return h;
  }

  /** The issuer's list with room: the one it is filling, one of its lists in the store, or a new one. */
  private async listFor(issuer: string, now: number): Promise<string> {
    const limit = Math.floor(this.size * STATUS_LIST_FILL);
    const current = this.filling.get(issuer);
    if (current && current.used < limit) {
      current.used++;
      return current.list;
    }
    const lists = await this.store.statusLists(issuer);
    const used = (l: { list: string; entries: number }) => l.entries + this.heldIn(l.list, now).size;
    const roomy = lists.find((l) => used(l) < limit);
    const list = roomy?.list ?? randomBytes(12).toString('base64url');
    this.filling.set(issuer, { list, used: (roomy ? used(roomy) : 0) + 1 });
    return list;
  }

  /**
   * A fresh entry for a credential of `issuer`.
   *
   * @example
   * const entry = await allocator.allocate('urn:anxin:issuer:chengdu-wuhou-cdc'); // { list, idx }
   */
  async allocate(issuer: string): Promise<StatusEntry> {
    const now = Date.now();
    const list = await this.listFor(issuer, now);
    const held = this.heldIn(list, now);
    for (let pick = 0; pick < MAX_PICKS; pick++) {
      const idx = randomInt(this.size);
      if (held.has(idx) || (await this.store.statusEntryTaken(list, idx))) continue;
      held.set(idx, now);
      return { list, idx };
    }
    // Only a list far fuller than it should be gets here: open another.
    this.filling.delete(issuer);
    throw new Error(`status list ${list} has no free entry after ${MAX_PICKS} picks`);
  }
}
