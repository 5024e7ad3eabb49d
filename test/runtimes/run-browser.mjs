// Chromium (Debian, via playwright-core) or Firefox ESR (Debian, via puppeteer-core over
// WebDriver BiDi): the suite page cross-origin isolated (1 and 2 threads) and plain (threads
// requested, single-threaded with a reason). Prints a JSON array of the two reports.
//   node run-browser.mjs chromium|firefox
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startServer } from './server.mjs';

const browserName = process.argv[2];
const { server, base } = await startServer(browserName);
const timeout = 120_000;
const reports = [];
let close = async () => {};
try {
  let open;
  if (browserName === 'chromium') {
    const { chromium } = await import('playwright-core');
    const userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'lanewise-chromium-'));
    const ctx = await chromium.launchPersistentContext(userDataDir, {
      executablePath: '/usr/bin/chromium', headless: true,
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
        '--disable-component-update', '--disable-sync'],
    });
    close = async () => { await ctx.close(); fs.rmSync(userDataDir, { recursive: true, force: true }); };
    open = async (url) => {
      const page = await ctx.newPage();
      await page.goto(url);
      await page.waitForFunction(() => window.__result, null, { timeout });
      const r = await page.evaluate(() => window.__result);
      await page.close();
      return r;
    };
  } else if (browserName === 'firefox') {
    const { default: puppeteer } = await import('puppeteer-core');
    const browser = await puppeteer.launch({ browser: 'firefox', executablePath: '/usr/bin/firefox-esr', headless: true,
      extraPrefsFirefox: { 'app.update.enabled': false, 'network.captive-portal-service.enabled': false,
        'network.connectivity-service.enabled': false, 'services.settings.server': 'http://127.0.0.1:9/' } });
    close = () => browser.close();
    open = async (url) => {
      const page = await browser.newPage();
      await page.goto(url);
      await page.waitForFunction(() => window.__result, { timeout });
      const r = await page.evaluate(() => window.__result);
      await page.close();
      return r;
    };
  } else {
    throw new Error(`unknown browser ${browserName}`);
  }
  for (const mode of ['coi', 'plain']) reports.push(await open(`${base}/${mode}/page.html`));
} finally {
  await close().catch(() => {});
  server.close();
}
console.log(JSON.stringify(reports));
