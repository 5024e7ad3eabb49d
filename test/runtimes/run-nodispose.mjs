// An instance with 2 threads that is never disposed: the process must still end (the pool's
// workers are unref'd). Prints the thread count and one output as JSON.
//   node run-nodispose.mjs · deno run --allow-read run-nodispose.mjs · bun run-nodispose.mjs
const { Lanewise } = await import('lanewise');
const lw = await Lanewise.create({ threads: 2 });
const a = lw.tensor('float32', new Float32Array(256 * 256).fill(1), [256, 256]);
console.log(JSON.stringify({ threads: lw.info().threads, c0: lw.matMul(a, a).data[0] }));
