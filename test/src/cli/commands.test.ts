/**
 * anxin inspect, history, export (→ replay --file), --help of every command, and usage
 * errors (exit 2), over the real compiled CLI and the audit ledger.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import { before, describe, it } from 'mocha';
import { tempDir } from '../helpers';
import { anxin, auditLedger, copyLedger, expectExit, readFrames, writeFrames, type AuditLedger } from './fixture';

describe('cli: inspect, history, export, help and usage', function () {
  this.timeout(120_000);
  let L: AuditLedger;

  before(async () => {
    L = await auditLedger();
  });

  describe('inspect block N', () => {
    it('--json: header, creator, chaincode call with the statement decoded, read-write set, event, validation code', async () => {
      const c = L.conflicts[0]!;
      const r = await anxin(['inspect', 'block', String(c.block), '--data', L.dir, '--json']);
      expectExit(r, 0);
      const b = r.json;
      expect(b.number).to.equal(c.block);
      expect(b.hash).to.match(/^[0-9a-f]{64}$/);
      expect(b.previousHash).to.match(/^[0-9a-f]{64}$/);
      expect(b.signatures[0].mspId).to.equal('OrdererMSP');
      const tx = b.transactions[c.tx];
      expect(tx).to.deep.include({
        txId: c.txId,
        validation: 'MVCC_READ_CONFLICT',
        validationCode: 11,
        type: 'ENDORSER_TRANSACTION',
      });
      expect(tx.creator.mspId).to.equal('Org1MSP');
      expect(tx.creator.subject).to.match(/OU=client/);
      const a = tx.actions[0];
      expect(a.chaincode.name).to.equal('anxin');
      expect(['revoke', 'suspend']).to.include(a.function);
      expect(a.statement.header).to.deep.include({ alg: 'ES256', typ: 'anxin-statement+jwt' });
      expect(a.statement.header.kid).to.match(/^urn:anxin:issuer:.+#/);
      expect(a.statement.payload).to.deep.include({ kind: a.function });
      const writes = a.rwsets.find((s: { namespace: string }) => s.namespace === 'anxin').writes;
      const anchor = writes.find((w: { key: string }) => w.key.startsWith('/anchor/'));
      expect(anchor.value).to.be.an('object');
      expect(anchor.value.id).to.equal(a.statement.payload.credentialId);
      expect(a.event.name).to.equal('AnchorStatusChanged');
      expect(a.event.payload.id).to.equal(a.statement.payload.credentialId);
    });

    it('for a human: every part labelled, the statement decoded, an invalid transaction said so', async () => {
      const c = L.conflicts[0]!;
      const r = await anxin(['inspect', 'block', String(c.block), '--data', L.dir]);
      expectExit(r, 0);
      expect(r.stdout).to.match(new RegExp(`^Block ${c.block} `));
      for (const label of [
        'hash',
        'previous hash',
        'data hash',
        'signed by',
        'creator',
        'endorsed by',
        'call',
        'statement',
        'read',
        'write',
        'event',
        'response',
      ]) {
        expect(r.stdout, label).to.match(new RegExp(`\\n\\s+${label} `));
      }
      expect(r.stdout).to.match(/MVCC_READ_CONFLICT {2}\(invalid: its writes were not applied\)/);
      expect(r.stdout).to.match(/"kind": "(revoke|suspend)"/);
    });

    it('block 0: the config transaction and the MSPs it names', async () => {
      const r = await anxin(['inspect', 'block', '0', '--data', L.dir, '--json']);
      expectExit(r, 0);
      expect(r.json.transactions[0].type).to.equal('CONFIG');
      expect(r.json.transactions[0].config.msps.map((m: { mspId: string }) => m.mspId).sort()).to.deep.equal([
        'OrdererMSP',
        'Org1MSP',
      ]);
    });

    it('a block that does not exist: exit 2', async () => {
      const r = await anxin(['inspect', 'block', String(L.height + 5), '--data', L.dir, '--json']);
      expectExit(r, 2);
      expect(r.json.error).to.deep.include({ code: 'NOT_FOUND' });
    });
  });

  describe('history <credential-id>', () => {
    it('every change to the anchor, in order, with block, tx, time, kind and signing key; the invalidated attempt marked', async () => {
      const r = await anxin(['history', L.historyId, '--data', L.dir, '--json']);
      expectExit(r, 0);
      const entries = r.json.entries as Array<{
        block: number;
        tx: number;
        function: string;
        applied: boolean;
        signedBy: string;
        status: { from?: string; to?: string };
        time: string;
        validation: string;
      }>;
      const applied = entries.filter((e) => e.applied);
      expect(applied.map((e) => e.function)).to.deep.equal([
        'anchor',
        'suspend',
        'reinstate',
        ...applied.slice(3).map((e) => e.function),
      ]);
      expect(applied[0]!.status).to.deep.equal({ to: 'active' });
      expect(applied[1]!.status).to.deep.include({ from: 'active', to: 'suspended' });
      expect(applied[2]!.status).to.deep.include({ from: 'suspended', to: 'active' });
      expect(applied.at(-1)!.status.to).to.equal('revoked');
      for (const e of entries) {
        expect(e.signedBy).to.match(new RegExp(`^${L.issuers.health.id}#`));
        expect(Number.isNaN(Date.parse(e.time)), e.time).to.equal(false);
      }
      // The anchor was signed with the first key; later changes with the key that replaced it.
      expect(applied[0]!.signedBy).to.equal(L.issuers.health.key.kid);
      expect(applied[1]!.signedBy).to.not.equal(L.issuers.health.key.kid);
      const conflict = L.conflicts.find((c) => entries.some((e) => e.block === c.block && e.tx === c.tx));
      expect(conflict, 'the MVCC conflict on this credential is listed').to.not.equal(undefined);
      expect(entries.find((e) => e.block === conflict!.block && e.tx === conflict!.tx)).to.deep.include({
        applied: false,
        validation: 'MVCC_READ_CONFLICT',
      });
      // In ledger order.
      const order = entries.map((e) => e.block * 1000 + e.tx);
      expect(order).to.deep.equal([...order].sort((a, b) => a - b));
    });

    it('for a human, and exit 1 for a credential the ledger never anchored', async () => {
      const r = await anxin(['history', L.historyId, '--data', L.dir]);
      expectExit(r, 0);
      expect(r.stdout).to.match(/anchor\s+active/);
      expect(r.stdout).to.match(/not applied: MVCC_READ_CONFLICT/);
      expect(r.stdout).to.match(/signed by urn:anxin:issuer:/);
      const none = await anxin(['history', 'urn:uuid:00000000-0000-4000-8000-000000000000', '--data', L.dir]);
      expectExit(none, 1);
      expect(none.stdout).to.match(/never anchored/);
    });
  });

  describe('export → replay --file', () => {
    it('a whole export replays with exit 0 and the same counts; its header names the range and the last block hash', async () => {
      const out = join(tempDir('cli-export'), 'ledger.anxblocks');
      const e = await anxin(['export', '--data', L.dir, '--out', out, '--json']);
      expectExit(e, 0);
      expect(e.json).to.deep.include({ from: 0, to: L.height - 1, blocks: L.height, context: [] });
      const header = JSON.parse(readFileSync(out, 'utf8').split('\n')[1]!);
      expect(header).to.deep.include({
        format: 'anxin-blocks',
        version: 1,
        from: 0,
        to: L.height - 1,
        lastBlockHash: e.json.lastBlockHash,
      });
      const direct = await anxin(['replay', '--data', L.dir, '--json']);
      const r = await anxin(['replay', '--file', out, '--json']);
      expectExit(r, 0);
      expect(r.json.summary.transactions).to.deep.equal(direct.json.summary.transactions);
      expect(r.json.summary.statements).to.deep.equal(direct.json.summary.statements);
      expect(r.json.summary.credentials).to.deep.equal(direct.json.summary.credentials);
    });

    it('a partial export carries the config block: hashes and signatures check out (exit 0), and the report says what could not be checked', async () => {
      const out = join(tempDir('cli-export'), 'part.anxblocks');
      expectExit(await anxin(['export', '--data', L.dir, '--from', '5', '--to', '12', '--out', out]), 0);
      const r = await anxin(['replay', '--file', out, '--json']);
      expectExit(r, 0);
      expect(r.json.summary.blocks).to.deep.equal({ from: 5, to: 12, checked: 8 });
      expect(r.json.summary.stateComplete).to.equal(false);
      expect(r.json.summary.notes.join(' ')).to.match(/starts at block 5/);
      // inspect and history read exports too.
      expectExit(await anxin(['inspect', 'block', '7', '--file', out]), 0);
      expectExit(await anxin(['inspect', 'block', '3', '--file', out]), 2);
    });

    it('an export of a tampered ledger fails its replay, and an export cut short is named', async () => {
      const dir = copyLedger(L.dir, 'export-tamper');
      const frames = readFrames(dir);
      writeFrames(dir, [...frames.slice(0, 4), ...frames.slice(5)]);
      const out = join(tempDir('cli-export'), 'bad.anxblocks');
      // Export refuses a gap in the source…
      const e = await anxin(['export', '--data', dir, '--out', out]);
      expect(e.code).to.equal(2);
      // …and a replay of a truncated export names the missing blocks.
      const good = join(tempDir('cli-export'), 'good.anxblocks');
      expectExit(await anxin(['export', '--data', L.dir, '--out', good]), 0);
      const bytes = readFileSync(good);
      const cut = join(tempDir('cli-export'), 'cut.anxblocks');
      writeFileSync(cut, bytes.subarray(0, bytes.length - 100));
      const r = await anxin(['replay', '--file', cut, '--json']);
      expectExit(r, 1);
      expect(
        r.json.findings.some((f: { kind: string; block: number }) => f.kind === 'source' && f.block === L.height - 1),
      ).to.equal(true);
    });
  });

  describe('--help and usage errors', () => {
    it('--help of every command teaches it with examples (exit 0)', async () => {
      for (const args of [
        ['--help'],
        ['replay', '--help'],
        ['inspect', 'block', '--help'],
        ['history', '--help'],
        ['verify', '--help'],
        ['export', '--help'],
      ]) {
        const r = await anxin(args);
        expectExit(r, 0);
        expect(r.stdout, args.join(' ')).to.match(/Usage: anxin/);
        expect(r.stdout, args.join(' ')).to.match(/Examples:\n\s+\$ anxin/);
      }
      expect((await anxin(['replay', '--help'])).stdout).to.match(
        /Exit code: 0 when everything holds; 1 on any mismatch/,
      );
      expect((await anxin(['--version'])).stdout.trim()).to.match(/^\d+\.\d+\.\d+$/);
    });

    it('usage errors exit 2 with a message on stderr', async () => {
      const cases: Array<[string[], RegExp]> = [
        [[], /Usage: anxin/],
        [['nonsense'], /unknown command/],
        [['inspect'], /Usage: anxin inspect/],
        [['replay'], /say where the blocks are/],
        [['replay', '--data', '/nonexistent/anxin'], /does not exist/],
        [['replay', '--data', L.dir, '--file', 'x'], /cannot be used with/],
        [['replay', '--data', L.dir, '--from', 'x'], /must be a block number/],
        [['replay', '--data', L.dir, '--from', '9', '--to', '3'], /--from 9 is after --to 3/],
        [['replay', '--data', L.dir, '--workers', '-1'], /error: option|must be a whole number/],
        [['replay', '--data', L.dir, '--bogus'], /unknown option/],
        [['replay', '--file', '/etc/hostname'], /not an Anxin block export/],
        [['replay', '--fabric', '/nonexistent/network.json'], /--fabric: .* does not exist/],
        [['replay', '--fabric', 'env'], /--fabric: ANXIN_FABRIC_PEER_ENDPOINT is required/],
        [['inspect', 'block', 'x', '--data', L.dir], /must be a block number/],
        [['history', '--data', L.dir], /missing required argument/],
        [['export', '--data', L.dir], /required option '--out <file>'/],
        [['verify', 'x'], /say where the blocks are/],
        [['verify', 'x', '--trust-list', '/nonexistent.json'], /does not exist/],
      ];
      for (const [args, msg] of cases) {
        const r = await anxin(args);
        expect(r.code, `anxin ${args.join(' ')}: ${r.stderr}`).to.equal(2);
        expect(r.stderr, `anxin ${args.join(' ')}`).to.match(msg);
      }
    });

    it('$ANXIN_DATA_DIR stands in for --data', async () => {
      const r = await anxin(['replay', '--json'], { env: { ANXIN_DATA_DIR: L.dir } });
      expectExit(r, 0);
    });
  });
});
