// A tiny static server on 127.0.0.1 (ephemeral port) for the browser pages:
//   /coi/…   with COOP same-origin + COEP require-corp (cross-origin isolated: SharedArrayBuffer)
//   /plain/… without them (no SharedArrayBuffer: lanewise runs single-threaded)
// Under either prefix: page.html (the suite page), dist/ and build/ from the repository, cache/
// from the bundled suite — or, when given a directory, that directory's files.
// A page opened without automation (no driver to read window.__result) POSTs its progress and
// result to report; `posted(ms)` resolves with the next result.
import http from 'node:http';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '../..');
const outDir = path.join(root, 'node_modules', '.cache', 'lanewise-runtimes');
const types = { '.js': 'text/javascript', '.mjs': 'text/javascript', '.wasm': 'application/wasm', '.html': 'text/html', '.map': 'application/json' };

const page = (name) => `<!doctype html><meta charset="utf-8"><title>lanewise ${name}</title>
<script type="module">
import { Lanewise } from './dist/src/index.js';
import { runSuiteSafe } from './cache/suite.mjs';
window.__result = await runSuiteSafe(Lanewise, ${JSON.stringify(name)}, [1, 2]);
</script>`;

/** Serves the suite page for `browser`, or, with `dir`, the files of that directory (a built app). */
// The same suite inside a module Web Worker of the page (the pool then starts nested workers,
// and the calling thread may block in Atomics.wait), under maxMemory: a 256 MiB shared memory.
const workerPage = `<!doctype html><meta charset="utf-8"><title>lanewise in a worker</title>
<script type="module">
const w = new Worker('./inworker.js', { type: 'module' });
const post = location.search === '?post'
  ? (kind, body) => fetch('./report?' + kind, { method: 'POST', body: JSON.stringify(body) }) : () => {};
const done = (r) => { window.__result = r; post('result', r); };
w.onmessage = (ev) => {
  if (ev.data && ev.data.progress) { window.__lanewiseProgress = ev.data.progress; post('progress', ev.data.progress); } else done(ev.data);
};
w.onerror = (ev) => done({ runtime: 'worker', runs: [], error: String(ev.message) });
</script>`;
const inWorker = (name) => `Object.defineProperty(globalThis, '__lanewiseProgress', { set(v) { postMessage({ progress: v }); } });
import { Lanewise } from './dist/src/index.js';
import { runSuiteSafe } from './cache/suite.mjs';
postMessage(await runSuiteSafe(Lanewise, ${JSON.stringify(name)}, [1, 2], { maxMemory: 256 << 20 }));
`;

export function startServer(browser, dir) {
  let progress = 'no progress recorded';
  let onResult = null;
  const server = http.createServer(async (req, res) => {
    const url = new URL(req.url, 'http://x');
    const m = /^\/(coi|plain)\/(.*)$/.exec(url.pathname);
    if (!m) { res.writeHead(404).end(); return; }
    const [, mode, rest] = m;
    const headers = mode === 'coi'
      ? { 'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'require-corp', 'Cross-Origin-Resource-Policy': 'same-origin' }
      : {};
    headers['Cache-Control'] = 'no-store';
    if (rest === 'report' && req.method === 'POST') {
      let body = '';
      for await (const chunk of req) body += chunk;
      res.writeHead(204, headers).end();
      let value;
      try { value = JSON.parse(body); } catch { value = { runtime: 'posted', runs: [], error: `unparsable report: ${body.slice(0, 200)}` }; }
      if (url.search === '?progress') progress = value;
      else onResult?.(value);
      return;
    }
    if (rest === 'worker-page.html' && !dir) {
      res.writeHead(200, { ...headers, 'Content-Type': 'text/html' }).end(workerPage);
      return;
    }
    if (rest === 'inworker.js' && !dir) {
      res.writeHead(200, { ...headers, 'Content-Type': 'text/javascript' }).end(inWorker(`${browser}-${mode}-worker`));
      return;
    }
    if (rest === 'page.html' && !dir) {
      res.writeHead(200, { ...headers, 'Content-Type': 'text/html' }).end(page(`${browser}-${mode}`));
      return;
    }
    let file;
    if (dir) file = path.join(dir, rest === '' ? 'index.html' : rest);
    else if (rest.startsWith('cache/')) file = path.join(outDir, rest.slice(6));
    else if (rest.startsWith('dist/') || rest.startsWith('build/')) file = path.join(root, rest);
    if (!file || !path.resolve(file).startsWith(dir ?? root)) { res.writeHead(404, headers).end(); return; }
    try {
      const body = await readFile(file);
      res.writeHead(200, { ...headers, 'Content-Type': types[path.extname(file)] ?? 'application/octet-stream' }).end(body);
    } catch {
      res.writeHead(404, headers).end();
    }
  });
  const posted = (ms) => new Promise((resolve, reject) => {
    const timer = setTimeout(() => { onResult = null; reject(new Error(`no result posted within ${ms} ms; last step: ${progress}`)); }, ms);
    onResult = (r) => { clearTimeout(timer); onResult = null; resolve(r); };
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({ server, base: `http://127.0.0.1:${server.address().port}`, posted })));
}
