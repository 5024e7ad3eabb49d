// The package as npm publishes it: `npm pack` (its "files" list, built by `npm test` first),
// installed into an empty project from the tarball, the way a user gets it. The runtime
// suite resolves `lanewise` through a symlink to this checkout, which would not notice a file
// missing from the tarball; this test does. In the installed copy: Node imports it by name
// and runs an f32 and a binary16 matMul on 1 and 2 threads, the wasm entries resolve, the
// `lanewise` command runs, and TypeScript type-checks a user's file against its declarations.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
let dir: string;
let app: string;
let files: string[];

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lanewise-pack-'));
  // --ignore-scripts: the "prepare" build already ran (npm test builds first).
  const out = execFileSync(npm, ['pack', root, '--pack-destination', dir, '--ignore-scripts', '--json'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  const [info] = JSON.parse(out) as [{ filename: string; files: { path: string }[] }];
  files = info.files.map((f) => f.path);
  app = path.join(dir, 'app');
  fs.mkdirSync(app);
  fs.writeFileSync(path.join(app, 'package.json'), JSON.stringify({ name: 'app', private: true, type: 'module' }));
  execFileSync(npm, ['install', path.join(dir, info.filename), '--ignore-scripts', '--offline', '--no-audit', '--no-fund'], { cwd: app, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}, 120_000);
afterAll(() => { if (dir) fs.rmSync(dir, { recursive: true, force: true }); });

const node = (file: string, source: string) => {
  fs.writeFileSync(path.join(app, file), source);
  return spawnSync(process.execPath, [file], { cwd: app, encoding: 'utf8', timeout: 60_000 });
};

describe('the published package', () => {
  it('holds the library, both wasm builds and no tests or sources', () => {
    for (const f of ['package.json', 'dist/src/index.js', 'dist/src/index.d.ts', 'dist/bindings/wasm-bytes.generated.js', 'build/lanewise-simd.wasm', 'build/lanewise-simd-mt.wasm', 'dist/src/cli/main.js']) {
      expect(files).toContain(f);
    }
    expect(files.filter((f) => /^(test|assembly|src|bindings)\/|\.map$/.test(f))).toEqual([]);
  });

  it('installs with no dependencies and runs by name on 1 and 2 threads', () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(app, 'node_modules', 'lanewise', 'package.json'), 'utf8'));
    expect(pkg.dependencies ?? {}).toEqual({});
    expect(fs.readdirSync(path.join(app, 'node_modules')).filter((n) => !n.startsWith('.'))).toEqual(['lanewise']);
    const r = node('use.mjs', `import { Lanewise } from 'lanewise';
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
const out = [];
for (const threads of [1, 2]) {
  const lw = await Lanewise.create({ threads });
  const a = lw.tensor('float32', new Float32Array([1, 2, 3, 4, 5, 6]), [2, 3]);
  const b = lw.tensor('float32', new Float32Array([1, 0, 0, 1, 1, 1]), [3, 2]);
  const h = lw.cast(a, 'float16'), hb = lw.cast(b, 'float16');
  out.push({ threads: lw.info().threads, f32: [...lw.matMul(a, b).data], f16: [...lw.matMul(h, hb, { precision: 'f16-exact' }).toFloat32().data] });
  lw.dispose();
}
const wasm = createRequire(import.meta.url).resolve('lanewise/lanewise-simd.wasm');
out.push(WebAssembly.validate(readFileSync(wasm)));
console.log(JSON.stringify(out));
`);
    expect(r.stderr).toBe('');
    expect(JSON.parse(r.stdout)).toEqual([
      { threads: 1, f32: [4, 5, 10, 11], f16: [4, 5, 10, 11] },
      { threads: 2, f32: [4, 5, 10, 11], f16: [4, 5, 10, 11] },
      true,
    ]);
  });

  it('runs the lanewise command', () => {
    const r = spawnSync(process.execPath, [path.join(app, 'node_modules', '.bin', 'lanewise'), 'info'], { cwd: app, encoding: 'utf8', timeout: 60_000 });
    expect(r.status).toBe(0);
    expect(['simd', 'simd-mt']).toContain(JSON.parse(r.stdout).build);
  });

  it('type-checks a user file against the published declarations', () => {
    fs.writeFileSync(path.join(app, 'user.ts'), `import { Lanewise, ShapeError, type Tensor } from 'lanewise';
const lw = await Lanewise.create();
const a: Tensor<'float32'> = lw.tensor('float32', new Float32Array(4), [2, 2]);
const y = lw.matMul(lw.cast(a, 'float16'), lw.cast(a, 'float16'), { precision: 'f16' });
const t: 'float16' = y.type;
// @ts-expect-error: a float16 product is not a float32 tensor
const wrong: Tensor<'float32'> = y;
export { t, wrong, ShapeError };
`);
    fs.writeFileSync(path.join(app, 'tsconfig.json'), JSON.stringify({
      compilerOptions: { target: 'es2022', module: 'nodenext', moduleResolution: 'nodenext', strict: true, noEmit: true, skipLibCheck: false },
      files: ['user.ts'],
    }));
    const tsc = path.join(root, 'node_modules', 'typescript', 'bin', 'tsc');
    const r = spawnSync(process.execPath, [tsc, '-p', app], { encoding: 'utf8', timeout: 60_000 });
    expect(r.stdout + r.stderr).toBe('');
    expect(r.status).toBe(0);
  });
});
