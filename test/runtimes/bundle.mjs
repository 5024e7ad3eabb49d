// Bundles the runtime suite with rolldown (it comes with vite): suite.mjs (ES module, for Node,
// Deno, Bun and the browser pages, which import the library from dist/ themselves), workerd.mjs
// (one ES module worker with the library inside) and edge.js (one classic script for
// edge-runtime). Output: node_modules/.cache/lanewise-runtimes/.
import { build } from 'rolldown';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const here = path.dirname(fileURLToPath(import.meta.url));
export const root = path.resolve(here, '../..');
export const outDir = path.join(root, 'node_modules', '.cache', 'lanewise-runtimes');

export async function bundleAll() {
  mkdirSync(outDir, { recursive: true });
  const quiet = { logLevel: 'silent' };
  await build({ ...quiet, input: path.join(here, 'suite.ts'), platform: 'neutral',
    output: { file: path.join(outDir, 'suite.mjs'), format: 'es' } });
  await build({ ...quiet, input: path.join(here, 'entry-workerd.ts'), platform: 'neutral', external: [/\.wasm$/],
    output: { file: path.join(outDir, 'workerd.mjs'), format: 'es' } });
  await build({ ...quiet, input: path.join(here, 'entry-edge.ts'), platform: 'neutral',
    output: { file: path.join(outDir, 'edge.js'), format: 'iife' } });
  return outDir;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) console.log(await bundleAll());
