// workerd (the Cloudflare Workers runtime): serves the bundled test worker (workerd.mjs, with
// `import wasm from 'lanewise/lanewise-simd.wasm'` bound to build/lanewise-simd.wasm) on a free
// local port, fetches the report once, and stops workerd by its PID.
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '../..');
const outDir = path.join(root, 'node_modules', '.cache', 'lanewise-runtimes');

const port = await new Promise((resolve, reject) => {
  const s = net.createServer().listen(0, '127.0.0.1', () => { const p = s.address().port; s.close(() => resolve(p)); });
  s.on('error', reject);
});
const config = path.join(outDir, 'workerd.capnp');
writeFileSync(config, `using Workerd = import "/workerd/workerd.capnp";
const config :Workerd.Config = (
  services = [ (name = "main", worker = .mainWorker) ],
  sockets = [ (name = "http", address = "127.0.0.1:${port}", http = (), service = "main") ],
);
const mainWorker :Workerd.Worker = (
  modules = [
    (name = "worker.mjs", esModule = embed "workerd.mjs"),
    (name = "lanewise/lanewise-simd.wasm", wasm = embed "${path.relative(outDir, path.join(root, 'build', 'lanewise-simd.wasm'))}"),
  ],
  compatibilityDate = "2025-01-01",
);
`);
const bin = path.join(root, 'node_modules', '.bin', 'workerd');
const child = spawn(bin, ['serve', config], { stdio: ['ignore', 'ignore', 'pipe'] });
let stderr = '';
child.stderr.on('data', (d) => { stderr += d; });
let exited = null;
child.on('exit', (code) => { exited = code; });
try {
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (exited !== null) throw new Error(`workerd exited (${exited}): ${stderr}`);
    try {
      const res = await fetch(`http://127.0.0.1:${port}/`);
      console.log(await res.text());
      break;
    } catch (e) {
      if (Date.now() > deadline) throw new Error(`workerd did not answer: ${e}\n${stderr}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
} finally {
  child.kill('SIGTERM');
}
