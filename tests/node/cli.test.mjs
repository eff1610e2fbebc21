// The CLI's four reports, byte for byte against the independent reference
// implementation (tests/reference/reports.mjs), on the example fixture (JSON
// and CSV), the bundled demo export and the real Synthea exports, over a set
// of periods and options; plus the CLI's exit codes and the generator's
// determinism.
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

import { cli, cliArgs } from '../helpers.mjs';
import { computeReport, loadExport, toCsv } from '../reference/reports.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const generator = process.env.CLINIC_DEMO_GEN ?? path.join(root, 'build/clinic-demo-gen');
const realdata = path.resolve(root, '../shared/realdata');
const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'clinic-cli-'));

const reports = ['rating', 'divisions', 'loyalty', 'revenue'];

function runCli(args) {
  return spawnSync(cli, args, { encoding: 'utf8', maxBuffer: 1 << 30 });
}

function summaryOf(files) {
  const run = runCli(['summary', '--format', 'json', ...files]);
  assert.equal(run.status, 0, run.stderr);
  return JSON.parse(run.stdout);
}

// Periods and options drawn from the export itself: a middle period, its
// busiest division and employee.
function optionSets(exportObj, summary) {
  const first = new Date(`${summary.first_date}T00:00:00Z`).getTime();
  const last = new Date(`${summary.last_date}T00:00:00Z`).getTime();
  const day = (t) => new Date(t).toISOString().slice(0, 10);
  const from = day(first + (last - first) * 0.4);
  const to = day(first + (last - first) * 0.7);
  const count = (key) => {
    const counts = new Map();
    for (const v of exportObj.visits) if (v[key]) counts.set(v[key], (counts.get(v[key]) ?? 0) + 1);
    return [...counts.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))[0]?.[0];
  };
  const division = count('division');
  const employee = count('employee');
  const sets = [
    {},
    { from, to },
    { from },
    { to },
    { top: 7 },
    { from, to, top: 3 },
    { from, to, allDivisions: true },
    { from, to, returnWindow: 30 },
    { from, to, returnWindow: 400 },
    { from, to, newPerEmployee: true },
    { from, to, newPerEmployee: true, returnWindow: 90 },
  ];
  if (division) sets.push({ division }, { from, to, division, returnWindow: 60 });
  if (employee) sets.push({ employee }, { from, to, employee, newPerEmployee: true });
  return sets;
}

function checkAgainstReference(name, files, referencePath) {
  const exportObj = loadExport(referencePath);
  const summary = summaryOf(files);
  for (const options of optionSets(exportObj, summary)) {
    for (const report of reports) {
      const run = runCli([report, '--format', 'csv', ...cliArgs(options), ...files]);
      assert.equal(run.status, 0, `${name} ${report} ${JSON.stringify(options)}: ${run.stderr}`);
      const expected = toCsv(computeReport(exportObj, report, options));
      assert.equal(run.stdout, expected, `${name} ${report} ${JSON.stringify(options)}`);
    }
  }
}

const example = path.join(root, 'tests/fixtures/example-export.json');
const exampleCsv = path.join(root, 'tests/fixtures/example-csv');
const demo = path.join(root, 'web/demo/clinic-demo.json');

test('example fixture (JSON): every report equals the reference', () => {
  checkAgainstReference('example.json', [example], example);
});

test('example fixture (CSV files): the same reports as its JSON twin', () => {
  const csvFiles = fs.readdirSync(exampleCsv).map((f) => path.join(exampleCsv, f));
  for (const report of reports) {
    const fromJson = runCli([report, '--format', 'csv', example]);
    const fromCsv = runCli([report, '--format', 'csv', ...csvFiles]);
    assert.equal(fromCsv.status, 0, fromCsv.stderr);
    assert.equal(fromCsv.stdout, fromJson.stdout, report);
  }
});

test('demo export: every report equals the reference', () => {
  checkAgainstReference('demo', [demo], demo);
});

for (const folder of ['synthea-unmc', 'synthea-ablack3']) {
  test(`real Synthea export ${folder}: converted, every report equals the reference`, (t) => {
    const source = path.join(realdata, folder);
    if (!fs.existsSync(source)) {
      t.skip(`${source} is not present`);
      return;
    }
    const converted = path.join(scratch, `${folder}.json`);
    execFileSync('node', [path.join(root, 'scripts/synthea-to-export.mjs'), source, converted]);
    checkAgainstReference(folder, [converted], converted);
    // Independent of both engines: the completed amount is the sum of TOTAL_CLAIM_COST.
    const text = fs.readFileSync(path.join(source, 'encounters.csv'), 'utf8');
    const header = text.split('\n', 1)[0].split(',');
    const column = header.indexOf('TOTAL_CLAIM_COST');
    let cents = 0n;
    let lines = 0;
    for (const row of text.split('\n').slice(1)) {
      if (!row.trim()) continue;
      // TOTAL_CLAIM_COST sits before the free-text REASONDESCRIPTION, so a
      // plain split is safe up to it unless DESCRIPTION holds quoted commas.
      const cells = row.match(/("([^"]|"")*"|[^,]*)(,|$)/g).map((c) => c.replace(/,$/, ''));
      const amount = cells[column];
      const [whole, frac = ''] = amount.split('.');
      cents += BigInt(whole) * 100n + BigInt((frac + '00').slice(0, 2)) * (whole.startsWith('-') ? -1n : 1n);
      lines += 1;
    }
    const summary = summaryOf([converted]);
    assert.equal(summary.lines, lines);
    // Read the amount from the text: a JS number would not keep it exact.
    const raw = runCli(['summary', '--format', 'json', converted]).stdout;
    const [w, f] = raw.match(/"completed_amount": (-?\d+\.\d{2})/)[1].split('.');
    assert.equal(BigInt(w) * 100n + BigInt(f) * (w.startsWith('-') ? -1n : 1n), cents);
  });
}

test('exit codes: 2 for usage errors, 1 for data errors with the message on stderr', () => {
  assert.equal(runCli([]).status, 2);
  assert.equal(runCli(['bogus', example]).status, 2);
  assert.equal(runCli(['rating', '--from', '2024-02-30', example]).status, 2);
  assert.equal(runCli(['rating', '--top', 'x', example]).status, 2);
  assert.equal(runCli(['rating']).status, 2);
  assert.equal(runCli(['rating', '--format', 'xml', example]).status, 2);

  const bad = path.join(scratch, 'bad.json');
  fs.writeFileSync(bad, '{"format": "clinic-export", "version": 1, "visits": [\n  {"date": "2024-01-01", "patient": "P1", "amount": 1x}\n]}');
  const run = runCli(['rating', bad]);
  assert.equal(run.status, 1);
  assert.match(run.stderr, /bad\.json, line 2, column \d+.*\[json\.syntax\]/);
  assert.equal(run.stdout, '');

  const unknown = runCli(['rating', '--division', 'NO-SUCH-DIVISION', example]);
  assert.equal(unknown.status, 1);
  assert.match(unknown.stderr, /\[options\.unknown_division\]/);
  assert.equal(runCli(['rating', path.join(scratch, 'missing.json')]).status, 1);
});

test('table output is aligned: every line of a report has the same width up to its last cell', () => {
  const run = runCli(['revenue', example]);
  assert.equal(run.status, 0, run.stderr);
  const lines = run.stdout.trimEnd().split('\n');
  assert.match(lines[0], /^employee_id\s+employee\s+services_amount/);
  assert.match(lines[1], /^-+$/);
  // Right-aligned numbers: the total column ends at the same character on every row.
  const end = [...lines[0]].length;
  for (const line of lines.slice(2)) assert.equal([...line].length, end, line);
});

test('the generator is deterministic and the shipped demo is its default output', () => {
  const a = path.join(scratch, 'a.json');
  const b = path.join(scratch, 'b.json');
  execFileSync(generator, ['--out', a], { stdio: 'ignore' });
  execFileSync(generator, ['--out', b], { stdio: 'ignore' });
  assert.ok(fs.readFileSync(a).equals(fs.readFileSync(b)));
  assert.ok(fs.readFileSync(a).equals(fs.readFileSync(demo)), 'web/demo/clinic-demo.json is stale');
  const dir = path.join(scratch, 'csv');
  execFileSync(generator, ['--lines', '3000', '--seed', '7', '--format', 'csv', '--out', dir], { stdio: 'ignore' });
  const json = path.join(scratch, 'seed7.json');
  execFileSync(generator, ['--lines', '3000', '--seed', '7', '--out', json], { stdio: 'ignore' });
  const csvFiles = fs.readdirSync(dir).map((f) => path.join(dir, f));
  for (const report of reports) {
    const fromJson = runCli([report, '--format', 'csv', json]);
    const fromCsv = runCli([report, '--format', 'csv', ...csvFiles]);
    assert.equal(fromJson.status, 0, fromJson.stderr);
    assert.equal(fromCsv.stdout, fromJson.stdout, report);
  }
});
