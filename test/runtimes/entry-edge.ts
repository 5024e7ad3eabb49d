// The edge-runtime (Vercel) test script: a classic script defining a global the runner calls
// with a WebAssembly.Module compiled in the host (code generation is off in the VM, as on Vercel).
import { Lanewise } from '../../dist/src/index.js';
import { runSuiteSafe } from './suite.js';

(globalThis as unknown as { __lanewiseSuite: (m: WebAssembly.Module) => Promise<string> }).__lanewiseSuite =
  async (module) => JSON.stringify(await runSuiteSafe(Lanewise, 'edge-runtime', [1, 2], { module }));
