// The issue-3 figures: the conv suite with more interleaved best-of rounds than `lanewise bench`
// uses by default (the machine is shared; best-of-N hides other people's load), then the table.
// Run after `npm run build`: node dist/bench/conv-figures.js [rounds]
import { formatTable, runBench } from './run.js';

const rounds = Number(process.argv[2] ?? 15);
const report = await runBench({ suites: ['conv'], rounds, minRoundMs: 60 });
console.log('');
console.log(formatTable(report));
console.log(`\n${report.runtime}; peak ${report.peakGflops.toFixed(1)} GFLOPS; best of ${rounds} interleaved rounds`);
