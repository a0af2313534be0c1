/**
 * The README's first round trip, run as a newcomer runs it: its `sh` block, as written, by
 * bash with curl and jq, in the folder of a gateway's data directory (the gateway on port 0
 * stands in for `npm start`'s 127.0.0.1:8080). What it prints is read back: the certificate
 * verifies, the suspension shows, and the certificate it issued is fresh — valid from today
 * for about a year, whatever day the suite runs — so the block keeps working for the next
 * newcomer. Skipped, by name, where bash, curl or jq is missing.
 */
import { execFile, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { expect } from 'chai';
import { after, before, describe, it } from 'mocha';
import { TestGateway, DAY } from '../../helpers/gateway';
import { codeBlocks, jsonValues } from '../../helpers/readme';

const ROOT = resolve(__dirname, '..', '..', '..', '..');
const README_URL = 'http://127.0.0.1:8080';

const missingTool = ['bash', 'curl', 'jq'].find(
  (t) => spawnSync('sh', ['-c', `command -v ${t}`], { stdio: 'ignore' }).status !== 0,
);

/** The README's round-trip block: the `sh` block under "First round trip" that sets B. */
function roundTripBlock(): string {
  const blocks = codeBlocks(readFileSync(join(ROOT, 'README.md'), 'utf8'), 'README.md').filter(
    (b) => b.heading === 'First round trip' && b.lang === 'sh',
  );
  expect(blocks, 'one sh block under "First round trip"').to.have.length(1);
  return blocks[0]!.text;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- what jq printed, read field by field
type Json = any;

(missingTool ? describe.skip : describe)(
  `README: the first round trip, run by bash, curl and jq${missingTool ? ` (skipped: no ${missingTool})` : ''}`,
  function () {
    this.timeout(120_000);
    let gw: TestGateway;
    let printed: Json[];
    let stderr: string;

    before(async () => {
      gw = await TestGateway.start();
      const block = roundTripBlock();
      const setB = new RegExp(`^B=${README_URL.replace(/[.]/g, '\\.')}$`, 'm');
      expect(block, `the block sets B=${README_URL}`).to.match(setB);
      const script = `set -euo pipefail\n${block.replace(setB, `B=${gw.url}`)}\n`;
      const out = await new Promise<{ stdout: string; stderr: string; code: number }>((done) =>
        execFile('bash', ['-c', script], { cwd: join(gw.dataDir, '..'), timeout: 100_000 }, (err, so, se) =>
          done({ stdout: so, stderr: se, code: err ? Number((err as { code?: number }).code) : 0 }),
        ),
      );
      stderr = out.stderr;
      expect(out.code, `the block ran to its end; stderr: ${out.stderr.slice(0, 1000)}`).to.equal(0);
      printed = jsonValues(out.stdout) as Json[];
    });
    after(async () => gw?.stop());

    it('prints what each step says: issuer id, anchor, report, suspension, report, status', () => {
      expect(printed, stderr).to.have.length(6);
      const [issuerId, issued, , suspended, , status] = printed;
      expect(issuerId)
        .to.be.a('string')
        .and.match(/chengdu-wuhou-cdc$/);
      expect(issued.id).to.match(/^urn:uuid:/);
      expect(issued.anchor.block).to.be.a('number');
      expect(suspended).to.include({ id: issued.id, status: 'suspended' });
      expect(status).to.include({ id: issued.id, status: 'suspended' });
    });

    it('step 4: the health certificate verifies (verified: true, every check passes but holder binding)', () => {
      const report = printed[2];
      expect(report.reasons).to.deep.equal([]);
      expect(report.verified).to.equal(true);
      for (const [check, result] of Object.entries(report.checks as Record<string, string>))
        expect(result, check).to.equal(check === 'holderBinding' ? 'skipped' : 'pass');
    });

    it('step 6: after the suspension, verified: false with status: suspended', () => {
      const report = printed[4];
      expect(report.verified).to.equal(false);
      expect(report.reasons.map((r: Json) => `${r.check}:${r.code}`)).to.include('status:suspended');
    });

    it('the certificate it issues is fresh: valid from today for about a year, so the block keeps working', () => {
      const status = printed[5];
      const from = Date.parse(status.validFrom);
      const until = Date.parse(status.validUntil);
      const now = Date.now();
      expect(from, 'validFrom')
        .to.be.at.most(now)
        .and.at.least(now - 2 * DAY);
      expect(until, 'validUntil')
        .to.be.at.least(now + 360 * DAY)
        .and.at.most(now + 367 * DAY);
    });
  },
);
