/**
 * The benchmark's ledger: a fresh embedded network with the registrar keys fixed and one
 * issuer registered, built once as a template and copied for each phase, and anchor
 * statements signed by that issuer ahead of time (signing is the issuer's work, not the
 * ledger's, so it is never inside a timed section).
 */
import { createHash, randomUUID } from 'node:crypto';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { calculateJwkThumbprint, exportJWK, generateKeyPair } from 'jose';
import { signStatement, type StatementSigner } from '@anxin/chaincode/rules';
import { EmbeddedLedger, type EmbeddedLedgerOptions } from '@anxin/network/embedded';

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
      const reg = await generateKeyPair('ES256', { extractable: true });
      const regJwk = await exportJWK(reg.publicKey);
      const regKeyId = await calculateJwkThumbprint(regJwk);
      await ledger.submit('init', [
        JSON.stringify({ registrarKeys: [{ keyId: regKeyId, alg: 'ES256', publicJwk: regJwk }] }),
      ]);
      const iss = await generateKeyPair('ES256', { extractable: true });
      const issJwk = (await exportJWK(iss.publicKey)) as { kty: 'EC'; crv: 'P-256'; x: string; y: string };
      const issKeyId = await calculateJwkThumbprint(issJwk);
      const registration = await signStatement(
        {
          kind: 'registerIssuer',
          iss: 'registrar',
          issuer: {
            id: ISSUER_ID,
            name: '基准测试疾控中心',
            kind: 'health_authority',
            allowedTypes: ['HealthCertificate'],
          },
          key: { keyId: issKeyId, alg: 'ES256', publicJwk: issJwk },
        },
        { kid: `registrar#${regKeyId}`, alg: 'ES256', privateKey: reg.privateKey },
      );
      await ledger.submit('registerIssuer', [registration]);
      const signer: StatementSigner = { kid: `${ISSUER_ID}#${issKeyId}`, alg: 'ES256', privateKey: iss.privateKey };
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
): Promise<{ ledger: EmbeddedLedger; done(): Promise<void> }> {
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
export async function signAnchors(f: BenchFixture, n: number): Promise<string[]> {
  const out: string[] = new Array<string>(n);
  const holderRef = createHash('sha256').update('bench holder').digest('base64url');
  const CHUNK = 256;
  for (let at = 0; at < n; at += CHUNK) {
    const jobs: Promise<string>[] = [];
    for (let i = at; i < Math.min(n, at + CHUNK); i++) {
      const id = `urn:uuid:${randomUUID()}`;
      jobs.push(
        signStatement(
          {
            kind: 'anchor',
            iss: ISSUER_ID,
            anchor: {
              id,
              type: 'HealthCertificate',
              kid: f.signer.kid,
              digest: createHash('sha256').update(id).digest('hex'),
              holderRef,
              validFrom: '2026-01-01T00:00:00Z',
              validUntil: '2027-01-01T00:00:00Z',
            },
          },
          f.signer,
        ),
      );
    }
    const signed = await Promise.all(jobs);
    for (let i = 0; i < signed.length; i++) out[at + i] = signed[i]!;
  }
  return out;
}
