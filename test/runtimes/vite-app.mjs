// Builds a tiny browser app with Vite that imports lanewise by its package name (a symlinked
// node_modules/lanewise, as `npm install` of a local package makes), with no Vite
// configuration for lanewise at all; then opens the built app in a browser, cross-origin
// isolated and plain. Prints a JSON array of the two suite reports.
//   node vite-app.mjs chromium|firefox
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'vite';
import { launch } from './browsers.mjs';
import { startServer } from './server.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '../..');
const name = process.argv[2] ?? 'chromium';
const app = fs.mkdtempSync(path.join(os.tmpdir(), 'lanewise-vite-'));
try {
  fs.mkdirSync(path.join(app, 'node_modules'));
  fs.symlinkSync(root, path.join(app, 'node_modules', 'lanewise'), 'dir');
  fs.writeFileSync(path.join(app, 'package.json'), JSON.stringify({ name: 'app', private: true, type: 'module', dependencies: { lanewise: `file:${root}` } }));
  fs.writeFileSync(path.join(app, 'index.html'), '<!doctype html><meta charset="utf-8"><script type="module" src="./main.js"></script>\n');
  fs.writeFileSync(path.join(app, 'main.js'), `import { Lanewise } from 'lanewise';
import { runSuiteSafe } from ${JSON.stringify(path.join(here, 'suite.ts'))};
runSuiteSafe(Lanewise, 'vite-' + (crossOriginIsolated ? 'coi' : 'plain'), [1, 2]).then((r) => { window.__result = r; });
`);
  // base './' only because the test server mounts the app under /coi/ and /plain/.
  await build({ root: app, base: './', logLevel: 'silent', configFile: false, build: { outDir: path.join(app, 'dist') } });
  const { server, base } = await startServer(name, path.join(app, 'dist'));
  let browser;
  const reports = [];
  try {
    browser = await launch(name);
    for (const mode of ['coi', 'plain']) reports.push(await browser.open(`${base}/${mode}/`));
  } finally {
    await browser?.close().catch(() => {});
    server.close();
  }
  console.log(JSON.stringify(reports));
} finally {
  fs.rmSync(app, { recursive: true, force: true });
}
