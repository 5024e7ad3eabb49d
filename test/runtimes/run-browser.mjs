// Chromium (Debian, via playwright-core) or Firefox ESR (Debian, via puppeteer-core over
// WebDriver BiDi): the suite page cross-origin isolated (1 and 2 threads), plain (threads
// requested, single-threaded with a reason), and (Chromium) inside a module Web Worker of a
// cross-origin isolated page (1 and 2 threads). Prints a JSON array of the reports.
//   node run-browser.mjs chromium|firefox
import { launch } from './browsers.mjs';
import { startServer } from './server.mjs';

const name = process.argv[2];
const { server, base } = await startServer(name);
const reports = [];
let browser;
try {
  browser = await launch(name);
  for (const mode of ['coi', 'plain']) reports.push(await browser.open(`${base}/${mode}/page.html`));
  // The pool inside a Web Worker of the page. Not in Firefox by default: in Firefox ESR 153,
  // `new Worker()` called inside a worker sometimes never returned (2 of 25 page loads in one
  // browser, at most 1 of ~50 with a fresh browser each time), which hangs the page; set
  // LANEWISE_FIREFOX_WORKER=1 to run it anyway.
  if (name !== 'firefox' || process.env.LANEWISE_FIREFOX_WORKER === '1') {
    reports.push(await browser.open(`${base}/coi/worker-page.html`));
  }
} finally {
  await browser?.close().catch(() => {});
  server.close();
}
console.log(JSON.stringify(reports));
