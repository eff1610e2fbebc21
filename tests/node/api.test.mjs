// The WebAssembly API contract (docs/wasm-api.md): result shapes, error codes,
// and that every report, rendered by web/report-table.js, equals the native
// CLI's `--format csv` output byte for byte for the same export and options.
//
//   node --test tests/node/api.test.mjs
//
// Environment: CLINIC_ENGINE_DIR (default build-wasm: clinic_engine.js + .wasm),
// CLINIC_REPORT (default build/clinic-report; CLI comparisons are skipped
// when it is missing).

import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import vm from 'node:vm';
import { describe, test, before } from 'node:test';
import { fileURLToPath } from 'node:url';

import { ClinicEngine, REPORT_NAMES, missingWasmFeature } from '../../web/engine.js';
import { ClinicError, ERROR_HINTS } from '../../web/errors.js';
import { MIN_BACKGROUND_STRINGS, RankPrecomputer, copyInPieces, rankWorkerSource } from '../../web/rank-worker.js';
import { cli, cliCsv, newEngine } from '../helpers.mjs';
import {
  buildTable, centsToPlain, COLLATOR_OPTIONS, CSV_PIECE_ROWS, hasRanks, neutraliseFormula, ranksOf, sortOrder, tenthsToPlain, toContractCsv,
  toExcelCsv, toExcelCsvPieces,
} from '../../web/report-table.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const haveCli = fs.existsSync(cli);
const fixtureJson = path.join(root, 'tests/fixtures/example-export.json');
const fixtureCsvDir = path.join(root, 'tests/fixtures/example-csv');
const demoJson = path.join(root, 'web/demo/clinic-demo.json');

function filesFrom(paths) {
  return paths.map((p) => ({ name: path.basename(p), bytes: fs.readFileSync(p) }));
}

function csvFixturePaths() {
  return fs.readdirSync(fixtureCsvDir).filter((f) => f.endsWith('.csv')).sort().map((f) => path.join(fixtureCsvDir, f));
}

function textFile(name, text) {
  return { name, bytes: new TextEncoder().encode(text) };
}

function expectClinicError(fn, code) {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof ClinicError, `expected a ClinicError, got ${err}`);
    assert.equal(err.code, code, err.message);
    assert.ok(err.message.endsWith(`[${code}]`), err.message);
    return err;
  }
  assert.fail(`expected ${code}, nothing was thrown`);
}

/** Option sets run on every export; ids are picked from the export itself. */
function optionSets(engine) {
  const summary = engine.summary();
  const ents = engine.entities();
  const [first, last] = [summary.firstDay, summary.lastDay];
  const mid = (() => {
    const a = Date.parse(first);
    const b = Date.parse(last);
    return new Date(a + Math.floor((b - a) / 2 / 86400000) * 86400000).toISOString().slice(0, 10);
  })();
  const sets = [
    {},
    { from: first, to: last },
    { from: mid },
    { to: mid },
    { top: 2 },
    { top: 1, from: mid },
    { allDivisions: true },
    { allDivisions: true, from: mid, top: 3 },
    { returnWindow: 30 },
    { returnWindow: 0, from: mid },
    { newPerEmployee: true },
    { newPerEmployee: true, returnWindow: 60, from: mid },
    { from: '1990-01-01', to: '1990-12-31' }, // an empty period
  ];
  if (ents.divisions.ids.length > 0) sets.push({ division: ents.divisions.ids.get(0) }, { division: ents.divisions.ids.get(ents.divisions.ids.length - 1), from: mid });
  if (ents.employees.ids.length > 0) sets.push({ employee: ents.employees.ids.get(0) }, { employee: ents.employees.ids.get(ents.employees.ids.length - 1), returnWindow: 90 });
  return sets;
}

function compareWithCli(name, paths) {
  describe(`${name}: every report equals the CLI's CSV`, { skip: haveCli ? false : `no CLI at ${cli}` }, () => {
    let engine;
    before(async () => {
      engine = await newEngine();
      engine.load(filesFrom(paths));
    });
    test('all option sets', () => {
      for (const options of optionSets(engine)) {
        for (const report of REPORT_NAMES) {
          const table = buildTable(engine.report(report, options), engine.entities());
          assert.equal(toContractCsv(table), cliCsv(report, options, paths),
            `${report} ${JSON.stringify(options)}`);
        }
      }
    });
  });
}

describe('result shapes', () => {
  let engine;
  let summary;
  before(async () => {
    engine = await newEngine();
    summary = engine.load(filesFrom([fixtureJson]));
  });

  test('load returns the import summary, camelCase, money in cents, days as text', () => {
    assert.deepEqual(summary, {
      clinic: { name: 'Riverside Family Clinic', currency: 'EUR' },
      format: 'json',
      files: ['example-export.json'],
      divisions: 2,
      employees: 3,
      priceLists: 2,
      patients: 4,
      lines: 12,
      completed: 10,
      cancelled: 1,
      noShow: 1,
      completedAmount: 70139,
      cancelledAmount: 4500,
      noShowAmount: 15000,
      goodsLines: 3,
      refundLines: 1,
      visits: 8,
      patientsWithLines: 4,
      firstDay: '2024-01-03',
      lastDay: '2024-03-15',
      blankLines: 0,
      warnings: [],
    });
    assert.deepEqual(engine.summary(), summary);
  });

  test('entities: ids and names per table, typed per-patient columns', () => {
    const e = engine.entities();
    assert.deepEqual(e.patients.ids.toArray(), ['P1', 'P2', 'P3', 'P4']);
    assert.deepEqual(e.patients.names.toArray(), ['Maria Schmidt', 'Max "Maxi" Huber', 'Chloé Øster', 'Oscar Berg']);
    assert.deepEqual(e.employees.names.toArray(), ['Dr. Anna Weber', 'Dr. Jonas Keller', 'Lena Fischer, nurse']);
    assert.deepEqual(e.divisions.ids.toArray(), ['D1', 'D2']);
    assert.deepEqual(e.priceLists.names.toArray(), ['Standard', 'Loyalty card']);
    assert.ok(e.patientPriceList instanceof Int32Array);
    assert.deepEqual([...e.patientPriceList], [0, 1, -1, -1]);
    assert.ok(e.patientBonusCents instanceof Float64Array);
    assert.deepEqual([...e.patientBonusCents], [1250, 0, NaN, NaN]);
    assert.deepEqual([...e.employeeDivision], [0, 1, -1]);
    assert.deepEqual([...e.patients.declared], [1, 1, 1, 1]);
    // Packed UTF-8, decoded one string at a time on demand.
    assert.ok(e.patients.names.bytes instanceof Uint8Array && e.patients.names.offsets instanceof Uint32Array);
    assert.equal(e.patients.names.length, 4);
    assert.equal(e.patients.names.get(2), 'Chloé Øster');
    assert.equal(e.patients.names.offsets[3] - e.patients.names.offsets[2], 13); // 11 characters, 2 of them 2-byte
  });

  test('entities: ids and names of every length from 1 to 40 bytes come back byte for byte', async () => {
    // entities() copies each string in whole words where it can (overlapping
    // at the end) and byte by byte below 4 bytes: every length, ASCII and
    // multi-byte, and a name just once the id's length, against the input.
    const letters = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMN';
    const ids = [];
    const names = [];
    for (let n = 1; n <= 40; ++n) {
      ids.push(`${letters.slice(0, n - 1)}${n % 10}`);
      names.push(n % 3 === 0 ? `${'é'.repeat(Math.floor(n / 2))}${'z'.repeat(n % 2)}` : letters.slice(40 - n));
    }
    const engine = await newEngine();
    engine.load([textFile('lengths.json', JSON.stringify({
      format: 'clinic-export',
      version: 1,
      employees: names.map((name, i) => ({ id: `E${i}`, name })),
      patients: ids.map((id, i) => ({ id, name: names[i] })),
      visits: ids.map((id, i) => ({ date: '2024-01-01', patient: id, employee: `E${i}`, amount: 1 })),
    }))]);
    const e = engine.entities();
    assert.deepEqual(e.patients.ids.toArray(), ids);
    assert.deepEqual(e.patients.names.toArray(), names);
    assert.deepEqual(e.employees.names.toArray(), names);
    const utf8 = new TextEncoder();
    const lengths = names.map((name) => utf8.encode(name).length);
    assert.deepEqual([...e.patients.names.offsets.slice(1)].map((end, i) => end - e.patients.names.offsets[i]), lengths);
    assert.deepEqual([...e.patients.names.bytes], [...utf8.encode(names.join(''))]);
    // Visits first: each entity is named by its id when a line meets it, then
    // renamed by its row, so the engine's names no longer lie back to back
    // (the new ones were appended) and go out one by one: the same bytes.
    engine.load([textFile('visits-first.json', JSON.stringify({
      format: 'clinic-export',
      version: 1,
      visits: ids.map((id, i) => ({ date: '2024-01-01', patient: id, employee: `E${i}`, amount: 1 })),
      employees: names.map((name, i) => ({ id: `E${i}`, name })),
      patients: ids.map((id, i) => ({ id, name: names[i] })),
    }))]);
    const renamed = engine.entities();
    assert.deepEqual(renamed.patients.ids.toArray(), ids);
    assert.deepEqual(renamed.patients.names.toArray(), names);
    assert.deepEqual(renamed.employees.names.toArray(), names);
    assert.deepEqual([...renamed.patients.names.bytes], [...utf8.encode(names.join(''))]);
    engine.clear();
  });

  test('PackedStrings: empty strings, multi-byte text, get() and toArray() agree', async () => {
    const { PackedStrings } = await import('../../web/strings.js');
    const texts = ['', 'Åse', '', '李 雷', 'x'];
    const encoded = texts.map((t) => new TextEncoder().encode(t));
    const offsets = new Uint32Array(texts.length + 1);
    encoded.forEach((b, i) => { offsets[i + 1] = offsets[i] + b.length; });
    const bytes = new Uint8Array(offsets[texts.length]);
    encoded.forEach((b, i) => bytes.set(b, offsets[i]));
    const packed = new PackedStrings(bytes, offsets);
    assert.equal(packed.length, 5);
    assert.equal(packed.get(3), '李 雷');
    assert.equal(packed.get(0), '');
    assert.deepEqual(packed.toArray(), texts);
    assert.equal(new PackedStrings(new Uint8Array(0), new Uint32Array([0])).toArray().length, 0);
  });

  test('rating: typed columns, cents, tenths of a percent, ABC as char codes', () => {
    const r = engine.report('rating', {});
    assert.equal(r.report, 'rating');
    assert.equal(r.count, 4);
    assert.equal(r.patients, 4);
    assert.deepEqual(r.total, { amount: 70139, visits: 8 });
    assert.ok(r.rows.rank instanceof Int32Array);
    assert.ok(r.rows.patient instanceof Int32Array);
    assert.ok(r.rows.amount instanceof Float64Array);
    assert.ok(r.rows.abc instanceof Uint8Array);
    assert.deepEqual([...r.rows.rank], [1, 2, 3, 4]);
    assert.deepEqual([...r.rows.patient], [1, 0, 2, 3]);
    assert.deepEqual([...r.rows.visits], [3, 2, 2, 1]);
    assert.deepEqual([...r.rows.amount], [31290, 30999, 5350, 2500]);
    assert.deepEqual([...r.rows.share], [446, 442, 76, 36]);
    assert.deepEqual([...r.rows.cumulative], [446, 888, 964, 1000]);
    assert.equal(String.fromCharCode(...r.rows.abc), 'AABC');
  });

  test('rating with top keeps shares against the whole period', () => {
    const r = engine.report('rating', { top: 1 });
    assert.equal(r.count, 1);
    assert.equal(r.patients, 4);
    assert.deepEqual([...r.rows.share], [446]);
  });

  test('divisions: sparse cells row by row in column order, column and grand totals', () => {
    const r = engine.report('divisions', {});
    assert.deepEqual([...r.columns], [0, 1, -1]);
    assert.deepEqual([...r.rows.patient], [1, 0, 2, 3]);
    // The grid [10290, 21000, -], [999, 30000, -], [4500, -, 850], [-, -, 2500], without its empty cells.
    assert.ok(r.cells.begin instanceof Uint32Array && r.cells.column instanceof Uint32Array);
    assert.deepEqual([...r.cells.begin], [0, 2, 4, 6, 7]);
    assert.deepEqual([...r.cells.column], [0, 1, 0, 1, 0, 2, 2]);
    assert.deepEqual([...r.cells.amount], [10290, 21000, 999, 30000, 4500, 850, 2500]);
    assert.deepEqual([...r.rows.total], [31290, 30999, 5350, 2500]);
    assert.deepEqual([...r.total.columns], [15789, 51000, 3350]);
    assert.equal(r.total.amount, 70139);
  });

  test('divisions: a column with no lines in the period has an empty total', () => {
    const r = engine.report('divisions', { allDivisions: true, from: '2024-03-10' });
    assert.deepEqual([...r.columns], [0, 1]);
    assert.deepEqual([...r.total.columns], [NaN, 21000]);
  });

  test('loyalty: per-employee counts, pending only with a return window', () => {
    const r = engine.report('loyalty', {});
    assert.equal(r.hasPending, false);
    assert.deepEqual([...r.rows.employee], [0, 1, 2]);
    assert.deepEqual([...r.rows.primary], [2, 1, 2]);
    assert.deepEqual([...r.rows.returned], [1, 0, 0]);
    assert.deepEqual([...r.rows.retention], [500, 0, 0]);
    assert.deepEqual([...r.rows.pending], [NaN, NaN, NaN]);
    assert.deepEqual(r.total, { primary: 4, returned: 1, retention: 250, returnedToClinic: 2, old: 0, pending: NaN });
    const w = engine.report('loyalty', { returnWindow: 30 });
    assert.equal(w.hasPending, true);
    assert.equal(w.total.pending, 1);
  });

  test('revenue: (unassigned) is employee -1; total row object', () => {
    const r = engine.report('revenue', {});
    assert.deepEqual([...r.rows.employee], [1, 0, 2, -1]);
    assert.deepEqual([...r.rows.total], [51000, 14790, 3350, 999]);
    assert.deepEqual([...r.rows.avgVisit], [25500, 4930, 1675, 999]);
    assert.deepEqual(r.total, {
      services: 67000, goods: 3139, total: 70139, share: 1000, lines: 10, visits: 8, patients: 4, avgVisit: 8767,
    });
  });

  test('results own their memory: typed arrays are copies, not views of wasm memory', () => {
    const r = engine.report('rating', {});
    assert.notEqual(r.rows.amount.buffer, engine.module.HEAPU8.buffer);
    engine.load(filesFrom([fixtureJson]));
    assert.deepEqual([...r.rows.amount], [31290, 30999, 5350, 2500]);
  });

  test('a failed load keeps the previous export', () => {
    expectClinicError(() => engine.load([textFile('bad.json', '{')]), 'json.syntax');
    assert.equal(engine.summary().patients, 4);
    assert.equal(engine.report('rating', {}).count, 4);
  });

  test('loading again and again does not leak the file buffers', () => {
    // 4 MB of ignored padding: 40 leaked buffers would grow memory by 160 MB.
    const text = fs.readFileSync(fixtureJson, 'utf8').replace('"exportedAt"', `"padding": "${'x'.repeat(4 << 20)}", "exportedAt"`);
    const files = [textFile('padded.json', text)];
    engine.load(files);
    const before = engine.module.HEAPU8.length;
    for (let i = 0; i < 40; ++i) engine.load(files);
    assert.ok(engine.module.HEAPU8.length <= before + (16 << 20), `${before} -> ${engine.module.HEAPU8.length}`);
    assert.equal(engine.summary().patients, 4);
  });
});

describe('CSV rendering (web/report-table.js)', () => {
  test('exact amounts and percentages from integers', () => {
    assert.equal(centsToPlain(0), '0.00');
    assert.equal(centsToPlain(5), '0.05');
    assert.equal(centsToPlain(-1), '-0.01');
    assert.equal(centsToPlain(123456789012), '1234567890.12');
    assert.equal(centsToPlain(NaN), '');
    assert.equal(tenthsToPlain(1000), '100.0');
    assert.equal(tenthsToPlain(-7), '-0.7');
    assert.equal(tenthsToPlain(NaN), '');
  });

  test('formula injection is neutralised in text only', () => {
    assert.equal(neutraliseFormula('=1+1'), "'=1+1");
    assert.equal(neutraliseFormula('+49 170'), "'+49 170");
    assert.equal(neutraliseFormula('-x'), "'-x");
    assert.equal(neutraliseFormula('@SUM(A1)'), "'@SUM(A1)");
    assert.equal(neutraliseFormula('\tx'), "'\tx");
    assert.equal(neutraliseFormula('\rx'), "'\rx");
    assert.equal(neutraliseFormula('Anna'), 'Anna');
  });

  test('Excel CSV: BOM, CRLF, hostile names neutralised, numbers plain', async () => {
    const engine = await newEngine();
    engine.load([textFile('hostile.json', JSON.stringify({
      format: 'clinic-export',
      version: 1,
      clinic: { name: 'X', currency: 'EUR' },
      patients: [
        { id: '=cmd', name: '=HYPERLINK("http://x","y")' },
        { id: 'P2', name: '-5' },
        { id: 'P3', name: '@me' },
      ],
      visits: [
        { date: '2024-01-01', patient: '=cmd', amount: '1234.5' },
        { date: '2024-01-02', patient: 'P2', amount: '-10' },
        { date: '2024-01-03', patient: 'P3', amount: '1' },
      ],
    }))]);
    const table = buildTable(engine.report('rating', {}), engine.entities());
    const csv = toExcelCsv(table);
    assert.ok(csv.startsWith('\uFEFFrank,patient_id,patient,'));
    const lines = csv.slice(1).split('\r\n');
    assert.equal(lines.at(-1), '');
    assert.ok(!csv.slice(1).replaceAll('\r\n', '').includes('\n'));
    // Period total 1225.50: shares 1234.50 / 1225.50 = 100.7 %, then 0.1 %, -0.8 %.
    assert.equal(lines[1], `1,'=cmd,"'=HYPERLINK(""http://x"",""y"")",,,1,1234.50,100.7,100.7,A`);
    assert.equal(lines[2], "2,P3,'@me,,,1,1.00,0.1,100.8,C");
    assert.equal(lines[3], "3,P2,'-5,,,1,-10.00,-0.8,100.0,C");
    assert.equal(lines[4], ",,TOTAL,,,3,1225.50,,,");
    // The contract CSV is untouched by neutralisation.
    assert.ok(toContractCsv(table).includes('\n1,=cmd,"=HYPERLINK(""http://x"",""y"")",'));
  });

  test('Excel CSV in pieces: CSV_PIECE_ROWS lines a piece, a pause between, the same text', async () => {
    // The demo's rating has 5,666 rows: the header and 4,095 rows, the rest
    // with the totals. In the order on screen (here: reversed) as well.
    const engine = await newEngine();
    engine.load(filesFrom([demoJson]));
    const table = buildTable(engine.report('rating', {}), engine.entities());
    assert.ok(table.rowCount > CSV_PIECE_ROWS && table.rowCount < 2 * CSV_PIECE_ROWS);
    const reversed = Uint32Array.from({ length: table.rowCount }, (_, k) => table.rowCount - 1 - k);
    for (const order of [undefined, reversed]) {
      let pauses = 0;
      const pieces = await toExcelCsvPieces(table, order, async () => { pauses += 1; });
      assert.equal(pieces.join(''), toExcelCsv(table, order));
      assert.deepEqual(pieces.map((p) => p.split('\r\n').length - 1), [0, CSV_PIECE_ROWS, table.rowCount + 2 - CSV_PIECE_ROWS]);
      assert.equal(pauses, 2);
    }
    assert.notEqual(toExcelCsv(table, reversed), toExcelCsv(table));
  });

  test('sorting: an index over numeric keys, empty cells last, ties stable', async () => {
    const engine = await newEngine();
    engine.load(filesFrom([fixtureJson]));
    const table = buildTable(engine.report('divisions', {}), engine.entities());
    const surgery = table.columns.findIndex((c) => c.label === 'Surgery');
    // Surgery cells by row: 210.00, 300.00, empty, empty.
    assert.deepEqual([...sortOrder(table, surgery, false)], [0, 1, 2, 3]);
    assert.deepEqual([...sortOrder(table, surgery, true)], [1, 0, 2, 3]);
    const patient = table.columns.findIndex((c) => c.header === 'patient');
    const names = (order) => [...order].map((i) => table.value(i, patient));
    assert.deepEqual(names(sortOrder(table, patient, false)), ['Chloé Øster', 'Maria Schmidt', 'Max "Maxi" Huber', 'Oscar Berg']);
    assert.deepEqual(names(sortOrder(table, patient, true)), ['Oscar Berg', 'Max "Maxi" Huber', 'Maria Schmidt', 'Chloé Øster']);
  });
});

describe('errors come back as ClinicError with code and location', () => {
  let engine;
  before(async () => {
    engine = await newEngine();
  });

  test('a report before any load is api.no_export', () => {
    expectClinicError(() => engine.report('rating', {}), 'api.no_export');
  });

  test('malformed JSON is json.syntax with file, line and column', () => {
    const err = expectClinicError(() => engine.load([textFile('broken.json',
      '{"format": "clinic-export",\n "version": 1,\n "visits": [}')]), 'json.syntax');
    assert.equal(err.details.file, 'broken.json');
    assert.equal(err.details.line, 3);
    assert.equal(err.details.column, 13);
    assert.match(err.message, /^broken\.json, line 3, column 13/);
    assert.equal(err.hint, ERROR_HINTS['json.syntax']);
  });

  test('CSV files without visits.csv are csv.no_visits', () => {
    const paths = csvFixturePaths().filter((p) => !p.endsWith('visits.csv'));
    expectClinicError(() => engine.load(filesFrom(paths)), 'csv.no_visits');
  });

  test('no files at all', () => {
    expectClinicError(() => engine.load([]), 'input.no_files');
  });

  test('bad options are options.bad_value naming the field', () => {
    engine.load(filesFrom([fixtureJson]));
    const cases = [
      [{ from: '2024-02-30' }, 'from'],
      [{ to: '2024-03-01T10:00' }, 'to'],
      [{ from: 20240101 }, 'from'],
      [{ top: -1 }, 'top'],
      [{ top: 1.5 }, 'top'],
      [{ returnWindow: -3 }, 'returnWindow'],
      [{ returnWindow: '30' }, 'returnWindow'],
      [{ allDivisions: 'yes' }, 'allDivisions'],
      [{ division: 7 }, 'division'],
      [{ form: '2024-01-01' }, 'form'],
    ];
    for (const [options, field] of cases) {
      const err = expectClinicError(() => engine.report('rating', options), 'options.bad_value');
      assert.equal(err.details.field, field, JSON.stringify(options));
    }
    expectClinicError(() => engine.report('rating', 'soon'), 'options.bad_value');
  });

  test('period and unknown ids', () => {
    expectClinicError(() => engine.report('revenue', { from: '2024-03-01', to: '2024-01-01' }), 'options.bad_period');
    expectClinicError(() => engine.report('divisions', { division: 'D9' }), 'options.unknown_division');
    expectClinicError(() => engine.report('loyalty', { employee: 'E9' }), 'options.unknown_employee');
  });

  test('empty strings and nulls mean "no restriction"', () => {
    const all = engine.report('revenue', {});
    const blank = engine.report('revenue', {
      from: '', to: '', top: null, division: '', employee: '', returnWindow: null, allDivisions: false, newPerEmployee: false,
    });
    assert.deepEqual(blank, all);
  });

  test('a bad file descriptor is api.bad_argument, and its buffer is still freed', () => {
    const ptr = engine.allocate(16);
    expectClinicError(() => engine.loadAllocated([{ name: 'x.json', ptr, size: -1 }]), 'api.bad_argument');
    expectClinicError(() => engine.loadAllocated('x'), 'api.bad_argument');
  });

  test('every code the engine can raise has a hint', () => {
    const header = fs.readFileSync(path.join(root, 'wasm/core/status.h'), 'utf8');
    const codes = [...header.matchAll(/=\s*"([a-z0-9_]+\.[a-z0-9_.]+)"/g)].map((m) => m[1]);
    assert.ok(codes.length > 30);
    for (const code of codes) assert.ok(ERROR_HINTS[code], `no hint for ${code}`);
    const api = fs.readFileSync(path.join(root, 'wasm/bindings/api.cpp'), 'utf8');
    for (const m of api.matchAll(/std::string_view k\w+ = "([a-z_.]+)"/g)) assert.ok(ERROR_HINTS[m[1]], `no hint for ${m[1]}`);
  });
});

describe('the streaming import (beginImport, feedImport, finishImport)', () => {
  let engine;
  before(async () => {
    engine = await newEngine();
  });

  /** Writes and feeds each file in pieces of 1..maxPiece bytes, as the page's worker does. */
  function streamed(files, maxPiece, seed = 1) {
    let state = seed;
    const next = () => {
      state = (state * 1103515245 + 12345) % 2147483648;
      return 1 + (state % maxPiece);
    };
    const { order, buffers } = engine.beginImport(files.map((f) => ({ name: f.name, size: f.bytes.length, head: f.bytes.subarray(0, 3) })));
    assert.equal(order.length, files.length);
    for (const i of order) {
      const bytes = files[i].bytes;
      let have = 0;
      do {
        const piece = bytes.subarray(have, Math.min(bytes.length, have + next()));
        engine.write(buffers[i], have, piece);
        have += piece.length;
        if (!engine.feedImport(i, have)) return engine.finishImport();
      } while (have < bytes.length);
    }
    return engine.finishImport();
  }

  function allReports(options = {}) {
    return Object.fromEntries(REPORT_NAMES.map((r) => [r, engine.report(r, options)]));
  }

  for (const [name, paths] of [['example JSON', [fixtureJson]], ['example CSV', csvFixturePaths()], ['demo JSON', [demoJson]]]) {
    test(`${name}: fed in pieces, the same summary and reports as load()`, () => {
      const files = filesFrom(paths);
      const loaded = engine.load(files);
      const reports = allReports({});
      const period = allReports({ from: loaded.firstDay, to: loaded.firstDay.slice(0, 8) + '28' });
      for (const maxPiece of [1 + Math.floor(files[0].bytes.length / 7), 4096, 64]) {
        if (maxPiece === 64 && files[0].bytes.length > 1e6) continue;
        engine.clear();
        assert.deepEqual(streamed(files, maxPiece), loaded, `pieces of up to ${maxPiece} bytes`);
        assert.deepEqual(allReports({}), reports);
        assert.deepEqual(allReports({ from: loaded.firstDay, to: loaded.firstDay.slice(0, 8) + '28' }), period);
      }
    });
  }

  test('CSV tables are asked for referenced tables first', () => {
    const { order } = engine.beginImport([
      { name: 'visits.csv', size: 3, head: [100, 97, 116] },
      { name: 'divisions.csv', size: 3, head: [105, 100, 10] },
    ]);
    assert.deepEqual(order, [1, 0]);
    engine.abortImport();
  });

  test('a broken export fed in pieces fails as load() does, and the loaded export stays', () => {
    engine.load(filesFrom([fixtureJson]));
    const before = engine.summary();
    const broken = textFile('broken.json', '{"format": "clinic-export",\n "version": 1,\n "visits": [}' + ' '.repeat(5000));
    const direct = expectClinicError(() => engine.load([broken]), 'json.syntax');
    const fed = expectClinicError(() => streamed([broken], 100), 'json.syntax');
    assert.equal(fed.message, direct.message);
    assert.deepEqual(engine.summary(), before);
  });

  test('the file set is checked before any byte is read', () => {
    expectClinicError(() => engine.beginImport([]), 'input.no_files');
    expectClinicError(() => engine.beginImport([{ name: 'x.csv', size: 9, head: new Uint8Array([0xFF, 0xFE, 0x64]) }]), 'input.utf16');
    expectClinicError(() => engine.beginImport([{ name: 'a.json', size: 9, head: [123] }, { name: 'visits.csv', size: 9, head: [100] }]), 'input.mixed_files');
    expectClinicError(() => engine.beginImport([{ name: 'x.json', size: -1, head: [] }]), 'api.bad_argument');
    expectClinicError(() => engine.beginImport('x.json'), 'api.bad_argument');
  });

  test('misuse: feeding without an import, out of range, out of order; finishing early', () => {
    expectClinicError(() => engine.feedImport(0, 0), 'api.bad_argument');
    expectClinicError(() => engine.finishImport(), 'api.bad_argument');
    const json = fs.readFileSync(fixtureJson);
    const { buffers } = engine.beginImport([{ name: 'x.json', size: json.length, head: json.subarray(0, 3) }]);
    expectClinicError(() => engine.feedImport(0, json.length + 1), 'api.bad_argument');
    expectClinicError(() => engine.feedImport(1, 0), 'api.bad_argument');
    engine.write(buffers[0], 0, json.subarray(0, 100));
    assert.equal(engine.feedImport(0, 100), true);
    expectClinicError(() => engine.finishImport(), 'input.incomplete');
    expectClinicError(() => engine.finishImport(), 'api.bad_argument'); // the import is gone
  });
});

compareWithCli('example-export.json', [fixtureJson]);
compareWithCli('example-csv', csvFixturePaths());
if (fs.existsSync(demoJson)) {
  compareWithCli('demo export', [demoJson]);
} else {
  test('demo export equals the CLI', { skip: 'web/demo/clinic-demo.json not generated yet' }, () => {});
}

describe('the report cache (ReportCache): every result equals a fresh computation', () => {
  // The module keeps the period's lines and ranked patients between reports,
  // and must drop them on every load: a second export of the same shape (the
  // demo with other amounts) is likely to be placed where the first one was.
  const demo = fs.existsSync(demoJson) ? fs.readFileSync(demoJson, 'utf8') : null;
  test('random option sequences, switching exports', { skip: demo ? false : 'no demo export' }, async () => {
    const variant = demo.replace(/"amount":(-?)(\d+)\.(\d\d)/g, (m, sign, units, cents) => `"amount":${sign}${(Number(units) * 7 + Number(cents)) % 9973}.${cents}`);
    assert.notEqual(variant, demo);
    const exports = [[textFile('demo.json', demo)], [textFile('demo.json', variant)]];
    const cached = await newEngine();
    const fresh = await newEngine();
    let current = 0;
    cached.load(exports[current]);
    const { firstDay, lastDay } = cached.summary();
    const ents = cached.entities();
    let seed = 7;
    const below = (n) => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return Math.floor((seed / 2147483648) * n);
    };
    const day = (offset) => new Date(Date.parse(firstDay) + offset * 86400000).toISOString().slice(0, 10);
    const span = Math.round((Date.parse(lastDay) - Date.parse(firstDay)) / 86400000);
    const randomOptions = () => {
      const o = {};
      if (below(5) !== 0) o.from = day(below(span));
      if (below(5) !== 0) o.to = day(Math.min(span, (o.from ? Math.round((Date.parse(o.from) - Date.parse(firstDay)) / 86400000) : 0) + below(400)));
      if (below(4) === 0) o.top = 1 + below(50);
      if (below(5) === 0) o.division = ents.divisions.ids.get(below(ents.divisions.ids.length));
      if (below(5) === 0) o.employee = ents.employees.ids.get(below(ents.employees.ids.length));
      if (below(4) === 0) o.allDivisions = true;
      if (below(4) === 0) o.returnWindow = below(120);
      if (below(5) === 0) o.newPerEmployee = true;
      return o;
    };
    const check = (report, options) => {
      fresh.load(exports[current]);  // a load drops whatever the module kept
      assert.deepEqual(cached.report(report, options), fresh.report(report, options),
        `export ${current}, ${report} ${JSON.stringify(options)}`);
    };
    // One control changed at a time: a cache that missed the change would
    // give the result of the options before it.
    const changeOne = (o) => {
      const x = { ...o };
      switch (below(8)) {
        case 0: x.from = below(3) === 0 ? '' : day(below(span)); break;
        case 1: x.to = below(3) === 0 ? '' : lastDay; break;
        case 2: x.top = below(2) === 0 ? null : 1 + below(50); break;
        case 3: x.division = below(2) === 0 ? '' : ents.divisions.ids.get(below(ents.divisions.ids.length)); break;
        case 4: x.employee = below(2) === 0 ? '' : ents.employees.ids.get(below(ents.employees.ids.length)); break;
        case 5: x.allDivisions = !x.allDivisions; break;
        case 6: x.returnWindow = below(2) === 0 ? null : below(120); break;
        default: x.newPerEmployee = !x.newPerEmployee;
      }
      if (x.from && x.to && x.from > x.to) [x.from, x.to] = [x.to, x.from];
      return x;
    };
    let options = {};
    for (let step = 0; step < 80; ++step) {
      if (below(6) === 0) {
        current = 1 - current;
        if (below(2) === 0) cached.clear();
        cached.load(exports[current]);
      }
      if (below(2) === 0) {
        options = randomOptions();
        for (const report of REPORT_NAMES) check(report, options);  // a period change
      } else {
        options = changeOne(options);
        check(REPORT_NAMES[below(4)], options);  // one control changed on one tab
      }
    }
  });
});

describe('money out of the API: cents rounded half away from zero', () => {
  test('amounts at the rounding boundaries and past 32 bits, both signs', async () => {
    // Halves, just below them, refunds, 0 (never -0), and amounts past 2^32
    // units; BigInt arithmetic on the exported text is the oracle.
    const amounts = ['0.0049', '0.0050', '-0.0049', '-0.0050', '0.0150', '-0.0150', '12.3449', '-12.3451',
      '429496.7295', '429496.7296', '-429496.7295', '-429496.7296', '429496.7250', '-429496.7349',
      '123456789012.3450', '-123456789012.3449', '0.0000'];
    const engine = await newEngine();
    engine.load([textFile('money.json', JSON.stringify({
      format: 'clinic-export',
      version: 1,
      clinic: { name: 'X', currency: 'EUR' },
      divisions: [{ id: 'D1', name: 'One' }],
      patients: amounts.map((_, i) => ({ id: `P${i}`, name: `P${i}` })),
      visits: amounts.map((a, i) => ({ date: '2024-01-01', patient: `P${i}`, division: 'D1', amount: a })),
    }).replace(/"amount":"([^"]+)"/g, '"amount":$1'))]);
    const cents = (text) => {
      const neg = text.startsWith('-');
      const [whole, frac] = text.replace('-', '').split('.');
      const units = BigInt(whole) * 10000n + BigInt(frac.padEnd(4, '0'));
      const c = (units + 50n) / 100n;  // half away from zero, on the magnitude
      return Number(neg ? -c : c);
    };
    const ents = engine.entities();
    const rating = engine.report('rating', {});
    const divisions = engine.report('divisions', {});
    assert.equal(rating.count, amounts.length);
    for (let r = 0; r < rating.count; ++r) {
      const text = amounts[Number(ents.patients.ids.get(rating.rows.patient[r]).slice(1))];
      assert.ok(Object.is(rating.rows.amount[r], cents(text)), `${text}: ${rating.rows.amount[r]} != ${cents(text)}`);
      assert.ok(Object.is(divisions.rows.total[r], cents(text)), `${text} (row total)`);
      assert.ok(Object.is(divisions.cells.amount[r], cents(text)), `${text} (cell)`);
    }
    const total = amounts.reduce((sum, a) => sum + BigInt(a.replace('.', '')), 0n);
    assert.equal(rating.total.amount, Number((total < 0n ? total - 50n : total + 50n) / 100n));
  });
});

describe('the browser check before the module is compiled', () => {
  test('this Node has WebAssembly SIMD, which the engine is built with', () => {
    assert.equal(missingWasmFeature(), '');
  });

  test('a browser without SIMD, or without WebAssembly, is told so in words, and nothing is compiled', async () => {
    const noSimd = { validate: (bytes) => !Array.from(bytes).includes(0xfd) }; // 0xfd: the SIMD opcode prefix
    assert.equal(missingWasmFeature(noSimd), 'WebAssembly SIMD');
    assert.equal(missingWasmFeature(null), 'WebAssembly');
    assert.equal(missingWasmFeature({}), 'WebAssembly');
    let compiled = false;
    const factory = async () => { compiled = true; return {}; };
    await assert.rejects(ClinicEngine.create(factory, {}, noSimd), (err) => {
      assert.ok(err instanceof ClinicError);
      assert.equal(err.code, 'page.browser_too_old');
      assert.match(err.message, /does not support WebAssembly SIMD/);
      assert.match(err.hint, /current Chrome, Edge, Firefox or Safari/);
      return true;
    });
    assert.equal(compiled, false);
  });

  test('the probe module is what a SIMD-capable WebAssembly accepts, and one byte off it is not', () => {
    // The real validator: the probe is a well-formed module, not just any bytes.
    assert.equal(missingWasmFeature(WebAssembly), '');
    const strict = { validate: (bytes) => WebAssembly.validate(bytes.slice(0, -1)) };
    assert.equal(missingWasmFeature(strict), 'WebAssembly SIMD');
  });
});

describe('collated ranks of a name column', () => {
  // The independent method: every index sorted with the collator, ties by index.
  const collator = new Intl.Collator(undefined, COLLATOR_OPTIONS);
  const ranksOfC = (strings) => ranksOf(strings, collator);
  function direct(strings) {
    const order = Array.from(strings.keys()).sort((a, b) => collator.compare(strings[a], strings[b]) || a - b);
    const ranks = new Float64Array(strings.length);
    order.forEach((index, position) => { ranks[index] = position; });
    return ranks;
  }

  test('by hand: repeats, case and accent variants the collator calls equal, numbers, empty', () => {
    const strings = ['Ola', 'anna', 'Anna', 'Åse', 'ola', 'Anna', '', 'P10', 'P9', 'Ánna'];
    // Where 'Åse' goes depends on the locale (after Z in Norwegian): compared with the direct sort.
    assert.deepEqual([...ranksOfC(strings)], [...direct(strings)]);
    const r10 = ranksOfC(strings);
    // '' first; 'anna', 'Anna', 'Anna', 'Ánna' one class in index order; 'P9' before 'P10' (numeric).
    assert.deepEqual([6, 1, 2, 5, 9].map((i) => r10[i]), [0, 1, 2, 3, 4]);
    assert.ok(r10[8] < r10[7]);
    assert.deepEqual([...ranksOfC([])], []);
    assert.deepEqual([...ranksOfC(['x', 'x', 'x'])], [0, 1, 2]);
    // 'anna', 'Anna', 'Anna', 'Ánna' are one class: ranked by index among themselves.
    const r = ranksOfC(['b', 'Anna', 'anna', 'Anna']);
    assert.deepEqual([...r], [3, 0, 1, 2]);
  });

  test('equals the direct sort on 20,000 random names drawn from a small pool', () => {
    let seed = 7;
    const rnd = () => { seed = (seed * 1103515245 + 12345) % 2 ** 31; return seed / 2 ** 31; };
    const pool = ['Øster', 'oster', 'Oster', 'Østergaard', 'Berg', 'berg', 'Bråten', 'Braten', 'Zoë', 'Zoe', 'Supriatna', 'Nils 2', 'Nils 10', 'Nils 1', '', ' ', '李', 'Élodie', 'Elodie'];
    const strings = Array.from({ length: 20000 }, () => pool[Math.floor(rnd() * pool.length)] + (rnd() < 0.3 ? ` ${pool[Math.floor(rnd() * pool.length)]}` : ''));
    assert.deepEqual([...ranksOfC(strings)], [...direct(strings)]);
  });
});

describe('sortOrder', () => {
  // The independent method: a compare function, ties by index, NaN last.
  function direct(key, descending) {
    const order = Array.from(key.keys());
    const sign = descending ? -1 : 1;
    order.sort((a, b) => {
      const xNaN = Number.isNaN(key[a]);
      const yNaN = Number.isNaN(key[b]);
      if (xNaN || yNaN) return xNaN === yNaN ? a - b : xNaN ? 1 : -1;
      return key[a] === key[b] ? a - b : (key[a] < key[b] ? -sign : sign);
    });
    return order;
  }
  const tableOf = (key) => ({ rowCount: key.length, sortKey: () => key });

  test('by hand: ties in row order both ways, empty cells last both ways', () => {
    const key = Float64Array.from([5, NaN, -2, 5, 0, NaN, 7]);
    assert.deepEqual([...sortOrder(tableOf(key), 0, false)], [2, 4, 0, 3, 6, 1, 5]);
    assert.deepEqual([...sortOrder(tableOf(key), 0, true)], [6, 0, 3, 4, 2, 1, 5]);
    assert.deepEqual([...sortOrder(tableOf(key), -1, false)], [0, 1, 2, 3, 4, 5, 6]);
    assert.deepEqual([...sortOrder(tableOf(new Float64Array(0)), 0, true)], []);
    assert.deepEqual([...sortOrder(tableOf(Float64Array.from([NaN, NaN])), 0, false)], [0, 1]);
  });

  test('equals the compare-function sort: integers of small and huge spread, fractions', () => {
    let seed = 11;
    const rnd = () => { seed = (seed * 1103515245 + 12345) % 2 ** 31; return seed / 2 ** 31; };
    const kinds = {
      ranks: () => Math.floor(rnd() * 1000),
      cents: () => Math.round((rnd() - 0.2) * 1e12), // spread * n beyond 2^53: the compare path
      fractions: () => Math.round(rnd() * 10000) / 100,
      mixed: () => (rnd() < 0.1 ? NaN : Math.floor(rnd() * 50) - 25),
    };
    for (const [name, make] of Object.entries(kinds)) {
      const key = Float64Array.from({ length: 5000 }, make);
      for (const descending of [false, true]) {
        assert.deepEqual([...sortOrder(tableOf(key), 0, descending)], direct(key, descending), `${name}, descending ${descending}`);
      }
    }
  });
});

describe('the rank worker (web/rank-worker.js)', () => {
  test('copyInPieces copies a megabyte a task, and stops when the copy is no longer wanted', async () => {
    const source = new Uint32Array(700000).map((_, i) => (i * 2654435761) >>> 0); // 2.8 MB: three pieces
    let asked = 0;
    const copy = await copyInPieces(source, () => { asked += 1; return true; });
    assert.equal(asked, 3);
    assert.notEqual(copy.buffer, source.buffer);
    assert.deepEqual(copy, source);
    let left = 2;
    assert.equal(await copyInPieces(source, () => left-- > 0), null);
    assert.equal(left, -1);
    assert.deepEqual(await copyInPieces(new Uint8Array(0), () => true), new Uint8Array(0));
  });

  test('its source, run in a fresh context as a worker would, gives the ranks the page computes', () => {
    const names = ['Øster', 'oster', 'Berg', 'P10', 'P9', '', 'Zoë', 'zoe', 'Berg', '李'];
    const encoder = new TextEncoder();
    const parts = names.map((s) => encoder.encode(s));
    const offsets = new Uint32Array(names.length + 1);
    parts.forEach((p, i) => { offsets[i + 1] = offsets[i] + p.length; });
    const bytes = new Uint8Array(offsets[names.length]);
    parts.forEach((p, i) => bytes.set(p, offsets[i]));
    const posted = [];
    const self = { postMessage: (data, transfer) => posted.push({ data, transfer }) };
    vm.runInNewContext(rankWorkerSource(), { self, TextDecoder });
    self.onmessage({ data: { id: 7, bytes, offsets } });
    assert.equal(posted.length, 1);
    assert.equal(posted[0].data.id, 7);
    const ranks = posted[0].data.ranks;
    assert.equal(posted[0].transfer[0], ranks.buffer);
    assert.deepEqual([...ranks], [...ranksOf(names, new Intl.Collator(undefined, COLLATOR_OPTIONS))]);
  });

  test('only tables of at least MIN_BACKGROUND_STRINGS strings go to the worker; provideRanks keeps what fits', async () => {
    const packedOf = (n) => ({ length: n, bytes: new Uint8Array(n).map((_, i) => i % 251), offsets: new Uint32Array(n + 1).map((_, i) => i) });
    const entities = {
      patients: { ids: packedOf(MIN_BACKGROUND_STRINGS), names: packedOf(MIN_BACKGROUND_STRINGS) },
      employees: { ids: packedOf(200), names: packedOf(200) },
      priceLists: { ids: packedOf(3), names: packedOf(3) },
      divisions: { ids: packedOf(20), names: packedOf(20) },
    };
    const sent = [];
    const transferred = [];
    const fake = {
      postMessage(message, transfer) {
        sent.push(message);
        transferred.push(transfer);
        // Ranks of the wrong length for the names: not kept.
        const n = message.offsets.length - 1;
        const ranks = new Float64Array(sent.length === 1 ? n : n - 1);
        queueMicrotask(() => fake.onmessage({ data: { id: message.id, ranks } }));
      },
      terminate() {},
    };
    const count = await new RankPrecomputer(() => fake).precompute(entities);
    assert.equal(sent.length, 2);
    assert.equal(count, 1);
    // The worker gets copies, handed over (transferred); the page keeps its strings.
    assert.notEqual(sent[0].bytes.buffer, entities.patients.ids.bytes.buffer);
    assert.deepEqual(sent[0].bytes, entities.patients.ids.bytes);
    assert.deepEqual(sent[0].offsets, entities.patients.ids.offsets);
    assert.deepEqual(transferred[0], [sent[0].bytes.buffer, sent[0].offsets.buffer]);
    assert.equal(hasRanks(entities.patients.ids), true);
    assert.equal(hasRanks(entities.patients.names), false);
    assert.equal(hasRanks(entities.employees.ids), false);
    // Asked again: only what is still missing.
    sent.length = 0;
    await new RankPrecomputer(() => fake).precompute(entities);
    assert.deepEqual(sent.map((m) => m.offsets.length - 1), [MIN_BACKGROUND_STRINGS]);
    // No worker (e.g. a browser that refuses it): resolves, ranks computed on the page when sorted.
    assert.equal(await new RankPrecomputer(() => { throw new Error('no workers'); }).precompute({ ...entities, patients: { ids: packedOf(MIN_BACKGROUND_STRINGS + 1), names: packedOf(1) } }), 0);
  });
});
