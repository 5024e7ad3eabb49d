#!/usr/bin/env node
// `lanewise` command line: `lanewise bench` runs the benchmark suites against the peers;
// `lanewise info` prints what this runtime gets.
import { writeFileSync } from 'node:fs';
import { Lanewise } from '../index.js';

const usage = `usage: lanewise bench [--suite NAME[,NAME…]] [--quick] [--no-peers] [--json FILE]
       lanewise info`;

async function main(argv: string[]): Promise<number> {
  const [cmd, ...rest] = argv;
  if (cmd === 'info') {
    const lw = await Lanewise.create();
    console.log(JSON.stringify(lw.info(), null, 2));
    lw.dispose();
    return 0;
  }
  if (cmd !== 'bench') { console.error(usage); return cmd === undefined || cmd === '--help' ? 0 : 2; }
  let json: string | undefined, quick = false, peers = true;
  const suites: string[] = [];
  for (let i = 0; i < rest.length; i++) {
    const a = rest[i];
    if (a === '--json') { json = rest[++i]; if (!json) { console.error('--json needs a file name'); return 2; } }
    else if (a === '--suite') { const v = rest[++i]; if (!v) { console.error('--suite needs a name'); return 2; } suites.push(...v.split(',')); }
    else if (a === '--quick') quick = true;
    else if (a === '--no-peers') peers = false;
    else { console.error(`unknown argument ${a}\n${usage}`); return 2; }
  }
  // The benchmark harness and its peers are development tools: load them only for `bench`.
  const { runBench, formatTable } = await import('../../bench/run.js');
  const { suites: known } = await import('../../bench/suites/index.js');
  const unknown = suites.filter((name) => !known.some((x) => x.name === name));
  if (unknown.length) {
    console.error(`unknown suite ${unknown.map((n) => `'${n}'`).join(', ')}; known: ${known.map((x) => x.name).join(', ')}\n${usage}`);
    return 2;
  }
  const report = await runBench({ suites, quick, peers });
  console.log('');
  console.log(formatTable(report));
  if (json) { writeFileSync(json, JSON.stringify(report, null, 2)); console.log(`\nwrote ${json}`); }
  return 0;
}

main(process.argv.slice(2)).then((code) => { process.exitCode = code; }, (e) => { console.error(e); process.exitCode = 1; });
