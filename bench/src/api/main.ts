/**
 * bench/api: the gateway under load over real HTTP, beside raw jose on one core.
 *
 *   node bench/dist/api/main.js [--quick] [--json] [--gateway-cpu-prof DIR]
 *
 * Starts a gateway as a child process (embedded ledger, SQLite store, fresh data dir),
 * registers an issuer, then measures with autocannon (load generated in this process,
 * on the same machine):
 *   - verifications/s at /v1/verify, saturated, and p50/p99 at half the raw rate;
 *   - raw jose compactVerify/s on one core (one verification at a time), same run;
 *   - issuances/s committed (POST /v1/credentials → 201 once anchored).
 * Each load is preceded by a short warm-up that is not counted (JIT, the gateway's
 * verification threads, the ledger's endorsement workers, which start on demand), so the
 * figures are steady-state ones. Prints figures; asserts nothing.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { compactVerify, importJWK, type JWK } from 'jose';
import autocannon from 'autocannon';

const argv = process.argv.slice(2);
const args = new Set(argv);
const quick = args.has('--quick');
const json = args.has('--json');
/** Where the gateway writes V8 CPU profiles (its main thread and each worker thread), if asked. */
const profileDir = argv.includes('--gateway-cpu-prof') ? argv[argv.indexOf('--gateway-cpu-prof') + 1] : undefined;
if (argv.includes('--gateway-cpu-prof') && !profileDir) throw new Error('--gateway-cpu-prof takes a directory');
const seconds = quick ? 3 : 10;
const log = (s: string) => {
  if (!json) process.stdout.write(`${s}\n`);
};

const HEALTH_SUBJECT = {
  certificateNumber: '5101072026031200457',
  issuingAuthority: { name: '成都市武侯区疾病预防控制中心', uscc: '12510107MB1H27435B' },
  categories: ['food_service'],
  examDate: '2026-03-12',
  validity: { from: '2026-03-20', until: '2027-03-19' },
  result: 'fit',
};
const HOLDER = { name: '张伟', idNumber: '510107199003078817' };

async function startGateway(dataDir: string): Promise<{ url: string; child: ChildProcess }> {
  const main = require.resolve('@anxin/gateway/main');
  const profile = profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : [];
  const child = spawn(process.execPath, [...profile, main], {
    env: {
      ...process.env,
      ANXIN_DATA_DIR: dataDir,
      ANXIN_PORT: '0',
      ANXIN_LOG_LEVEL: 'warn',
      ANXIN_RATE_LIMIT: '10000000',
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const url = await new Promise<string>((res, rej) => {
    let out = '';
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /listening on (http:\/\/\S+)/.exec(out);
      if (m) res(m[1]!);
    });
    child.once('exit', (code) => rej(new Error(`gateway exited with ${code}`)));
  });
  child.stdout!.resume();
  return { url, child };
}

async function call(url: string, method: string, path: string, key: string, body?: unknown) {
  const r = await fetch(`${url}${path}`, {
    method,
    headers: { Authorization: `Bearer ${key}`, 'Content-Type': 'application/json' },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- JSON answers, read field by field
  const j = (await r.json()) as Record<string, any>;
  if (!r.ok) throw new Error(`${method} ${path}: ${r.status} ${JSON.stringify(j)}`);
  return j;
}

function cannon(opts: autocannon.Options): Promise<autocannon.Result> {
  return new Promise((res, rej) => {
    autocannon(opts, (err, result) => (err ? rej(err instanceof Error ? err : new Error(String(err))) : res(result)));
  });
}

async function rawJoseRate(jws: string, jwk: JWK, ms: number): Promise<number> {
  const key = await importJWK(jwk, 'ES256');
  for (let i = 0; i < 200; i++) await compactVerify(jws, key); // warm up
  let n = 0;
  const end = Date.now() + ms;
  while (Date.now() < end) {
    await compactVerify(jws, key);
    n++;
  }
  return (n / ms) * 1000;
}

async function main(): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), 'anxin-bench-api-'));
  const { url, child } = await startGateway(dataDir);
  try {
    const admin = readFileSync(join(dataDir, 'admin.key'), 'utf8').trim();
    const reg = await call(url, 'POST', '/v1/issuers', admin, {
      name: '成都市武侯区疾病预防控制中心',
      kind: 'health_authority',
      allowedTypes: ['HealthCertificate'],
      uscc: '12510107MB1H27435B',
      slug: 'bench-cdc',
    });
    const issuerKey = reg.apiKey as string;
    const jwk = reg.issuer.keys[0].publicJwk as JWK;
    const verifier = (
      await call(url, 'POST', '/v1/api-keys', admin, {
        principal: { type: 'verifier', id: 'bench' },
        scopes: ['verify'],
      })
    ).apiKey as string;
    const creds: string[] = [];
    for (let i = 0; i < 64; i++) {
      const c = await call(url, 'POST', '/v1/credentials', issuerKey, {
        type: 'HealthCertificate',
        holder: HOLDER,
        subject: { ...HEALTH_SUBJECT, certificateNumber: `510107202603${String(i).padStart(7, '0')}` },
      });
      creds.push(c.credential as string);
    }

    log(`machine: ${cpus()[0]?.model ?? 'unknown CPU'}, ${cpus().length} cores, Node ${process.version}`);
    log(
      `gateway: ${url} (child process), load: autocannon in the bench process, ${seconds} s per run after a warm-up\n`,
    );

    const raw = await rawJoseRate(creds[0]!, jwk, seconds * 1000);
    log(`raw jose compactVerify (ES256), one at a time on one core: ${raw.toFixed(0)}/s`);

    const verifyRequests = creds.map((c) => ({
      method: 'POST' as const,
      path: '/v1/verify',
      headers: { authorization: `Bearer ${verifier}`, 'content-type': 'application/json' },
      body: JSON.stringify({ credential: c }),
    }));
    const warmUp = quick ? 1 : 2;
    await cannon({ url, connections: 64, duration: warmUp, requests: verifyRequests });
    const sat = await cannon({ url, connections: 64, duration: seconds, requests: verifyRequests });
    const satRate = sat.requests.average;
    log(
      `/v1/verify saturated (64 connections): ${satRate.toFixed(0)}/s, p50 ${sat.latency.p50} ms, p99 ${sat.latency.p99} ms, non-2xx ${sat.non2xx}`,
    );
    log(`  ratio API / raw jose one core: ${(satRate / raw).toFixed(2)}  (goal ≥ 0.5)`);

    const half = Math.max(1, Math.round(raw / 2));
    const paced = await cannon({
      url,
      connections: 32,
      duration: seconds,
      overallRate: half,
      requests: verifyRequests,
    });
    log(
      `/v1/verify at ${half}/s offered (half the raw rate): ${paced.requests.average.toFixed(0)}/s served, p50 ${paced.latency.p50} ms, p99 ${paced.latency.p99} ms  (goal p99 < 25 ms)`,
    );

    let n = 0;
    const issueReq = {
      method: 'POST' as const,
      path: '/v1/credentials',
      headers: { authorization: `Bearer ${issuerKey}`, 'content-type': 'application/json' },
      setupRequest: (req: autocannon.Request) => ({
        ...req,
        body: JSON.stringify({
          type: 'HealthCertificate',
          holder: HOLDER,
          subject: { ...HEALTH_SUBJECT, certificateNumber: `B${String(n++).padStart(12, '0')}` },
        }),
      }),
    };
    await cannon({ url, connections: 256, duration: warmUp, requests: [issueReq] });
    const iss = await cannon({ url, connections: 256, duration: seconds, requests: [issueReq] });
    const issued = (iss['2xx'] ?? 0) / seconds;
    log(
      `POST /v1/credentials (256 connections): ${issued.toFixed(0)} committed/s, p50 ${iss.latency.p50} ms, p99 ${iss.latency.p99} ms, non-2xx ${iss.non2xx}  (goal ≥ 1000/s)`,
    );

    if (json) {
      process.stdout.write(
        JSON.stringify(
          {
            machine: { cpu: cpus()[0]?.model, cores: cpus().length, node: process.version },
            seconds,
            rawJoseVerifyPerSecondOneCore: Math.round(raw),
            verify: {
              saturated: {
                perSecond: Math.round(satRate),
                p50: sat.latency.p50,
                p99: sat.latency.p99,
                non2xx: sat.non2xx,
                ratioToRaw: satRate / raw,
              },
            },
            verifyPaced: {
              offered: half,
              served: Math.round(paced.requests.average),
              p50: paced.latency.p50,
              p99: paced.latency.p99,
            },
            issue: {
              committedPerSecond: Math.round(issued),
              p50: iss.latency.p50,
              p99: iss.latency.p99,
              non2xx: iss.non2xx,
            },
          },
          null,
          2,
        ) + '\n',
      );
    }
  } finally {
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
    rmSync(dataDir, { recursive: true, force: true });
  }
}

main().catch((e: Error) => {
  process.stderr.write(`bench/api failed: ${e.message}\n`);
  process.exit(1);
});
