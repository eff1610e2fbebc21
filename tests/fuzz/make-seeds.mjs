#!/usr/bin/env node
// Seeds for the libFuzzer targets, from the hostile-input corpus
// (tests/corpus) and the fixtures:
//
//   node tests/fuzz/make-seeds.mjs OUT_DIR
//
// writes OUT_DIR/<target>/<name> for fuzz_json and fuzz_json_differential
// (every JSON input) and fuzz_csv (the CSV files of each case joined by the
// 0x1E marker byte in the order visits, patients, employees, as fuzz_csv.cpp
// splits them). Generated cases are built with their repeat counts cut to
// 1,000 (10 MB inputs make poor seeds; 1,000 still nests past the 512 limit).

import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { loadCorpus } from '../corpus/corpus.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const out = path.resolve(process.argv[2] || 'build-fuzz/seeds');

const seeds = { fuzz_json: [], fuzz_json_differential: [], fuzz_csv: [] };
const addJson = (name, bytes) => {
  seeds.fuzz_json.push([name, bytes]);
  seeds.fuzz_json_differential.push([name, bytes]);
};
const CSV_ORDER = ['visits.csv', 'patients.csv', 'employees.csv'];
const addCsv = (name, files) => {
  const byName = new Map(files.map((f) => [path.basename(f.name).toLowerCase(), f.bytes]));
  const parts = [];
  for (const table of CSV_ORDER) {
    if (!byName.has(table)) break;
    parts.push(byName.get(table));
  }
  if (parts.length === 0) return;
  const joined = [];
  parts.forEach((p, i) => joined.push(...(i ? [Buffer.from([0x1e])] : []), p));
  seeds.fuzz_csv.push([name, Buffer.concat(joined)]);
};

for (const { name, files } of loadCorpus({ maxRepeat: 1000 })) {
  for (const f of files) if (f.name.toLowerCase().endsWith('.json')) addJson(`${name}-${f.name}`, f.bytes);
  addCsv(name, files);
}
addJson('fixture-example-export.json', fs.readFileSync(path.join(root, 'tests/fixtures/example-export.json')));
const csvDir = path.join(root, 'tests/fixtures/example-csv');
addCsv('fixture-example-csv', fs.readdirSync(csvDir).map((name) => ({ name, bytes: fs.readFileSync(path.join(csvDir, name)) })));

for (const [target, list] of Object.entries(seeds)) {
  const dir = path.join(out, target);
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  for (const [name, bytes] of list) fs.writeFileSync(path.join(dir, name.replace(/[^A-Za-z0-9._-]/g, '_')), bytes);
  console.log(`${target}: ${list.length} seeds`);
}
