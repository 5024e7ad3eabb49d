// The `lanewise` command line (dist/src/cli/main.js, built by `npm test` first): argument errors
// exit with 2 and a one-line reason plus the usage, never a stack trace; `info` prints JSON.
import { describe, it, expect } from 'vitest';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const cli = fileURLToPath(new URL('../dist/src/cli/main.js', import.meta.url));
const run = (...args: string[]) => spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8', timeout: 60_000 });

describe('lanewise CLI', () => {
  it.each([
    [['bench', '--suite', 'nope,gemm'], /^unknown suite 'nope'; known: gemm, conv, threads, quant, f16\n/],
    [['bench', '--suite'], /^--suite needs a name\n/],
    [['bench', '--json'], /^--json needs a file name\n/],
    [['bench', '--fast'], /^unknown argument --fast\nusage: /],
    [['frobnicate'], /^usage: lanewise bench/],
  ])('%j exits with 2 and says why', (args, message) => {
    const r = run(...args);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(r.stdout).toBe('');
  });

  it('info prints the build, features and threads as JSON', () => {
    const r = run('info');
    expect(r.status).toBe(0);
    const info = JSON.parse(r.stdout);
    expect(['simd', 'simd-mt']).toContain(info.build);
    expect(info.threads).toBeGreaterThanOrEqual(1);
  });
});
