/**
 * A real Chromium for the page tests (the verifier page, the wallet, the verification core's
 * bundle), driven by playwright-core: where it is found, how it is launched, a phone to open
 * pages in, a CPU as slow as a cheap phone's, where screenshots go, and the page errors a
 * test asserts there are none of.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { describe } from 'mocha';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { tempDir } from './tmp';

/** The Chromium to drive: $ANXIN_CHROMIUM, else Debian's or Google's where installed. */
export const CHROMIUM = [
  process.env.ANXIN_CHROMIUM,
  '/usr/bin/chromium',
  '/usr/bin/chromium-browser',
  '/usr/bin/google-chrome',
]
  .filter((p): p is string => !!p)
  .find((p) => existsSync(p));

/**
 * A suite that needs Chromium: run, with the browser's path in its title, where one is found;
 * else skipped loudly, by name, with what to install.
 *
 * @example browserSuite('e2e: the wallet on a phone', function () { … });
 */
export function browserSuite(name: string, fn: (this: Mocha.Suite) => void): void {
  if (CHROMIUM) describe(`${name} (${CHROMIUM})`, fn);
  else describe.skip(`${name} (skipped: no Chromium found; install Debian's chromium or set ANXIN_CHROMIUM)`, fn);
}

/**
 * Chromium, headless (without its sandbox: test machines and containers often lack the
 * kernel features it needs).
 *
 * @example browser = await launchChromium();
 */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM!, args: ['--no-sandbox'] });
}

/** A phone's screen: 390×844 CSS pixels at twice the density, touch. */
export const PHONE = { viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true };

/**
 * A new browser context as a phone, in a language.
 *
 * @example const ctx = await phoneContext(browser, 'en-US'); const page = await ctx.newPage();
 */
export function phoneContext(browser: Browser, locale = 'zh-CN'): Promise<BrowserContext> {
  return browser.newContext({ ...PHONE, locale });
}

/**
 * Slows the page's CPU `rate` times (Chrome DevTools Protocol), as on a cheap phone.
 *
 * @example await throttleCpu(page, 4);
 */
export async function throttleCpu(page: Page, rate: number): Promise<void> {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Emulation.setCPUThrottlingRate', { rate });
}

/**
 * Where screenshots are saved: $ANXIN_SCREENSHOTS, for a person to look at, else a
 * temporary directory; made if missing.
 *
 * @example await page.screenshot({ path: join(screenshotsDir('page-shots'), 'x.png') });
 */
export function screenshotsDir(prefix: string): string {
  const dir = process.env.ANXIN_SCREENSHOTS ?? tempDir(prefix);
  mkdirSync(dir, { recursive: true });
  return dir;
}

/**
 * Records the page's script errors, CSP violations included, and every message it logs as an
 * error into `problems`, except those `expected` says a test provokes on purpose.
 *
 * @example recordErrors(page, problems); … expect(problems).to.deep.equal([]);
 */
export function recordErrors(page: Page, problems: string[], expected: (text: string) => boolean = () => false): void {
  page.on('console', (m) => {
    if (m.type() === 'error' && !expected(m.text())) problems.push(m.text());
  });
  page.on('pageerror', (e) => problems.push(String(e)));
}
