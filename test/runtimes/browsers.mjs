// Launching the Debian browsers headless: Chromium through playwright-core, Firefox ESR through
// puppeteer-core over WebDriver BiDi (playwright's Firefox driver needs its patched build).
// launch(name) → { open(url): the page's window.__result once set, close() }.
// openFirefoxPlain(url, posted): Firefox without automation; the page POSTs its result.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export const executables = { chromium: '/usr/bin/chromium', firefox: '/usr/bin/firefox-esr' };
const timeout = Number(process.env.LW_PAGE_TIMEOUT ?? 90_000);

export async function launch(name) {
  if (name === 'chromium') {
    const { chromium } = await import('playwright-core');
    const userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'lanewise-chromium-'));
    const ctx = await chromium.launchPersistentContext(userDataDir, {
      executablePath: executables.chromium, headless: true,
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
        '--disable-component-update', '--disable-sync'],
    });
    return {
      async open(url) {
        const page = await ctx.newPage();
        const errors = [];
        page.on('pageerror', (e) => errors.push(String(e)));
        await page.goto(url);
        try {
          await page.waitForFunction(() => window.__result, null, { timeout });
        } catch (e) {
          const where = await page.evaluate(() => window.__lanewiseProgress ?? 'no progress recorded').catch((x) => String(x));
          throw new Error(`${url}: no result (${e.message}); last step: ${where}; page errors: ${errors.join('; ')}`);
        }
        const r = await page.evaluate(() => window.__result);
        await page.close();
        return r;
      },
      async close() { await ctx.close(); fs.rmSync(userDataDir, { recursive: true, force: true }); },
    };
  }
  if (name === 'firefox') {
    const { default: puppeteer } = await import('puppeteer-core');
    const browser = await puppeteer.launch({ browser: 'firefox', executablePath: executables.firefox, headless: true,
      extraPrefsFirefox: { 'app.update.enabled': false, 'network.captive-portal-service.enabled': false,
        'network.connectivity-service.enabled': false, 'services.settings.server': 'http://127.0.0.1:9/' } });
    return {
      async open(url) {
        const page = await browser.newPage();
        const logs = [];
        page.on('console', (m) => logs.push(m.text()));
        page.on('pageerror', (e) => logs.push(String(e)));
        await page.goto(url);
        try {
          await page.waitForFunction(() => window.__result, { timeout });
        } catch (e) {
          const where = await page.evaluate(() => window.__lanewiseProgress ?? 'no progress recorded').catch((x) => String(x));
          throw new Error(`${url}: no result (${e.message}); last step: ${where}; console: ${logs.join(' | ')}`);
        }
        const r = await page.evaluate(() => window.__result);
        await page.close();
        return r;
      },
      close: () => browser.close(),
    };
  }
  throw new Error(`unknown browser ${name}`);
}

/**
 * Opens `url` in a Firefox ESR with no automation attached (a fresh profile, no remote agent)
 * and returns the result the page POSTs to the test server (`posted` from startServer).
 * Why: under WebDriver BiDi, `new Worker()` called inside a dedicated worker sometimes never
 * returns (Firefox ESR 153: 5 of 170 automated page loads); without the remote agent it
 * returned in every one of 2,450 tries (docs/runtimes.md).
 */
export async function openFirefoxPlain(url, posted) {
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'lanewise-firefox-'));
  fs.writeFileSync(path.join(profile, 'user.js'), [
    ['app.update.enabled', false], ['network.captive-portal-service.enabled', false],
    ['network.connectivity-service.enabled', false], ['services.settings.server', 'http://127.0.0.1:9/'],
    ['browser.shell.checkDefaultBrowser', false], ['datareporting.policy.dataSubmissionEnabled', false],
    ['toolkit.telemetry.reportingpolicy.firstRun', false], ['browser.startup.homepage_override.mstone', 'ignore'],
  ].map(([k, v]) => `user_pref(${JSON.stringify(k)}, ${JSON.stringify(v)});`).join('\n'));
  const ff = spawn(executables.firefox, ['--headless', '--no-remote', '--profile', profile, url], { stdio: 'ignore' });
  const exited = new Promise((resolve) => ff.once('exit', resolve));
  try {
    return await Promise.race([posted(timeout), exited.then((code) => { throw new Error(`firefox exited (${code}) before ${url} posted a result`); })]);
  } finally {
    ff.kill('SIGTERM');
    await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
    if (ff.exitCode === null && ff.signalCode === null) ff.kill('SIGKILL');
    fs.rmSync(profile, { recursive: true, force: true });
  }
}
