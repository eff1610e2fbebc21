// DuckDB-wasm, its Node blocking build (the same wasm as in the browser, run
// synchronously on the calling thread): createDuckDB with the node bundles,
// registerFileBuffer, then SQL.
//
// Load:
// - CSV: each table by the typed read_csv (explicit columns and types; amounts
//   DECIMAL(18,4), dates DATE) straight into its table, visits with two flag
//   columns (completed, goods) computed in the same statement.
// - JSON: read_json is an extension DuckDB-wasm would download, so the
//   built-in JSON-to-Arrow reader is used (insertJSONFromPath with explicit
//   column types). It cannot read the nested clinic-export object, so it
//   gets each top-level array sliced out of the file (common.mjs); it reads
//   amounts as float64 (a decimal column refuses JSON numbers), cast once to
//   DECIMAL(18,4), which is exact for amounts of at most 4 decimals and 15
//   significant digits (the nearest double rounds back to the written decimal).
//
// Reports: the four reports as SQL (below), every sum exact in DECIMAL, money
// out as BIGINT counts of 1/10000, compared with ours as exact cents.

import { createRequire } from 'node:module';
import path from 'node:path';

import { sliceTopLevelArrays, unitsToCentsText } from './common.mjs';

const require = createRequire(import.meta.url);

export const id = 'duckdb-wasm';
export const label = 'DuckDB-wasm';
export const reportsSupported = ['rating', 'divisions', 'loyalty', 'revenue'];

export async function create() {
  const t0 = performance.now();
  const duckdb = require('@duckdb/duckdb-wasm/dist/duckdb-node-blocking.cjs');
  const dist = path.dirname(require.resolve('@duckdb/duckdb-wasm/dist/duckdb-node-blocking.cjs'));
  const bundles = {
    mvp: { mainModule: path.join(dist, 'duckdb-mvp.wasm'), mainWorker: path.join(dist, 'duckdb-node-mvp.worker.cjs') },
    eh: { mainModule: path.join(dist, 'duckdb-eh.wasm'), mainWorker: path.join(dist, 'duckdb-node-eh.worker.cjs') },
  };
  const db = await duckdb.createDuckDB(bundles, new duckdb.VoidLogger(), duckdb.NODE_RUNTIME);
  await db.instantiate(() => {});
  db.open({ query: { castBigIntToDouble: false, castDecimalToDouble: false } });
  const conn = db.connect();
  const startupMs = performance.now() - t0;
  const bundle = (await duckdb.getPlatformFeatures()).wasmExceptions ? 'eh' : 'mvp';
  return new DuckDBEngine(db, conn, startupMs, `${duckdb.PACKAGE_VERSION} (DuckDB ${db.getVersion()}, ${bundle} bundle)`);
}

// -------------------------------------------------------------------- load

const CSV_TYPES = {
  'visits.csv': {
    id: 'VARCHAR', date: 'DATE', patient: 'VARCHAR', employee: 'VARCHAR', division: 'VARCHAR',
    amount: 'DECIMAL(18,4)', kind: 'VARCHAR', status: 'VARCHAR', service: 'VARCHAR',
    patient_name: 'VARCHAR', employee_name: 'VARCHAR', division_name: 'VARCHAR',
  },
  'patients.csv': { id: 'VARCHAR', name: 'VARCHAR', price_list: 'VARCHAR', bonus_balance: 'DECIMAL(18,4)', registered: 'DATE' },
  'employees.csv': { id: 'VARCHAR', name: 'VARCHAR', division: 'VARCHAR' },
  'divisions.csv': { id: 'VARCHAR', name: 'VARCHAR' },
  'price_lists.csv': { id: 'VARCHAR', name: 'VARCHAR' },
};

const sqlString = (s) => `'${String(s).replace(/'/g, "''")}'`;

/** The header of a CSV file (first line), for the explicit column list. */
function csvHeader(bytes) {
  let end = bytes.indexOf(0x0a);
  if (end < 0) end = bytes.length;
  const line = Buffer.from(bytes.buffer, bytes.byteOffset, end).toString('utf8').replace(/\r$/, '').replace(/^\uFEFF/, '');
  return line.split(',').map((c) => c.trim().toLowerCase());
}

function readCsvSql(fileName, bytes) {
  const types = CSV_TYPES[fileName.toLowerCase()];
  if (!types) throw new Error(`DuckDB bench: unknown CSV file ${fileName}`);
  const cols = csvHeader(bytes).map((c) => `${sqlString(c)}: ${sqlString(types[c] || 'VARCHAR')}`);
  return `read_csv(${sqlString(fileName)}, header = true, delim = ',', quote = '"', escape = '"', auto_detect = false, columns = {${cols.join(', ')}})`;
}

// Normalises the visit lines; run once at load, so the reports read flags.
const VISITS_FROM = (source, date) => `
  SELECT ${date} AS date, patient, nullif(employee, '') AS employee, nullif(division, '') AS division,
         CAST(amount AS DECIMAL(18,4)) AS amount,
         coalesce(lower(nullif(kind, '')), 'service') = 'goods' AS goods,
         coalesce(lower(nullif(status, '')), 'completed') = 'completed' AS completed
  FROM ${source}`;

class DuckDBEngine {
  constructor(db, conn, startupMs, version) {
    this.db = db;
    this.conn = conn;
    this.startupMs = startupMs;
    this.version = version;
    this.loads = 0;
    this.lastTiming = {};
  }

  q(sql) {
    return this.conn.query(sql);
  }

  dropAll() {
    for (const t of ['visits', 'patients', 'employees', 'divisions', 'price_lists', 'raw_visits', 'raw_patients']) this.q(`DROP TABLE IF EXISTS ${t}`);
    this.db.dropFiles();
  }

  /** @param {{name: string, bytes: Uint8Array}[]} files */
  load(files) {
    this.dropAll();
    const n = ++this.loads; // fresh file names: no cached file state between runs
    const t0 = performance.now();
    if (files.length === 1 && files[0].name.toLowerCase().endsWith('.json')) this.loadJson(files[0].bytes, n);
    else this.loadCsv(files, n);
    this.lastTiming = { totalMs: performance.now() - t0 };
    const c = this.q('SELECT count(*) AS n FROM visits').toArray()[0].n;
    return { lines: Number(c) };
  }

  loadCsv(files, n) {
    const have = new Set();
    for (const f of files) {
      const name = f.name.toLowerCase();
      const reg = `${n}-${name}`;
      this.db.registerFileBuffer(reg, f.bytes);
      const read = readCsvSql(name, f.bytes).replace(sqlString(name), sqlString(reg));
      const table = name.replace(/\.csv$/, '');
      have.add(table);
      if (table === 'visits') this.q(`CREATE TABLE visits AS ${VISITS_FROM(read, 'date')}`);
      else if (table === 'patients') this.q(`CREATE TABLE patients AS SELECT id, name, price_list, bonus_balance AS bonus FROM ${read}`);
      else this.q(`CREATE TABLE ${table} AS SELECT id, name FROM ${read}`);
    }
    this.createMissingTables(have);
  }

  loadJson(bytes, n) {
    const arrays = sliceTopLevelArrays(bytes);
    // Column types as SQL field specs. (Not Arrow types: duckdb-wasm 1.32 maps an
    // Arrow Float64 given in `columns` to FLOAT, i.e. float32, which silently
    // rounds amounts such as 7218.75 to 7218.7504 once cast to DECIMAL; the
    // equality check caught it. `columnsFlat` with 'float64' gives DOUBLE.)
    const cols = (spec) => Object.entries(spec).map(([name, sqlType]) => ({ name, sqlType }));
    const insert = (key, table, spec) => {
      const reg = `${n}-${key}.json`;
      this.db.registerFileBuffer(reg, arrays[key]);
      this.conn.insertJSONFromPath(reg, { name: table, shape: 'row-array', columnsFlat: cols(spec) });
    };
    const have = new Set();
    insert('visits', 'raw_visits', {
      id: 'utf8', date: 'utf8', patient: 'utf8', employee: 'utf8', division: 'utf8',
      amount: 'float64', kind: 'utf8', status: 'utf8', service: 'utf8',
    });
    // Only the date as written counts (a date-time's time is ignored).
    this.q(`CREATE TABLE visits AS ${VISITS_FROM('raw_visits', 'CAST(left(date, 10) AS DATE)')}`);
    this.q('DROP TABLE raw_visits');
    if (arrays.patients) {
      insert('patients', 'raw_patients', { id: 'utf8', name: 'utf8', priceList: 'utf8', bonusBalance: 'float64', registered: 'utf8' });
      this.q('CREATE TABLE patients AS SELECT id, name, priceList AS price_list, CAST(bonusBalance AS DECIMAL(18,4)) AS bonus FROM raw_patients');
      this.q('DROP TABLE raw_patients');
      have.add('patients');
    }
    for (const [key, table] of [['employees', 'employees'], ['divisions', 'divisions'], ['priceLists', 'price_lists']]) {
      if (!arrays[key]) continue;
      insert(key, table, { id: 'utf8', name: 'utf8' });
      have.add(table);
    }
    this.createMissingTables(have);
  }

  createMissingTables(have) {
    if (!have.has('patients')) this.q('CREATE TABLE patients (id VARCHAR, name VARCHAR, price_list VARCHAR, bonus DECIMAL(18,4))');
    for (const t of ['employees', 'divisions', 'price_lists']) {
      if (!have.has(t)) this.q(`CREATE TABLE ${t} (id VARCHAR, name VARCHAR)`);
    }
  }

  // ------------------------------------------------------------------ reports

  report(name, options = {}) {
    const sql = SQL[name];
    if (!sql) throw new Error(`DuckDB bench: no SQL for ${name}`);
    return this.q(sql(options));
  }

  /** DuckDB's own accounting, and the wasm linear memory (the high-water mark: it never shrinks). */
  memory() {
    let reported = null;
    try {
      const rows = this.q('SELECT sum(memory_usage_bytes)::BIGINT AS b FROM duckdb_memory()').toArray();
      reported = Number(rows[0].b);
    } catch {
      reported = null;
    }
    return { wasmBytes: this.db.mod.HEAPU8.buffer.byteLength, duckdbReportedBytes: reported };
  }

  totals(name, table) {
    const rows = table.toArray().map((r) => r.toJSON());
    if (name === 'rating') {
      let sum = 0n;
      let visits = 0;
      for (const r of rows) {
        sum += BigInt(r.amount_units);
        visits += Number(r.visits);
      }
      return { patients: rows.length, amount: unitsToCentsText(sum), visits };
    }
    if (name === 'divisions') {
      const columns = {};
      let grand = 0n;
      const seen = new Set();
      for (const r of rows) {
        const d = r.division ?? '';
        if (seen.has(d)) continue;
        seen.add(d);
        columns[d] = unitsToCentsText(BigInt(r.column_units));
        grand += BigInt(r.column_units);
      }
      return { grand: unitsToCentsText(grand), columns };
    }
    if (name === 'revenue') {
      const employees = {};
      let total = null;
      for (const r of rows) {
        if (Number(r.g) === 1) total = r;
        else employees[r.employee ?? ''] = unitsToCentsText(BigInt(r.total_units));
      }
      if (!total) return { total: '0.00', employees, lines: 0, visits: 0, patients: 0 };
      return {
        total: unitsToCentsText(BigInt(total.total_units)), employees,
        lines: Number(total.lines), visits: Number(total.visits), patients: Number(total.patients),
      };
    }
    if (name === 'loyalty') {
      const employees = {};
      let total = [0, 0, 0, 0];
      for (const r of rows) {
        const v = [Number(r.primary_n), Number(r.returned_n), Number(r.to_clinic_n), Number(r.old_n)];
        if (r.employee === null) total = v;
        else employees[r.employee] = v;
      }
      return { total, employees };
    }
    throw new Error(`unknown report ${name}`);
  }

  close() {
    this.dropAll();
    this.conn.close();
  }
}

// -------------------------------------------------------------------- SQL

const dateLit = (d) => `DATE ${sqlString(d)}`;

/** WHERE conditions of the period (and filters) on the visits table `v`. */
function periodWhere(o, alias = '') {
  const p = alias ? `${alias}.` : '';
  const c = [`${p}completed`];
  if (o.from) c.push(`${p}date >= ${dateLit(o.from)}`);
  if (o.to) c.push(`${p}date <= ${dateLit(o.to)}`);
  if (o.division) c.push(`${p}division = ${sqlString(o.division)}`);
  if (o.employee) c.push(`${p}employee = ${sqlString(o.employee)}`);
  return c.join(' AND ');
}

const pct = (num, den) => `CASE WHEN ${den} <> 0 THEN round(CAST(${num} AS DOUBLE) * 100 / CAST(${den} AS DOUBLE), 1) END`;
const units = (x) => `CAST(${x} * 10000 AS BIGINT)`;

const SQL = {
  // docs/reports.md, customer rating: one row per patient, amount descending,
  // name, id; share, cumulative share and the exact ABC class.
  rating: (o) => `
    WITH p AS (
      SELECT patient, sum(amount) AS amount, count(DISTINCT (employee, date)) AS visits
      FROM visits WHERE ${periodWhere(o)} GROUP BY patient
    ), r AS (
      SELECT p.patient, p.amount, p.visits, coalesce(pt.name, p.patient) AS name, pl.name AS price_list, pt.bonus,
             sum(p.amount) OVER () AS total,
             sum(p.amount) OVER (ORDER BY p.amount DESC, coalesce(pt.name, p.patient), p.patient
                                 ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS cum
      FROM p LEFT JOIN patients pt ON pt.id = p.patient LEFT JOIN price_lists pl ON pl.id = pt.price_list
    )
    SELECT row_number() OVER (ORDER BY amount DESC, name, patient) AS rank, patient, name, price_list,
           ${units('bonus')} AS bonus_units, visits, ${units('amount')} AS amount_units,
           ${pct('amount', 'total')} AS share_pct, ${pct('cum', 'total')} AS cumulative_pct,
           CASE WHEN total > 0 THEN CASE WHEN 100 * (cum - amount) < 80 * total THEN 'A'
                                         WHEN 100 * (cum - amount) < 95 * total THEN 'B' ELSE 'C' END END AS abc
    FROM r ORDER BY rank ${o.top ? `LIMIT ${Number(o.top)}` : ''}`,

  // Division rating: the cross report in long form, row-major in display order
  // (patients by total descending, name, id; divisions by name, id, the
  // "(no division)" column last), with row and column totals.
  divisions: (o) => `
    WITH cells AS (
      SELECT patient, division, sum(amount) AS amount FROM visits WHERE ${periodWhere(o)} GROUP BY patient, division
    ), rws AS (
      SELECT patient, sum(amount) AS total FROM cells GROUP BY patient
    ), cols AS (
      SELECT division, sum(amount) AS total FROM cells GROUP BY division
    )
    SELECT c.patient, coalesce(pt.name, c.patient) AS name, c.division, coalesce(d.name, c.division) AS division_name,
           ${units('c.amount')} AS units, ${units('r.total')} AS row_units, ${units('k.total')} AS column_units
    FROM cells c JOIN rws r USING (patient) JOIN cols k ON k.division IS NOT DISTINCT FROM c.division
         LEFT JOIN patients pt ON pt.id = c.patient LEFT JOIN divisions d ON d.id = c.division
    ORDER BY r.total DESC, name, c.patient, c.division IS NULL, division_name, c.division`,

  // Customer loyalty (without a return window or "new per employee", which
  // the benchmark does not use): first visits over the whole export, primary,
  // returned, returned to the clinic and old patients per employee, and the
  // TOTAL row counting each patient once.
  loyalty: (o) => {
    const counted = o.division ? `completed AND division = ${sqlString(o.division)}` : 'completed';
    return `
    WITH b AS (
      SELECT ${o.from ? dateLit(o.from) : 'lo'} AS f, ${o.to ? dateLit(o.to) : 'hi'} AS t
      FROM (SELECT min(date) AS lo, max(date) AS hi FROM visits)
    ), fv AS (
      SELECT patient, min(date) AS first FROM visits WHERE completed GROUP BY patient
    ), c AS (
      SELECT patient, employee, date FROM visits WHERE ${counted}
    ), pr AS (
      SELECT DISTINCT c.employee, c.patient, fv.first
      FROM c JOIN fv ON c.patient = fv.patient AND c.date = fv.first, b
      WHERE fv.first BETWEEN b.f AND b.t AND c.employee IS NOT NULL
    ), ret AS (
      SELECT DISTINCT pr.employee, pr.patient
      FROM pr JOIN c ON c.patient = pr.patient AND c.employee = pr.employee AND c.date > pr.first, b
      WHERE c.date <= b.t
    ), rc AS (
      SELECT DISTINCT p.patient
      FROM (SELECT DISTINCT patient, first FROM pr) p JOIN c ON c.patient = p.patient AND c.date > p.first, b
      WHERE c.date <= b.t
    ), od AS (
      SELECT DISTINCT c.employee, c.patient
      FROM c JOIN fv ON fv.patient = c.patient, b
      WHERE c.date BETWEEN b.f AND b.t AND fv.first < b.f AND c.employee IS NOT NULL
    ), emps AS (
      SELECT DISTINCT employee FROM c, b WHERE c.date BETWEEN b.f AND b.t AND c.employee IS NOT NULL
    ), pa AS (
      SELECT employee, count(*) AS n, count(*) FILTER (WHERE patient IN (SELECT patient FROM rc)) AS to_clinic
      FROM pr GROUP BY employee
    ), ra AS (
      SELECT employee, count(*) AS n FROM ret GROUP BY employee
    ), oa AS (
      SELECT employee, count(*) AS n FROM od GROUP BY employee
    ), per_employee AS (
      SELECT e.employee, coalesce(em.name, e.employee) AS name,
             coalesce(pa.n, 0) AS primary_n, coalesce(ra.n, 0) AS returned_n,
             coalesce(pa.to_clinic, 0) AS to_clinic_n, coalesce(oa.n, 0) AS old_n
      FROM emps e LEFT JOIN pa USING (employee) LEFT JOIN ra USING (employee) LEFT JOIN oa USING (employee)
           LEFT JOIN employees em ON em.id = e.employee
    ), total AS (
      SELECT NULL AS employee, 'TOTAL' AS name,
             (SELECT count(DISTINCT patient) FROM pr) AS primary_n, (SELECT count(DISTINCT patient) FROM ret) AS returned_n,
             (SELECT count(*) FROM rc) AS to_clinic_n, (SELECT count(DISTINCT patient) FROM od) AS old_n
    )
    SELECT *, ${pct('returned_n', 'primary_n')} AS retention_pct
    FROM (SELECT 0 AS k, * FROM per_employee UNION ALL SELECT 1 AS k, * FROM total)
    ORDER BY k, name, employee`;
  },

  // Employee revenue: per employee (NULL = "(unassigned)") and the TOTAL row
  // (g = 1), with services, goods, share, lines, visits, patients, average visit.
  revenue: (o) => `
    WITH e AS (
      SELECT employee, grouping(employee) AS g,
             coalesce(sum(amount) FILTER (WHERE NOT goods), 0) AS services,
             coalesce(sum(amount) FILTER (WHERE goods), 0) AS goods_amount,
             sum(amount) AS total, count(*) AS lines,
             count(DISTINCT (patient, employee, date)) AS visits, count(DISTINCT patient) AS patients
      FROM visits WHERE ${periodWhere(o)} GROUP BY GROUPING SETS ((employee), ())
    )
    SELECT e.employee, e.g, CASE WHEN e.g = 1 THEN 'TOTAL' ELSE coalesce(em.name, e.employee, '(unassigned)') END AS name,
           ${units('services')} AS services_units, ${units('goods_amount')} AS goods_units, ${units('total')} AS total_units,
           ${pct('total', 'max(total) FILTER (WHERE g = 1) OVER ()')} AS share_pct,
           lines, visits, patients,
           CASE WHEN visits > 0 THEN round(total / visits, 2) END AS avg_visit
    FROM e LEFT JOIN employees em ON em.id = e.employee
    ORDER BY e.g, total DESC, name, e.employee`,
};

export { SQL };
