// Two builds of the wasm engine in one Node process, on the same bytes, their
// loads alternated: for measuring a change on a noisy machine, where only a
// ratio within one process means much.
//
//   node bench/ab.mjs --a DIR --b DIR [--runs N] FILE...
//   node bench/ab.mjs --reports --a DIR --b DIR [--runs N] FILE...
//
// DIR holds clinic_engine.js and clinic_engine.wasm (a build-wasm/ folder, or
// a copy of one made before the change). FILE: one JSON export, or the CSV
// files of one export. Prints each build's import times ("bytes in wasm
// memory to reports ready"), their medians, B's speed-up over A, and then the
// four reports after a period change, alternated the same way. Both builds must
// give the same import summary, or it stops. The speed-up is given as the
// ratio of the medians and as the median of the ratios of adjacent runs.
// With --reports, each build loads the export once and only the four reports
// are timed: the bench's 10 random periods (seed 42), N rounds, each period's
// four reports run by A and B in turn (B first in odd rounds).

import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';

import * as ours from './engines/ours-wasm.mjs';
import { median, pairRatios, percentile, randomPeriods } from './engines/common.mjs';

const { values, positionals } = parseArgs({
  options: {
    a: { type: 'string' }, b: { type: 'string' }, runs: { type: 'string', default: '9' },
    reports: { type: 'boolean', default: false },
  },
  allowPositionals: true,
});
if (!values.a || !values.b || positionals.length === 0) {
  console.error('usage: node bench/ab.mjs [--reports] --a DIR --b DIR [--runs N] FILE...');
  process.exit(2);
}
const runs = Math.max(1, Number(values.runs));
const files = positionals.map((p) => ({ name: path.basename(p), bytes: fs.readFileSync(p) }));
const megabytes = files.reduce((s, f) => s + f.bytes.length, 0) / 1e6;

const builds = [
  { label: 'A', engine: await ours.create({ engineDir: path.resolve(values.a) }), load: [], reports: [] },
  { label: 'B', engine: await ours.create({ engineDir: path.resolve(values.b) }), load: [], reports: [] },
];

const summaryKey = (s) => JSON.stringify([s.lines, s.completed, s.completedAmount, s.patients, s.warnings?.length]);
let expected = null;
// A cold load of each first, untimed; then A, B, B, A, ... so neither always goes first.
for (const b of builds) {
  const key = summaryKey(b.engine.load(files));
  if (expected !== null && key !== expected) {
    console.error(`the builds disagree: A ${expected}, B ${key}`);
    process.exit(1);
  }
  expected = key;
  b.engine.close();
}
if (values.reports) {
  compareReports();
  process.exit(0);
}

const periods = [
  { from: '2024-03-01', to: '2024-05-31' },
  { from: '2025-01-01', to: '2025-12-31' },
  { from: '2026-06-01', to: '2026-06-30' },
];
for (let i = 0; i < runs; ++i) {
  for (const b of i % 2 === 0 ? builds : [...builds].reverse()) {
    b.engine.load(files);
    b.load.push(b.engine.lastTiming.importMs);
    for (const period of periods) {
      const t0 = performance.now();
      for (const name of ['rating', 'divisions', 'loyalty', 'revenue']) b.engine.report(name, period);
      b.reports.push(performance.now() - t0);
    }
    b.engine.close();
  }
}

const ms = (v) => v.toFixed(1);
console.log(`${files.map((f) => f.name).join(' ')} (${megabytes.toFixed(0)} MB), ${runs} alternated runs each`);
for (const b of builds) {
  console.log(`${b.label} import ms: ${b.load.map(ms).join(' ')} | median ${ms(median(b.load))}; ` +
    `4 reports median ${median(b.reports).toFixed(2)} ms`);
}
const [a, b] = builds;
// The machine's speed drifts (by 2x here, for minutes at a time): the ratio of
// each adjacent pair of runs is steadier than the ratio of the medians.
const pairs = pairRatios(a.load, b.load);
console.log(`B/A speed-up: import ${(median(a.load) / median(b.load)).toFixed(3)}x of the medians, ` +
  `${median(pairs).toFixed(3)}x median of the ${pairs.length} pairs ` +
  `(${Math.min(...pairs).toFixed(2)} to ${Math.max(...pairs).toFixed(2)}); ` +
  `reports ${(median(a.reports) / median(b.reports)).toFixed(3)}x`);

function compareReports() {
  const names = ['rating', 'divisions', 'loyalty', 'revenue'];
  const periods = randomPeriods(42, 10, '2024-01-01', '2026-12-31');  // as bench.mjs
  for (const b of builds) {
    b.engine.load(files);
    b.perReport = Object.fromEntries(names.map((n) => [n, []]));
    for (const period of periods) for (const name of names) b.engine.report(name, period);  // warm
  }
  for (let i = 0; i < runs; ++i) {
    for (const period of periods) {
      for (const b of i % 2 === 0 ? builds : [...builds].reverse()) {
        let total = 0;
        for (const name of names) {
          const t0 = performance.now();
          b.engine.report(name, period);
          const ms = performance.now() - t0;
          b.perReport[name].push(ms);
          total += ms;
        }
        b.reports.push(total);
      }
    }
  }
  console.log(`${files.map((f) => f.name).join(' ')}: ${runs} rounds of ${periods.length} period changes, alternated`);
  for (const b of builds) {
    const each = names.map((n) => `${n} ${median(b.perReport[n]).toFixed(2)}`).join(', ');
    console.log(`${b.label} 4 reports ms: median ${median(b.reports).toFixed(2)}, ` +
      `p95 ${percentile(b.reports, 95).toFixed(2)} (${each})`);
  }
  const [a, b] = builds;
  const pairs = pairRatios(a.reports, b.reports);
  console.log(`B/A speed-up: ${(median(a.reports) / median(b.reports)).toFixed(3)}x of the medians, ` +
    `${median(pairs).toFixed(3)}x median of the ${pairs.length} pairs`);
  for (const x of builds) x.engine.close();
}
