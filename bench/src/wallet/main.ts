/**
 * The worker's wallet on a slow phone: what its first load weighs and how long until its
 * first screen is usable. Prints figures, asserts nothing.
 *
 *   node bench/dist/wallet/main.js [--runs N] [--json]
 *
 * A gateway on port 0 (embedded ledger, temp data directory) serves /wallet to Chromium
 * (playwright-core; ANXIN_CHROMIUM or /usr/bin/chromium) emulating a phone (390×844, touch),
 * its CPU slowed 4× (CDP Emulation.setCPUThrottlingRate). Weight: every response the load
 * fetched (HTML, CSS, JS; and the verification core read for the cards' status afterwards),
 * gzipped here at level 9 — what the gateway's bodies weigh compressed on the wire.
 * Time to interactive: from navigation start to the wallet's `anxin-wallet-ready` mark (the
 * cards screen drawn and its buttons wired), first visit (nothing cached) and later visits
 * (the service worker's copy), median of N runs.
 */
import { existsSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { mkdtempSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { chromium, type Page } from 'playwright-core';
import { loadConfig, startGateway } from '@anxin/gateway';

const CHROMIUM = [
  process.env.ANXIN_CHROMIUM,
  '/usr/bin/chromium',
  '/usr/bin/chromium-browser',
  '/usr/bin/google-chrome',
]
  .filter((p): p is string => !!p)
  .find((p) => existsSync(p));
const PHONE = { viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true };

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(name);
  const n = i >= 0 ? Number(process.argv[i + 1]) : fallback;
  return Number.isInteger(n) && n > 0 ? n : fallback;
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function readyMs(page: Page, url: string): Promise<number> {
  await page.goto(url);
  await page.locator('body[data-ready=true]').waitFor();
  return page.evaluate(() => performance.getEntriesByName('anxin-wallet-ready')[0]!.startTime);
}

async function main(): Promise<void> {
  if (!CHROMIUM) throw new Error('no Chromium: install Debian’s chromium or set ANXIN_CHROMIUM');
  const runs = arg('--runs', 5);
  const dir = mkdtempSync(join(tmpdir(), 'anxin-wallet-bench-'));
  const gw = await startGateway(
    loadConfig({
      ANXIN_DATA_DIR: join(dir, 'data'),
      ANXIN_PORT: '0',
      ANXIN_HOST: '127.0.0.1',
      ANXIN_LOG_LEVEL: 'silent',
    }),
  );
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
  try {
    const url = `${gw.url}/wallet`;
    // Weight: one first visit, every body fetched until the cards' status was read.
    const weighed = await browser.newContext(PHONE);
    const page = await weighed.newPage();
    const bodies: Array<{ path: string; bytes: number; gzip: number }> = [];
    page.on('response', (res) => {
      const path = new URL(res.url()).pathname;
      if (!/^\/(wallet|verify)/.test(path) || !/\.(js|css)$|^\/wallet$/.test(path)) return;
      void res.body().then((b) => bodies.push({ path, bytes: b.length, gzip: gzipSync(b, { level: 9 }).length }));
    });
    await page.goto(url);
    await page.locator('body[data-status=read]').waitFor();
    await page.waitForTimeout(300);
    await weighed.close();
    const firstScreen = bodies.filter((b) => b.path !== '/verify/verify-core.js');
    // The core is loaded once there are cards whose status to read (none on a first visit).
    const core = Buffer.from(await (await fetch(`${gw.url}/verify/verify-core.js`)).arrayBuffer());
    const coreSize = { bytes: core.length, gzip: gzipSync(core, { level: 9 }).length };
    const sum = (xs: typeof bodies, k: 'bytes' | 'gzip') => xs.reduce((n, b) => n + b[k], 0);

    // Time to interactive, CPU 4× slower.
    const cold: number[] = [];
    const warm: number[] = [];
    for (let i = 0; i < runs; i++) {
      const ctx = await browser.newContext(PHONE);
      const p = await ctx.newPage();
      const cdp = await ctx.newCDPSession(p);
      await cdp.send('Emulation.setCPUThrottlingRate', { rate: 4 });
      cold.push(await readyMs(p, url));
      await p.locator('body[data-status=read]').waitFor();
      warm.push(await readyMs(p, url));
      await ctx.close();
    }
    const result = {
      firstScreen: { files: firstScreen, bytes: sum(firstScreen, 'bytes'), gzip: sum(firstScreen, 'gzip') },
      withStatusCore: {
        bytes: sum(firstScreen, 'bytes') + coreSize.bytes,
        gzip: sum(firstScreen, 'gzip') + coreSize.gzip,
      },
      cpuThrottling: 4,
      runs,
      interactiveMs: { firstVisit: Math.round(median(cold)), laterVisit: Math.round(median(warm)) },
    };
    if (process.argv.includes('--json')) process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
    else {
      const kB = (n: number) => `${(n / 1024).toFixed(1)} kB`;
      for (const f of firstScreen) process.stdout.write(`${f.path}: ${kB(f.bytes)}, ${kB(f.gzip)} gzipped\n`);
      process.stdout.write(
        `first screen: ${kB(result.firstScreen.bytes)}, ${kB(result.firstScreen.gzip)} gzipped\n` +
          `with the status core: ${kB(result.withStatusCore.bytes)}, ${kB(result.withStatusCore.gzip)} gzipped\n` +
          `interactive at 4x CPU throttling (median of ${runs}): first visit ${result.interactiveMs.firstVisit} ms, later visit ${result.interactiveMs.laterVisit} ms\n`,
      );
    }
  } finally {
    await browser.close();
    await gw.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((e: unknown) => {
  process.stderr.write(`${(e as Error).stack ?? String(e)}\n`);
  process.exit(1);
});
