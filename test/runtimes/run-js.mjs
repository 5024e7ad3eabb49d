// Node, Deno and Bun: `import { Lanewise } from 'lanewise'` (the package's own name, resolved
// through package.json "exports"), then the suite at 1 and 2 threads; prints the JSON report.
//   node run-js.mjs · deno run --allow-read run-js.mjs · bun run-js.mjs
const runtime = typeof Deno !== 'undefined' ? 'deno' : typeof Bun !== 'undefined' ? 'bun' : 'node';
const { Lanewise } = await import('lanewise');
const { runSuiteSafe } = await import(new URL('../../node_modules/.cache/lanewise-runtimes/suite.mjs', import.meta.url).href);
const report = await runSuiteSafe(Lanewise, runtime, [1, 2]);
console.log(JSON.stringify(report));
