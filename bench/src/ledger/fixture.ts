/**
 * The benchmark's ledger: a fresh embedded network with the registrar keys fixed and one
 * issuer registered, built once as a template and copied for each phase, and anchor
 * statements signed by that issuer ahead of time (signing is the issuer's work, not the
 * ledger's, so it is never inside a timed section).
 */
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { StatementSigner } from '@anxin/chaincode/rules';
import { EmbeddedLedger, type EmbeddedLedgerOptions } from '@anxin/network/embedded';
import { registerBenchIssuer, signAnchors as signIssuerAnchors } from '../issuer';

export const ISSUER_ID = 'urn:anxin:issuer:bench-health-authority';

export interface BenchFixture {
  /** Scratch folder holding the template and every phase's copy; removed by `dispose`. */
  root: string;
  template: string;
  signer: StatementSigner;
  /** The ledger options every phase opens with. */
  options: EmbeddedLedgerOptions;
  dispose(): void;
}

export async function createFixture(options: EmbeddedLedgerOptions): Promise<BenchFixture> {
  const root = mkdtempSync(join(tmpdir(), 'anxin-bench-'));
  const template = join(root, 'template');
  try {
    const ledger = await EmbeddedLedger.open(template, options);
    try {
      const signer = await registerBenchIssuer(ledger, ISSUER_ID);
      return {
        root,
        template,
        signer,
        options,
        dispose: () => rmSync(root, { recursive: true, force: true }),
      };
    } finally {
      await ledger.close();
    }
  } catch (e) {
    rmSync(root, { recursive: true, force: true });
    throw e;
  }
}

/** A fresh copy of the template ledger for one phase; `done` closes it and removes the copy. */
export async function openPhaseLedger(
  f: BenchFixture,
  name: string,
): Promise<{ ledger: EmbeddedLedger; done: () => Promise<void> }> {
  const dir = join(f.root, name);
  rmSync(dir, { recursive: true, force: true });
  cpSync(f.template, dir, { recursive: true });
  const ledger = await EmbeddedLedger.open(dir, f.options);
  return {
    ledger,
    done: async () => {
      try {
        await ledger.close();
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}

/** `n` anchor statements for distinct new credentials, signed by the fixture's issuer. */
export function signAnchors(f: BenchFixture, n: number): Promise<string[]> {
  return signIssuerAnchors(f.signer, ISSUER_ID, n);
}
