/**
 * The rebuilt world state against the ledger's own current state (an embedded data
 * directory's index holds one), key by key: every value, every version, and no key that
 * no valid transaction wrote.
 */
import type { Finding } from './findings';
import { splitId, type Versioned } from './world';

const eq = (a: Uint8Array, b: Uint8Array) => Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(b);
const text = (b: Uint8Array) => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('utf8');

/**
 * Compare `rebuilt` with `ledger` (both by `ns\u0000key`, as World.state); findings go to `report`.
 *
 * @example
 * if (complete && source.state) compareState(world.state, source.state, log.report);
 */
export function compareState(
  rebuilt: ReadonlyMap<string, Versioned>,
  ledger: ReadonlyMap<string, Versioned>,
  report: (f: Finding) => void,
): void {
  for (const [k, v] of rebuilt) {
    const theirs = ledger.get(k);
    const { ns, key } = splitId(k);
    if (!theirs)
      report({
        kind: 'state',
        key,
        detail: `the ledger's state lacks this ${ns} key`,
        expected: text(v.value),
        actual: '(absent)',
      });
    else if (!eq(theirs.value, v.value))
      report({
        kind: 'state',
        key,
        detail: `the ledger's state holds another value`,
        expected: text(v.value),
        actual: text(theirs.value),
      });
    else if (theirs.version.block !== v.version.block || theirs.version.tx !== v.version.tx) {
      report({
        kind: 'state',
        key,
        detail: 'the ledger records another version',
        expected: `${v.version.block}:${v.version.tx}`,
        actual: `${theirs.version.block}:${theirs.version.tx}`,
      });
    }
  }
  for (const [k, theirs] of ledger) {
    if (!rebuilt.has(k))
      report({
        kind: 'state',
        key: splitId(k).key,
        detail: 'the ledger holds a key no valid transaction wrote',
        expected: '(absent)',
        actual: text(theirs.value),
      });
  }
}
