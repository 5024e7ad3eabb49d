// The workerd (Cloudflare Workers) test worker: the wasm arrives as a module import, exactly as
// a user's `import wasm from 'lanewise/lanewise-simd.wasm'` under wrangler.
import { Lanewise } from '../../dist/src/index.js';
// @ts-expect-error: a wasm module binding (workerd config / wrangler), not a TS module
import wasm from 'lanewise/lanewise-simd.wasm';
import { runSuiteSafe } from './suite.js';

export default {
  async fetch(): Promise<Response> {
    const report = await runSuiteSafe(Lanewise, 'workerd', [1, 2], { module: wasm as WebAssembly.Module });
    return new Response(JSON.stringify(report), { headers: { 'content-type': 'application/json' } });
  },
};
