// edge-runtime (Vercel's Edge runtime emulation): the bundled classic script runs in a VM with
// code generation off (no eval, no compile from bytes), like Vercel Edge; the wasm module is
// compiled in the host and passed in, as Vercel does for `import wasm from '….wasm?module'`.
import { EdgeRuntime } from 'edge-runtime';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '../..');
const script = readFileSync(path.join(root, 'node_modules', '.cache', 'lanewise-runtimes', 'edge.js'), 'utf8');
const rt = new EdgeRuntime({ initialCode: script, codeGeneration: { strings: false, wasm: false } });
rt.context.__module = await WebAssembly.compile(readFileSync(path.join(root, 'build', 'lanewise-simd.wasm')));
console.log(await rt.evaluate('__lanewiseSuite(__module)'));
