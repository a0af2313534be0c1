/**
 * The Ledger contract suite: what every adapter of the `Ledger` port must do, asked the
 * same way of each (the embedded ledger, a real Fabric peer through fabric-gateway).
 *
 *   ledgerContract('embedded', setup)                    // runs
 *   ledgerContract('Fabric', setup, { skip: 'FABRIC_BIN is not set' })  // listed, skipped, by name
 *
 * `setup` gives a fresh `Ledger` (its own connection or directory) on which the registrar
 * is initialised and one issuer registered. The ledger may hold blocks of other tests
 * (a Fabric network is shared by the process), so the cases look at what they did
 * themselves: heights and streams from the height they started at.
 */
import { expect } from 'chai';
import { afterEach, before, beforeEach, describe, it } from 'mocha';
import { CONCURRENCY_CASES } from './ledger-contract/concurrency';
import type { Case, Ctx, LedgerContractOptions, LedgerUnderTest } from './ledger-contract/port';
import { STREAMS_CASES } from './ledger-contract/streams';
import { SUBMIT_CASES } from './ledger-contract/submit';

export { json, registerTestIssuer, type LedgerContractOptions, type LedgerUnderTest } from './ledger-contract/port';

const CASES: Case[] = [...SUBMIT_CASES, ...STREAMS_CASES, ...CONCURRENCY_CASES];

/** Titles of the cases, for runners that list them. */
export const LEDGER_CONTRACT_CASES = CASES.map((c) => c.title);

/**
 * Register the Ledger contract suite for one adapter.
 *
 * @example
 * ledgerContract('embedded', async () => ({ ledger, registrar, issuer, teardown }));
 */
export function ledgerContract(
  name: string,
  setup: () => Promise<LedgerUnderTest>,
  opts: LedgerContractOptions = {},
): void {
  if (opts.skip !== undefined) {
    describe(`Ledger contract: ${name} (skipped: ${opts.skip})`, () => {
      for (const c of CASES) it.skip(c.title);
    });
    return;
  }
  describe(`Ledger contract: ${name}`, function () {
    if (opts.timeoutMs) this.timeout(opts.timeoutMs);
    const ctx = {} as Ctx;
    if (opts.prepare) {
      before(async function () {
        this.timeout(opts.prepareTimeoutMs ?? 300_000);
        await opts.prepare!();
      });
    }
    beforeEach(async () => {
      ctx.t = await setup();
      expect(['embedded', 'fabric']).to.include(ctx.t.ledger.kind);
    });
    afterEach(async () => {
      await ctx.t?.teardown();
    });
    for (const c of CASES) {
      const gap = opts.knownGaps?.[c.title];
      if (gap !== undefined) it.skip(`${c.title} [known gap: ${gap}]`);
      else it(c.title, () => c.run(ctx));
    }
    const unknown = Object.keys(opts.knownGaps ?? {}).filter((k) => !LEDGER_CONTRACT_CASES.includes(k));
    if (unknown.length) throw new Error(`knownGaps names no case: ${unknown.join('; ')}`);
  });
}
