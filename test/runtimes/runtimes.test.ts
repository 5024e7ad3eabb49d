// The cross-runtime suite: the cases of cases.ts in Node, Deno, Bun, workerd, edge-runtime,
// Chromium and Firefox ESR, at 1 and 2 threads where the runtime has threads. Every output
// hash must equal the one computed here in-process (Node, one thread, TypeScript sources).
import { describe, it, expect, beforeAll } from 'vitest';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { Lanewise } from '../../src/index.js';
import { cases } from './cases.js';
import { runSuite, type SuiteReport } from './suite.js';
// @ts-expect-error: a plain .mjs helper without types
import { bundleAll, root } from './bundle.mjs';

const bin = (name: string) => path.join(root as string, 'node_modules', '.bin', name);
const here = path.join(root as string, 'test', 'runtimes');

function run(cmd: string, args: string[], timeout = 170_000): Promise<unknown> {
  return new Promise((resolve, reject) => {
    execFile(cmd, args, { cwd: root as string, timeout, maxBuffer: 64 << 20, encoding: 'utf8' }, (err, stdout, stderr) => {
      if (err) { reject(new Error(`${cmd} ${args.join(' ')} failed: ${err.message}\n${stderr}`)); return; }
      try { resolve(JSON.parse(stdout)); } catch { reject(new Error(`no JSON from ${cmd}: ${stdout.slice(0, 2000)}\n${stderr}`)); }
    });
  });
}

let reference: Record<string, string>;
beforeAll(async () => {
  await bundleAll();
  const r = await runSuite(Lanewise, 'vitest', [1]);
  reference = r.runs[0].hashes;
  expect(Object.keys(reference)).toEqual(cases.map((c) => c.name));
}, 120_000);

/** Checks one report: every hash equal to the reference, and the thread counts as expected. */
function check(r: SuiteReport, threads: number[], reason?: RegExp): void {
  expect(r.error, r.error).toBeUndefined();
  expect(r.runs.map((x) => x.info.threads), `${r.runtime} threads`).toEqual(threads);
  for (const x of r.runs) {
    for (const c of cases) expect(x.hashes[c.name], `${r.runtime} at ${x.threads} thread(s): ${c.name}`).toBe(reference[c.name]);
    if (x.info.threads > 1) {
      expect(x.info.build).toBe('simd-mt');
      expect(x.stats!.reduce((s, v) => s + v, 0)).toBeGreaterThan(0);
    } else if (x.threads !== 1 && reason) {
      expect(x.info.threadsReason).toMatch(reason);
    }
  }
}

const T = 180_000;
const browsers = { chromium: '/usr/bin/chromium', firefox: '/usr/bin/firefox-esr' } as const;

describe('identical output hashes on every runtime', () => {
  it('node (import from "lanewise")', async () => {
    check(await run(process.execPath, [path.join(here, 'run-js.mjs')]) as SuiteReport, [1, 2]);
  }, T);

  it('deno', async () => {
    check(await run(bin('deno'), ['run', '--allow-read', path.join(here, 'run-js.mjs')]) as SuiteReport, [1, 2]);
  }, T);

  it('bun', async () => {
    check(await run(bin('bun'), [path.join(here, 'run-js.mjs')]) as SuiteReport, [1, 2]);
  }, T);

  it('an undisposed 2-thread instance does not keep node, deno or bun alive', async () => {
    const script = path.join(here, 'run-nodispose.mjs');
    for (const [cmd, args] of [[process.execPath, [script]], [bin('deno'), ['run', '--allow-read', script]], [bin('bun'), [script]]] as const) {
      expect(await run(cmd, [...args], 30_000), cmd).toEqual({ threads: 2, c0: 256 });
    }
  }, T);

  it('workerd (wasm module import; no workers)', async () => {
    // The third run is threads: 'auto' (same reason expected).
    const r = await run(process.execPath, [path.join(here, 'run-workerd.mjs')]) as SuiteReport;
    check(r, [1, 1, 1], /no Worker in this runtime \(workerd/);
    expect(r.runs[0].info.memoryLimit, 'the worker runs the suite under maxMemory').toBe(64 << 20);
  }, T);

  it('edge-runtime (no code generation; no workers)', async () => {
    check(await run(process.execPath, [path.join(here, 'run-edge.mjs')]) as SuiteReport, [1, 1], /no Worker in this runtime \(edge-runtime\)/);
  }, T);

  for (const [name, exe] of Object.entries(browsers)) {
    it.skipIf(!existsSync(exe))(`${name}: a COOP/COEP page and a Web Worker in it at 1 and 2 threads, a plain page single-threaded`, async () => {
      const [coi, plain, inWorker] = await run(process.execPath, [path.join(here, 'run-browser.mjs'), name]) as SuiteReport[];
      check(coi, [1, 2]);
      check(inWorker, [1, 2]);
      for (const x of inWorker.runs) expect(x.info.memoryLimit, `${name} worker at ${x.threads} thread(s): maxMemory`).toBe(256 << 20);
      check(plain, [1, 1], /SharedArrayBuffer unavailable: serve the page with Cross-Origin-Opener-Policy/);
    }, T);
  }

  it.skipIf(!existsSync(browsers.chromium))('a Vite-built app (import from "lanewise", no lanewise config) in chromium', async () => {
    const [coi, plain] = await run(process.execPath, [path.join(here, 'vite-app.mjs'), 'chromium']) as SuiteReport[];
    check(coi, [1, 2]);
    check(plain, [1, 1], /SharedArrayBuffer unavailable/);
  }, T);
});
