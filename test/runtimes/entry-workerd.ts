// The workerd (Cloudflare Workers) test worker: the wasm arrives as a module import, exactly as
// a user's `import wasm from 'lanewise/lanewise-simd.wasm'` under wrangler.
import { Lanewise } from '../../dist/src/index.js';
// @ts-expect-error: a wasm module binding (workerd config / wrangler), not a TS module
import wasm from 'lanewise/lanewise-simd.wasm';
import { runSuiteSafe } from './suite.js';

export default {
  async fetch(): Promise<Response> {
    // maxMemory keeps the instance well inside the isolate's 128 MB.
    const report = await runSuiteSafe(Lanewise, 'workerd', [1, 2], { module: wasm as WebAssembly.Module, maxMemory: 64 << 20 });
    // threads: 'auto' is accepted too and says why it stays on one thread.
    const auto = await Lanewise.create({ module: wasm as WebAssembly.Module, threads: 'auto' });
    report.runs.push({ threads: 0, info: { threads: auto.info().threads, threadsReason: auto.info().threadsReason, build: auto.info().build },
      stats: null, hashes: report.runs[0].hashes, ms: 0 });
    auto.dispose();
    return new Response(JSON.stringify(report), { headers: { 'content-type': 'application/json' } });
  },
};
