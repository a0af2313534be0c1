/**
 * The README's "Checking a credential without Anxin", run as a stranger runs it: its `sh`
 * block, as written, by bash with curl and jq, beside the `cred.json` the first round trip
 * leaves (a credential issued by a gateway on port 0). It finds the issuer's keys from the
 * credential alone, with no API key. Skipped, by name, where bash, curl or jq is missing.
 */
import { execFile, spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { expect } from 'chai';
import { after, before, describe, it } from 'mocha';
import { TestGateway, decodeJws, type RegisteredIssuer } from '../../helpers/gateway';
import { codeBlocks, jsonValues } from '../../helpers/readme';
import { tempDir } from '../../helpers/tmp';

const ROOT = resolve(__dirname, '..', '..', '..', '..');
const HEADING = 'Checking a credential without Anxin';

const missingTool = ['bash', 'curl', 'jq'].find(
  (t) => spawnSync('sh', ['-c', `command -v ${t}`], { stdio: 'ignore' }).status !== 0,
);

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- what jq printed, read field by field
type Json = any;

(missingTool ? describe.skip : describe)(
  `README: checking a credential without Anxin, run by bash, curl and jq${missingTool ? ` (skipped: no ${missingTool})` : ''}`,
  function () {
    this.timeout(120_000);
    let gw: TestGateway;
    let issuer: RegisteredIssuer;
    let kid: string;
    let printed: Json[];

    before(async () => {
      gw = await TestGateway.start();
      issuer = await gw.registerIssuer({ slug: 'chengdu-wuhou-cdc' });
      const issued = await gw.issue(issuer.apiKey, 'HealthCertificate');
      kid = decodeJws(issued.credential).header.kid as string;
      const blocks = codeBlocks(readFileSync(join(ROOT, 'README.md'), 'utf8'), 'README.md').filter(
        (b) => b.heading === HEADING && b.lang === 'sh',
      );
      expect(blocks, `one sh block under "${HEADING}"`).to.have.length(1);
      const dir = tempDir('readme-third-party');
      writeFileSync(join(dir, 'cred.json'), JSON.stringify({ credential: issued.credential }));
      const out = await new Promise<{ stdout: string; stderr: string; code: number }>((done) =>
        execFile(
          'bash',
          ['-c', `set -euo pipefail\n${blocks[0]!.text}\n`],
          { cwd: dir, timeout: 100_000 },
          (err, so, se) => done({ stdout: so, stderr: se, code: err ? Number((err as { code?: number }).code) : 0 }),
        ),
      );
      expect(out.code, `the block ran to its end; stderr: ${out.stderr.slice(0, 1000)}`).to.equal(0);
      printed = jsonValues(out.stdout) as Json[];
    });
    after(async () => gw?.stop());

    it('finds the issuer metadata from iss, the key that signed among its keys, the same key in the documents', () => {
      const issuerUrl = `${gw.services.publicUrl}/issuers/chengdu-wuhou-cdc`;
      const [metadata, method, did] = printed;
      expect(metadata.issuer).to.equal(issuerUrl);
      expect(metadata.keys.map((k: Json) => k.kid)).to.include(kid);
      expect(metadata.keys[0]).to.include({ alg: 'ES256' });
      expect(method.id).to.equal(kid);
      expect(did).to.match(/^did:web:.+:issuers:chengdu-wuhou-cdc$/);
    });
  },
);
