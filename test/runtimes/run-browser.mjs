// Chromium (Debian, via playwright-core) or Firefox ESR (Debian, via puppeteer-core over
// WebDriver BiDi): the suite page cross-origin isolated (1 and 2 threads), plain (threads
// requested, single-threaded with a reason), and inside a module Web Worker of a cross-origin
// isolated page (1 and 2 threads: the pool's workers are nested workers). Firefox runs the
// in-worker page without automation (see openFirefoxPlain). Prints a JSON array of the reports.
//   node run-browser.mjs chromium|firefox
import { launch, openFirefoxPlain } from './browsers.mjs';
import { startServer } from './server.mjs';

const name = process.argv[2];
const { server, base, posted } = await startServer(name);
const reports = [];
let browser;
try {
  browser = await launch(name);
  for (const mode of ['coi', 'plain']) reports.push(await browser.open(`${base}/${mode}/page.html`));
  if (name === 'firefox') {
    await browser.close();
    browser = undefined;
    reports.push(await openFirefoxPlain(`${base}/coi/worker-page.html?post`, posted));
  } else {
    reports.push(await browser.open(`${base}/coi/worker-page.html`));
  }
} finally {
  await browser?.close().catch(() => {});
  server.close();
}
console.log(JSON.stringify(reports));
