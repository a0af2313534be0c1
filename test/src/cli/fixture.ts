/**
 * Fixtures of the CLI suites:
 *
 * - `anxin(args)`: the real compiled CLI (`node cli/dist/bin.js …`) in a child process:
 *   exit code, stdout, stderr, and stdout parsed as JSON when it is.
 * - `auditLedger()`: an embedded ledger holding every kind of statement (init,
 *   registerIssuer, updateIssuer, addKey, retireKey, revokeKey, anchor, revoke, suspend,
 *   reinstate), MVCC conflicts (concurrent status changes on one credential),
 *   an issuer suspended and reactivated, another revoked since an instant between its anchors, and
 *   submissions the contract refused; built once per test process, closed, and then
 *   only ever copied (`copyLedger()`) before anything touches it.
 * - block-file surgery: read the frames of a ledger's block files, write them back.
 */
import { execFile } from 'node:child_process';
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { expect } from 'chai';
import { CommitError, RejectedError, type SubmitResult } from '@anxin/network';
import { encodeVarint, listBlockFiles, blockFileName, scanBlockFiles } from '@anxin/network/embedded';
import { CHAIN_DIR } from '@anxin/network/embedded';
import type { CredentialType } from '@anxin/schemas';
import {
  anchorCredential,
  expectRejected,
  newIssuerKey,
  openLedger,
  registerIssuer,
  sign,
  statements,
  submitStatement,
  tempDir,
  type OwnedKey,
  type TestIssuer,
} from '../helpers';

export const CLI = resolve(__dirname, '..', '..', '..', 'cli', 'dist', 'bin.js');

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
  // stdout parsed: its shape depends on the command.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  json?: any;
}

/** Run the compiled CLI. Never rejects: the exit code is in the result. */
export function anxin(
  args: string[],
  opts: { env?: Record<string, string>; input?: string; timeoutMs?: number } = {},
): Promise<CliRun> {
  return new Promise((done) => {
    const child = execFile(
      process.execPath,
      [CLI, ...args],
      {
        env: { ...process.env, ANXIN_DATA_DIR: '', ...opts.env },
        maxBuffer: 64 * 1024 * 1024,
        timeout: opts.timeoutMs ?? 120_000,
      },
      (err, stdout, stderr) => {
        const code = err
          ? typeof (err as { code?: unknown }).code === 'number'
            ? (err as { code: number }).code
            : -1
          : 0;
        let json: unknown;
        try {
          json = JSON.parse(stdout);
        } catch {
          json = undefined;
        }
        done({ code, stdout, stderr, ...(json !== undefined ? { json } : {}) });
      },
    );
    if (opts.input !== undefined) child.stdin!.end(opts.input);
  });
}

/** Assert an exit code, showing the output when it is not. */
export function expectExit(r: CliRun, code: number): void {
  expect(r.code, `exit code; stderr: ${r.stderr.slice(0, 800)}; stdout: ${r.stdout.slice(0, 800)}`).to.equal(code);
}

export interface AuditLedger {
  /** The ledger folder (closed; copy it before changing anything). */
  dir: string;
  height: number;
  issuers: { health: TestIssuer; training: TestIssuer; platform: TestIssuer; employer: TestIssuer };
  /** The employer is revoked since this instant (after two of its anchors, before the third). */
  revokedSince: string;
  /** A credential with a full history: anchor, suspend, reinstate, an invalidated revoke, revoke. */
  historyId: string;
  /** Every credential anchored, with its final status. */
  credentials: Map<string, { type: CredentialType; status: string; issuer: string }>;
  /** Transactions committed as MVCC_READ_CONFLICT. */
  conflicts: Array<{ block: number; tx: number; txId: string }>;
  /** Valid status-changing transactions. */
  statusChanges: Array<{ block: number; tx: number; txId: string; kind: string }>;
  /** Codes of the submissions the contract refused (never on the ledger). */
  rejected: string[];
  kinds: Set<string>;
}

let built: Promise<AuditLedger> | undefined;

/** The shared audit ledger (built on first use, ~2 s). */
export function auditLedger(): Promise<AuditLedger> {
  built ??= buildAuditLedger();
  return built;
}

async function buildAuditLedger(): Promise<AuditLedger> {
  const { ledger, dir, registrar } = await openLedger({ endorsers: 0 });
  const kinds = new Set<string>(['init']);
  const credentials: AuditLedger['credentials'] = new Map();
  const conflicts: AuditLedger['conflicts'] = [];
  const statusChanges: AuditLedger['statusChanges'] = [];
  const rejected: string[] = [];
  const where = (r: SubmitResult) => ({ block: r.block, tx: r.txIndex, txId: r.txId });
  try {
    const health = await registerIssuer(ledger, registrar, {
      kind: 'health_authority',
      allowedTypes: ['HealthCertificate'],
    });
    const training = await registerIssuer(ledger, registrar, {
      kind: 'training_body',
      allowedTypes: ['SkillCertificate'],
    });
    const platform = await registerIssuer(ledger, registrar, { kind: 'platform', allowedTypes: ['LaborContract'] });
    kinds.add('registerIssuer');
    await submitStatement(
      ledger,
      statements.updateIssuer(training.id, { name: '四川省职业技能鉴定中心', allowedTypes: ['SkillCertificate'] }),
      registrar,
    );
    kinds.add('updateIssuer');

    const anchorMany = async (issuer: TestIssuer, n: number, key?: OwnedKey, type?: CredentialType) => {
      const out = await Promise.all(
        Array.from({ length: n }, () =>
          anchorCredential(ledger, issuer, { ...(key ? { key } : {}), ...(type ? { type } : {}) }),
        ),
      );
      for (const a of out) credentials.set(a.spec.id, { type: a.spec.type, status: 'active', issuer: issuer.id });
      kinds.add('anchor');
      return out.map((a) => a.spec.id);
    };
    const healthIds = await anchorMany(health, 14);
    const skillIds = await anchorMany(training, 6);
    const laborIds = await anchorMany(platform, 8);
    await anchorMany(training, 2, undefined, 'SkillCertificate');

    // Key rotation: the training body adds a key, anchors with it, retires the old one.
    const trainingKey2 = await newIssuerKey(training.id);
    await submitStatement(ledger, statements.addKey(training.id, trainingKey2.newKey), registrar);
    kinds.add('addKey');
    await anchorMany(training, 3, trainingKey2);
    await submitStatement(ledger, statements.retireKey(training.id, training.key.keyId), registrar);
    kinds.add('retireKey');
    rejected.push((await expectRejected(anchorCredential(ledger, training), 'KEY_RETIRED')).reason);

    // A health authority key compromised: a new key, then the old one revoked since a moment ago.
    const healthKey2 = await newIssuerKey(health.id);
    await submitStatement(ledger, statements.addKey(health.id, healthKey2.newKey), registrar);
    await submitStatement(
      ledger,
      statements.revokeKey(health.id, health.key.keyId, new Date(Date.now() - 1000).toISOString()),
      registrar,
    );
    kinds.add('revokeKey');
    rejected.push((await expectRejected(anchorCredential(ledger, health), 'KEY_COMPROMISED')).reason);
    await anchorMany(health, 3, healthKey2);

    // Status changes, one at a time.
    const change = async (issuer: TestIssuer, key: OwnedKey, kind: 'revoke' | 'suspend' | 'reinstate', id: string) => {
      const r = await submitStatement(ledger, statements[kind](issuer.id, id), key);
      statusChanges.push({ ...where(r), kind });
      kinds.add(kind);
      credentials.get(id)!.status = kind === 'revoke' ? 'revoked' : kind === 'suspend' ? 'suspended' : 'active';
      return r;
    };
    const historyId = healthIds[0]!;
    await change(health, healthKey2, 'suspend', historyId);
    await change(health, healthKey2, 'reinstate', historyId);
    await change(platform, platform.key, 'revoke', laborIds[0]!);
    await change(training, trainingKey2, 'suspend', skillIds[0]!);

    // Concurrent status changes on one credential: both simulate on the same state, one commits, the other is MVCC_READ_CONFLICT.
    for (const [issuer, key, id] of [
      [health, healthKey2, historyId],
      [health, healthKey2, healthIds[1]!],
      [platform, platform.key, laborIds[1]!],
      [platform, platform.key, laborIds[2]!],
    ] as const) {
      const settled = await Promise.allSettled([
        ledger.submit('revoke', [await sign(statements.revoke(issuer.id, id), key)]),
        ledger.submit('suspend', [await sign(statements.suspend(issuer.id, id), key)]),
      ]);
      for (const [i, s] of settled.entries()) {
        const kind = i === 0 ? 'revoke' : 'suspend';
        if (s.status === 'fulfilled') {
          statusChanges.push({ ...where(s.value), kind });
          credentials.get(id)!.status = kind === 'revoke' ? 'revoked' : 'suspended';
        } else if (s.reason instanceof CommitError) {
          const e = s.reason;
          conflicts.push({ block: e.block, tx: ledger.transaction(e.txId!)!.index, txId: e.txId! });
        } else if (s.reason instanceof RejectedError) {
          rejected.push(s.reason.reason);
        } else throw s.reason;
      }
    }
    expect(conflicts.length, 'MVCC conflicts in the audit ledger').to.be.greaterThan(0);
    // The history credential: revoke it for good if the race left it suspended.
    if (credentials.get(historyId)!.status === 'suspended') await change(health, healthKey2, 'revoke', historyId);

    // Refused submissions: another issuer's credential, a statement applied twice, a transition that does not exist.
    rejected.push(
      (
        await expectRejected(
          submitStatement(ledger, statements.revoke(platform.id, healthIds[2]!), platform.key),
          'NOT_OWN_CREDENTIAL',
        )
      ).reason,
    );
    const once = await sign(statements.suspend(health.id, healthIds[3]!), healthKey2);
    const r = await ledger.submit('suspend', [once]);
    statusChanges.push({ ...where(r), kind: 'suspend' });
    credentials.get(healthIds[3]!)!.status = 'suspended';
    rejected.push((await expectRejected(ledger.submit('suspend', [once]), 'STATEMENT_REPLAYED')).reason);
    rejected.push(
      (
        await expectRejected(
          submitStatement(ledger, statements.reinstate(health.id, healthIds[4]!), healthKey2),
          'INVALID_TRANSITION',
        )
      ).reason,
    );

    // An issuer suspended by the registrar, then active again.
    await submitStatement(ledger, statements.updateIssuer(platform.id, { status: 'suspended' }), registrar);
    rejected.push((await expectRejected(anchorCredential(ledger, platform), 'ISSUER_NOT_ACTIVE')).reason);
    await submitStatement(ledger, statements.updateIssuer(platform.id, { status: 'active' }), registrar);
    await anchorMany(platform, 2);

    // Renewals: a skill certificate renewed (linked both ways), another re-issued superseding the old one.
    for (const supersede of [false, true]) {
      const old = await anchorCredential(ledger, training, { key: trainingKey2 });
      const renewal = await anchorCredential(ledger, training, {
        key: trainingKey2,
        anchor: { holderRef: old.spec.holderRef, replaces: old.spec.id, ...(supersede ? { supersede } : {}) },
      });
      credentials.set(old.spec.id, {
        type: old.spec.type,
        status: supersede ? 'revoked' : 'active',
        issuer: training.id,
      });
      credentials.set(renewal.spec.id, { type: renewal.spec.type, status: 'active', issuer: training.id });
    }

    // An employer revoked mid-way, since an instant between its anchors: it anchors nothing more.
    const employer = await registerIssuer(ledger, registrar, { kind: 'employer', allowedTypes: ['LaborContract'] });
    await anchorMany(employer, 2);
    const revokedSince = new Date().toISOString();
    await new Promise((r) => setTimeout(r, 5));
    await anchorMany(employer, 1);
    await submitStatement(ledger, statements.updateIssuer(employer.id, { status: 'revoked', revokedSince }), registrar);
    rejected.push((await expectRejected(anchorCredential(ledger, employer), 'ISSUER_NOT_ACTIVE')).reason);
    for (const k of [
      'init',
      'registerIssuer',
      'updateIssuer',
      'addKey',
      'retireKey',
      'revokeKey',
      'anchor',
      'revoke',
      'suspend',
      'reinstate',
    ]) {
      expect(kinds.has(k), `the audit ledger has a ${k}`).to.equal(true);
    }
    const height = ledger.height;
    return {
      dir,
      height,
      issuers: { health, training, platform, employer },
      revokedSince,
      historyId,
      credentials,
      conflicts,
      statusChanges,
      rejected,
      kinds,
    };
  } finally {
    await ledger.close();
  }
}

/** A copy of a ledger folder (the original stays untouched). */
export function copyLedger(src: string, name = 'copy'): string {
  const dst = join(tempDir(`cli-${name}`), 'ledger');
  cpSync(src, dst, { recursive: true });
  return dst;
}

/** The frames of a ledger's block files, in order: block bytes. */
export function readFrames(ledgerDir: string): Uint8Array[] {
  return [...scanBlockFiles(join(ledgerDir, CHAIN_DIR))].map((b) => Buffer.from(b.bytes));
}

/** Replace a ledger's block files with these blocks (one file). */
export function writeFrames(ledgerDir: string, frames: Uint8Array[]): void {
  const chain = join(ledgerDir, CHAIN_DIR);
  for (const f of listBlockFiles(chain)) writeFileSync(join(chain, blockFileName(f)), '');
  writeFileSync(
    join(chain, blockFileName(0)),
    Buffer.concat(frames.flatMap((b) => [encodeVarint(b.length), Buffer.from(b)])),
  );
}

/** The single block file of a small ledger (path and bytes). */
export function blockFile(ledgerDir: string): { path: string; bytes: Buffer } {
  const chain = join(ledgerDir, CHAIN_DIR);
  const files = listBlockFiles(chain);
  expect(files, 'block files').to.deep.equal([0]);
  const path = join(chain, blockFileName(0));
  return { path, bytes: readFileSync(path) };
}
