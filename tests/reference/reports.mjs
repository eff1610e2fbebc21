// Independent reference implementation of the four reports of docs/reports.md.
//
// This is a test oracle, deliberately simple and slow: plain arrays, Sets and
// Maps over a parsed clinic-export object, written from docs/reports.md alone
// (not from the C++ engine). Money is exact: every amount becomes a BigInt of
// 1/10000 of the currency unit by string manipulation, and every ratio is
// rounded once, half away from zero, in BigInt arithmetic.
//
// Amounts may be JSON strings (parsed exactly) or JS numbers. A JS number is
// converted through String(number), the shortest text that round-trips: for an
// amount written with at most 4 decimals and |x| < 1e11 (at most 15
// significant digits) that text is exactly the decimal that was written, so
// the conversion is exact. Larger numbers are rejected. To avoid the question
// entirely, `parseExportText` (used by the CLI) parses JSON text itself and
// keeps the raw text of every `amount` and `bonusBalance` number as a string.
//
// API:
//   computeReport(exportObj, reportName, options) -> { header: [...], rows: [[...]] }
//     reportName: 'rating' | 'divisions' | 'loyalty' | 'revenue'
//     options: { from, to, top, division, employee, allDivisions, returnWindow,
//                newPerEmployee }  (dates as 'YYYY-MM-DD'; all optional)
//     Errors are thrown as Error objects with a `code` (e.g. 'options.bad_period').
//   toCsv(table) -> RFC 4180 text, LF line ends, trailing LF.
//   parseExportText(text) -> export object (amounts kept as exact strings).
//   loadExport(path) -> export object from a .json file or a folder of CSV files.
//
// CLI:
//   node tests/reference/reports.mjs <report> <export.json|csv-folder>
//        [--from YYYY-MM-DD] [--to YYYY-MM-DD] [--top N] [--division ID]
//        [--employee ID] [--all-divisions] [--return-window N] [--new-per-employee]
// prints the report as CSV on stdout.

import { Buffer } from 'node:buffer';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

// ---------------------------------------------------------------- errors

function fail(code, message) {
  const e = new Error(`${message} [${code}]`);
  e.code = code;
  return e;
}

// ---------------------------------------------------------------- money

const SCALE = 10000n;

/** Exact decimal text ("-12.5", "+3", "0.0001"; not ".5" or "5.") -> BigInt in 1/10000 units. */
export function parseAmount(value) {
  let text;
  if (typeof value === 'bigint') return value * SCALE;
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw fail('json.bad_amount', `bad amount ${value}`);
    if (Math.abs(value) >= 1e11) {
      throw fail('json.bad_amount', `amount ${value} is too large to be exact as a JS number; give it as a string`);
    }
    text = String(value);
    if (/e/i.test(text)) {
      if (value === 0) text = '0';
      else throw fail('json.bad_amount', `amount ${value} has more than 4 decimals`);
    }
  } else if (typeof value === 'string') {
    text = value;
  } else {
    throw fail('json.bad_amount', `bad amount ${JSON.stringify(value)}`);
  }
  const m = /^([+-]?)([0-9]+)(?:\.([0-9]+))?$/.exec(text);
  if (!m) throw fail('json.bad_amount', `bad amount ${JSON.stringify(text)}`);
  const frac = m[3] ?? '';
  if (frac.length > 4) throw fail('json.bad_amount', `amount ${JSON.stringify(text)} has more than 4 decimals`);
  const units = BigInt(m[2]) * SCALE + BigInt((frac + '0000').slice(0, 4));
  return m[1] === '-' ? -units : units;
}

/** n / d rounded half away from zero (d != 0). */
export function divRoundHalfAway(n, d) {
  const negative = (n < 0n) !== (d < 0n);
  const an = n < 0n ? -n : n;
  const ad = d < 0n ? -d : d;
  const q = (2n * an + ad) / (2n * ad);
  return negative ? -q : q;
}

/** 1/10000 units -> "-12.35" (2 decimals, half away from zero; never "-0.00"). */
export function formatMoney(units) {
  const cents = divRoundHalfAway(units, 100n);
  const abs = cents < 0n ? -cents : cents;
  const text = `${abs / 100n}.${String(abs % 100n).padStart(2, '0')}`;
  return cents < 0n ? `-${text}` : text;
}

/** part / whole as a percentage with 1 decimal, or '' when whole is 0. */
export function formatPercent(part, whole) {
  if (whole === 0n) return '';
  const tenths = divRoundHalfAway(part * 1000n, whole);
  const abs = tenths < 0n ? -tenths : tenths;
  const text = `${abs / 10n}.${abs % 10n}`;
  return tenths < 0n ? `-${text}` : text;
}

// ---------------------------------------------------------------- dates

const DAY_MS = 86400000;

/** 'YYYY-MM-DD' or an ISO date-time -> 'YYYY-MM-DD' (the date part as written). */
export function parseDate(value, what = 'date', code = 'json.bad_date') {
  if (typeof value !== 'string') throw fail(code, `bad ${what} ${JSON.stringify(value)}`);
  const m = /^(\d{4})-(\d{2})-(\d{2})(?:$|[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?$)/.exec(value);
  if (!m) throw fail(code, `bad ${what} ${JSON.stringify(value)}`);
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const t = new Date(Date.UTC(y, mo - 1, d));
  if (y < 1900 || y > 2199 || t.getUTCFullYear() !== y || t.getUTCMonth() !== mo - 1 || t.getUTCDate() !== d) {
    throw fail(code, `impossible ${what} ${JSON.stringify(value)}`);
  }
  return value.slice(0, 10);
}

/** 'YYYY-MM-DD' + n days -> 'YYYY-MM-DD' (may leave the 1900..2199 range; only compared). */
export function addDays(date, n) {
  const t = Date.parse(`${date}T00:00:00Z`) + n * DAY_MS;
  return new Date(t).toISOString().slice(0, 10);
}

// ---------------------------------------------------------------- ordering

function compareBytes(a, b) {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

function compareBigDesc(a, b) {
  return a > b ? -1 : a < b ? 1 : 0;
}

function byNameThenId(a, b) {
  return compareBytes(a.name, b.name) || compareBytes(a.id, b.id);
}

// ---------------------------------------------------------------- the export

function optionalId(value) {
  if (value === undefined || value === null || value === '') return null;
  return String(value);
}

function table(list, kind) {
  const map = new Map();
  for (const item of list ?? []) {
    const id = String(item.id);
    if (map.has(id)) throw fail('json.duplicate_id', `duplicate ${kind} id ${JSON.stringify(id)}`);
    map.set(id, item);
  }
  return map;
}

/** Normalises an export object into tables and lines. */
export function prepareExport(exp) {
  if (!exp || typeof exp !== 'object') throw fail('json.type', 'the export is not an object');
  if (!Array.isArray(exp.visits)) throw fail('json.missing_field', 'the export has no visits array');
  const divisions = table(exp.divisions, 'division');
  const employees = table(exp.employees, 'employee');
  const priceLists = table(exp.priceLists, 'price list');
  const patients = table(exp.patients, 'patient');
  const lines = exp.visits.map((v, i) => {
    const patient = optionalId(v.patient);
    if (patient === null) throw fail('json.missing_field', `visit ${i} has no patient`);
    // docs/export-format.md: case does not matter, "canceled" and "no_show" too, empty = default.
    const kind = v.kind === undefined || v.kind === null || v.kind === '' ? 'service' : String(v.kind).toLowerCase();
    if (kind !== 'service' && kind !== 'goods') throw fail('json.bad_value', `visit ${i}: bad kind ${kind}`);
    const statusText = v.status === undefined || v.status === null || v.status === '' ? 'completed'
      : String(v.status).toLowerCase();
    const status = { completed: 'completed', cancelled: 'cancelled', canceled: 'cancelled', 'no-show': 'no-show',
      no_show: 'no-show' }[statusText];
    if (!status) throw fail('json.bad_value', `visit ${i}: bad status ${v.status}`);
    if (v.amount === undefined || v.amount === null || v.amount === '') {
      throw fail('json.missing_field', `visit ${i} has no amount`);
    }
    return {
      date: parseDate(v.date),
      patient,
      employee: optionalId(v.employee),
      division: optionalId(v.division),
      amount: parseAmount(v.amount),
      kind,
      status,
    };
  });
  let lastDate = null;
  for (const l of lines) if (lastDate === null || l.date > lastDate) lastDate = l.date;
  return { divisions, employees, priceLists, patients, lines, lastDate };
}

/** The name of a table entry; its id when it is not in the table or has no (or an empty) name. */
function nameOf(map, id) {
  const item = map.get(id);
  return item && item.name !== undefined && item.name !== null && item.name !== '' ? String(item.name) : id;
}

// ---------------------------------------------------------------- options

function normaliseOptions(data, options = {}) {
  const from = options.from === undefined || options.from === null || options.from === ''
    ? null : parseDate(options.from, 'from date', 'options.bad_value');
  const to = options.to === undefined || options.to === null || options.to === ''
    ? null : parseDate(options.to, 'to date', 'options.bad_value');
  if (from !== null && to !== null && from > to) throw fail('options.bad_period', `from ${from} is after to ${to}`);
  const division = optionalId(options.division);
  const employee = optionalId(options.employee);
  // "In the export": declared in its table or referenced by any line (any status).
  if (division !== null && !data.divisions.has(division) && !data.lines.some((l) => l.division === division)) {
    throw fail('options.unknown_division', `unknown division ${division}`);
  }
  if (employee !== null && !data.employees.has(employee) && !data.lines.some((l) => l.employee === employee)) {
    throw fail('options.unknown_employee', `unknown employee ${employee}`);
  }
  const top = options.top === undefined || options.top === null ? 0 : Number(options.top);
  if (!Number.isInteger(top) || top < 0) throw fail('options.bad_value', `bad top ${options.top}`);
  let returnWindow = options.returnWindow === undefined || options.returnWindow === null ? null : Number(options.returnWindow);
  if (returnWindow !== null && (!Number.isInteger(returnWindow) || returnWindow < 0)) {
    throw fail('options.bad_value', `bad return window ${options.returnWindow}`);
  }
  return {
    from, to, division, employee, top, returnWindow,
    allDivisions: Boolean(options.allDivisions),
    newPerEmployee: Boolean(options.newPerEmployee),
  };
}

const inPeriod = (o, date) => (o.from === null || date >= o.from) && (o.to === null || date <= o.to);

/** Completed lines in the period passing the division and employee filters. */
function periodLines(data, o) {
  return data.lines.filter((l) => l.status === 'completed' && inPeriod(o, l.date) &&
    (o.division === null || l.division === o.division) &&
    (o.employee === null || l.employee === o.employee));
}

// A visit key; lines without an employee form their own visit per (patient, date).
const visitKey = (l) => JSON.stringify([l.patient, l.employee, l.date]);

function sum(lines) {
  let s = 0n;
  for (const l of lines) s += l.amount;
  return s;
}

// ---------------------------------------------------------------- rating

function rating(data, o) {
  const lines = periodLines(data, o);
  const total = sum(lines);
  const byPatient = new Map();
  for (const l of lines) {
    if (!byPatient.has(l.patient)) byPatient.set(l.patient, { amount: 0n, visits: new Set() });
    const p = byPatient.get(l.patient);
    p.amount += l.amount;
    p.visits.add(visitKey(l));
  }
  const rows = [...byPatient].map(([id, p]) => ({ id, name: nameOf(data.patients, id), ...p }));
  rows.sort((a, b) => compareBigDesc(a.amount, b.amount) || byNameThenId(a, b));
  const out = [];
  let before = 0n;
  rows.forEach((r, i) => {
    const cumulative = before + r.amount;
    let abc = '';
    if (total > 0n) abc = 100n * before < 80n * total ? 'A' : 100n * before < 95n * total ? 'B' : 'C';
    const patient = data.patients.get(r.id);
    const priceListId = patient ? optionalId(patient.priceList) : null;
    const hasBonus = patient && patient.bonusBalance !== undefined && patient.bonusBalance !== null &&
      patient.bonusBalance !== '';
    out.push([
      String(i + 1), r.id, r.name,
      priceListId === null ? '' : nameOf(data.priceLists, priceListId),
      hasBonus ? formatMoney(parseAmount(patient.bonusBalance)) : '',
      String(r.visits.size), formatMoney(r.amount),
      formatPercent(r.amount, total), formatPercent(cumulative, total), abc,
    ]);
    before = cumulative;
  });
  return {
    header: ['rank', 'patient_id', 'patient', 'price_list', 'bonus_balance', 'visits', 'amount',
      'share_pct', 'cumulative_pct', 'abc'],
    rows: o.top > 0 ? out.slice(0, o.top) : out,
  };
}

// ---------------------------------------------------------------- divisions

const NO_DIVISION = '(no division)';

function divisionsReport(data, o) {
  const lines = periodLines(data, o);
  const columnIds = new Set(lines.map((l) => l.division).filter((d) => d !== null));
  if (o.allDivisions) {
    for (const id of data.divisions.keys()) columnIds.add(id);
    for (const l of data.lines) if (l.division !== null) columnIds.add(l.division);
  }
  const columns = [...columnIds].map((id) => ({ id, name: nameOf(data.divisions, id) })).sort(byNameThenId);
  if (lines.some((l) => l.division === null)) columns.push({ id: null, name: NO_DIVISION });

  const patients = new Map(); // id -> { total, cells: Map(divisionId|null -> amount) }
  const columnTotals = new Map();
  for (const l of lines) {
    if (!patients.has(l.patient)) patients.set(l.patient, { total: 0n, cells: new Map() });
    const p = patients.get(l.patient);
    p.total += l.amount;
    p.cells.set(l.division, (p.cells.get(l.division) ?? 0n) + l.amount);
    columnTotals.set(l.division, (columnTotals.get(l.division) ?? 0n) + l.amount);
  }
  const rows = [...patients].map(([id, p]) => ({ id, name: nameOf(data.patients, id), ...p }));
  rows.sort((a, b) => compareBigDesc(a.total, b.total) || byNameThenId(a, b));
  const shown = o.top > 0 ? rows.slice(0, o.top) : rows;
  const cell = (map, key) => (map.has(key) ? formatMoney(map.get(key)) : '');
  const out = shown.map((r) => [r.id, r.name, ...columns.map((c) => cell(r.cells, c.id)), formatMoney(r.total)]);
  out.push(['', 'TOTAL', ...columns.map((c) => cell(columnTotals, c.id)), formatMoney(sum(lines))]);
  return { header: ['patient_id', 'patient', ...columns.map((c) => c.name), 'total'], rows: out };
}

// ---------------------------------------------------------------- loyalty

function loyalty(data, o) {
  const completed = data.lines.filter((l) => l.status === 'completed');
  // "Counted": completed and passing the division filter, at any date.
  const counted = completed.filter((l) => o.division === null || l.division === o.division);

  // Rows: employees with a counted line in the period (the employee filter selects rows).
  const rowIds = new Set();
  for (const l of counted) {
    if (l.employee !== null && inPeriod(o, l.date) && (o.employee === null || l.employee === o.employee)) {
      rowIds.add(l.employee);
    }
  }
  const employees = [...rowIds].map((id) => ({ id, name: nameOf(data.employees, id) })).sort(byNameThenId);

  // First visit over the whole export, per patient or per (patient, employee).
  const firstKey = (patient, employee) => (o.newPerEmployee ? JSON.stringify([patient, employee]) : patient);
  const first = new Map();
  for (const l of completed) {
    if (o.newPerEmployee && l.employee === null) continue;
    const k = firstKey(l.patient, l.employee);
    if (!first.has(k) || l.date < first.get(k)) first.set(k, l.date);
  }
  const limitOf = (firstDate) => (o.returnWindow !== null ? addDays(firstDate, o.returnWindow) : (o.to ?? data.lastDate));

  const linesByPatient = new Map();
  for (const l of counted) {
    if (!linesByPatient.has(l.patient)) linesByPatient.set(l.patient, []);
    linesByPatient.get(l.patient).push(l);
  }

  const totals = { primary: new Set(), returned: new Set(), toClinic: new Set(), old: new Set(), pending: new Set() };
  const out = [];
  for (const e of employees) {
    const primary = new Set();
    const returned = new Set();
    const toClinic = new Set();
    const old = new Set();
    const pending = new Set();
    const patientsOfE = new Set(counted.filter((l) => l.employee === e.id).map((l) => l.patient));
    for (const p of patientsOfE) {
      const f = first.get(firstKey(p, e.id));
      const linesOfP = linesByPatient.get(p);
      const withE = linesOfP.filter((l) => l.employee === e.id);
      if (inPeriod(o, f) && withE.some((l) => l.date === f)) {
        primary.add(p);
        const limit = limitOf(f);
        if (withE.some((l) => l.date > f && l.date <= limit)) returned.add(p);
        if (linesOfP.some((l) => l.date > f && l.date <= limit)) toClinic.add(p);
        if (o.returnWindow !== null && !returned.has(p) && limit > data.lastDate) pending.add(p);
      }
      if (o.from !== null && f < o.from && withE.some((l) => inPeriod(o, l.date))) old.add(p);
    }
    for (const [set, all] of [[primary, totals.primary], [returned, totals.returned], [toClinic, totals.toClinic],
      [old, totals.old], [pending, totals.pending]]) {
      for (const p of set) all.add(p);
    }
    out.push(loyaltyRow(e.id, e.name, primary, returned, toClinic, old, pending, o));
  }
  out.push(loyaltyRow('', 'TOTAL', totals.primary, totals.returned, totals.toClinic, totals.old, totals.pending, o));
  return {
    header: ['employee_id', 'employee', 'primary', 'returned', 'retention_pct', 'returned_to_clinic', 'old', 'pending'],
    rows: out,
  };
}

function loyaltyRow(id, name, primary, returned, toClinic, old, pending, o) {
  return [id, name, String(primary.size), String(returned.size),
    formatPercent(BigInt(returned.size), BigInt(primary.size)),
    String(toClinic.size), String(old.size), o.returnWindow !== null ? String(pending.size) : ''];
}

// ---------------------------------------------------------------- revenue

const UNASSIGNED = '(unassigned)';

function revenue(data, o) {
  const lines = periodLines(data, o);
  const total = sum(lines);
  const byEmployee = new Map();
  for (const l of lines) {
    const key = l.employee ?? '';
    if (!byEmployee.has(key)) {
      byEmployee.set(key, { services: 0n, goods: 0n, lines: 0, visits: new Set(), patients: new Set() });
    }
    const r = byEmployee.get(key);
    if (l.kind === 'goods') r.goods += l.amount; else r.services += l.amount;
    r.lines += 1;
    r.visits.add(visitKey(l));
    r.patients.add(l.patient);
  }
  const rows = [...byEmployee].map(([id, r]) => ({
    id, name: id === '' ? UNASSIGNED : nameOf(data.employees, id), ...r, total: r.services + r.goods,
  }));
  rows.sort((a, b) => compareBigDesc(a.total, b.total) || byNameThenId(a, b));
  const row = (id, name, services, goods, lineCount, visits, patients) => {
    const t = services + goods;
    return [id, name, formatMoney(services), formatMoney(goods), formatMoney(t), formatPercent(t, total),
      String(lineCount), String(visits), String(patients),
      visits === 0 ? '' : formatMoney(divRoundHalfAway(t, BigInt(visits) * 100n) * 100n)];
  };
  const out = rows.map((r) => row(r.id, r.name, r.services, r.goods, r.lines, r.visits.size, r.patients.size));
  let services = 0n;
  let goods = 0n;
  let visits = 0;
  for (const r of rows) { services += r.services; goods += r.goods; visits += r.visits.size; }
  out.push(row('', 'TOTAL', services, goods, lines.length, visits, new Set(lines.map((l) => l.patient)).size));
  return {
    header: ['employee_id', 'employee', 'services_amount', 'goods_amount', 'total', 'share_pct', 'lines',
      'visits', 'patients', 'avg_visit'],
    rows: out,
  };
}

// ---------------------------------------------------------------- API

const REPORTS = { rating, divisions: divisionsReport, loyalty, revenue };

export function computeReport(exportObj, reportName, options = {}) {
  const report = REPORTS[reportName];
  if (!report) throw fail('options.bad_value', `unknown report ${reportName}`);
  const data = prepareExport(exportObj);
  return report(data, normaliseOptions(data, options));
}

function csvCell(cell) {
  const s = String(cell);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function toCsv(tableValue) {
  return [tableValue.header, ...tableValue.rows].map((r) => r.map(csvCell).join(',') + '\n').join('');
}

// ---------------------------------------------------------------- loading

/**
 * JSON.parse, except that numbers under the keys `amount` and `bonusBalance`
 * are returned as their exact source text (a string), so no amount ever goes
 * through a double. A small strict recursive-descent parser.
 */
export function parseExportText(text) {
  let i = 0;
  if (text.charCodeAt(0) === 0xfeff) i = 1;
  const ws = () => { while (i < text.length && ' \t\r\n'.includes(text[i])) i++; };
  const err = (what) => { throw fail('json.syntax', `JSON syntax error at offset ${i}: ${what}`); };
  const value = (key) => {
    ws();
    const c = text[i];
    if (c === '{') {
      i++;
      const obj = {};
      ws();
      if (text[i] === '}') { i++; return obj; }
      for (;;) {
        ws();
        if (text[i] !== '"') err('expected a key');
        const k = string();
        ws();
        if (text[i] !== ':') err('expected :');
        i++;
        obj[k] = value(k);
        ws();
        if (text[i] === ',') { i++; continue; }
        if (text[i] === '}') { i++; return obj; }
        err('expected , or }');
      }
    }
    if (c === '[') {
      i++;
      const arr = [];
      ws();
      if (text[i] === ']') { i++; return arr; }
      for (;;) {
        arr.push(value(null));
        ws();
        if (text[i] === ',') { i++; continue; }
        if (text[i] === ']') { i++; return arr; }
        err('expected , or ]');
      }
    }
    if (c === '"') return string();
    const m = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/.exec(text.slice(i, i + 400));
    if (m) {
      i += m[0].length;
      return key === 'amount' || key === 'bonusBalance' ? m[0] : Number(m[0]);
    }
    for (const [word, v] of [['true', true], ['false', false], ['null', null]]) {
      if (text.startsWith(word, i)) { i += word.length; return v; }
    }
    return err('unexpected character');
  };
  const string = () => {
    const start = i;
    i++;
    while (i < text.length && text[i] !== '"') i += text[i] === '\\' ? 2 : 1;
    if (i >= text.length) err('unclosed string');
    i++;
    return JSON.parse(text.slice(start, i));
  };
  const result = value(null);
  ws();
  if (i !== text.length) err('trailing characters');
  return result;
}

/** RFC 4180 CSV -> array of records (arrays of strings); blank lines skipped. */
export function parseCsv(text) {
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  const records = [];
  let record = [];
  let cell = '';
  let quoted = false;
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') { cell += '"'; i += 2; continue; }
      if (c === '"') { quoted = false; i++; continue; }
      cell += c; i++; continue;
    }
    if (c === '"') { quoted = true; i++; continue; }
    if (c === ',') { record.push(cell); cell = ''; i++; continue; }
    if (c === '\r' || c === '\n') {
      record.push(cell);
      if (!(record.length === 1 && record[0] === '')) records.push(record);
      record = [];
      cell = '';
      i += c === '\r' && text[i + 1] === '\n' ? 2 : 1;
      continue;
    }
    cell += c; i++;
  }
  if (quoted) throw fail('csv.unclosed_quote', 'unclosed quote');
  if (cell !== '' || record.length > 0) { record.push(cell); records.push(record); }
  return records;
}

function readCsvTable(file) {
  if (!fs.existsSync(file)) return undefined;
  const [header, ...rows] = parseCsv(fs.readFileSync(file, 'utf8'));
  return rows.map((r) => {
    const o = {};
    header.forEach((h, k) => { if (r[k] !== undefined && r[k] !== '') o[h.trim().toLowerCase()] = r[k]; });
    return o;
  });
}

/**
 * Reads an export: a .json file, or a folder with visits.csv and the optional tables.
 * The CSV side is minimal (comma-separated, '.' decimals, names from the table files
 * only), enough for the files our generator writes.
 */
export function loadExport(file) {
  if (!fs.statSync(file).isDirectory()) return parseExportText(fs.readFileSync(file, 'utf8'));
  const t = (name) => readCsvTable(path.join(file, name));
  const visits = t('visits.csv');
  if (!visits) throw fail('csv.no_visits', `no visits.csv in ${file}`);
  return {
    format: 'clinic-export',
    version: 1,
    divisions: t('divisions.csv') ?? [],
    priceLists: t('price_lists.csv') ?? [],
    employees: (t('employees.csv') ?? []).map((e) => ({ id: e.id, name: e.name, division: e.division })),
    patients: (t('patients.csv') ?? []).map((p) => ({
      id: p.id, name: p.name, priceList: p.price_list, bonusBalance: p.bonus_balance, registered: p.registered,
    })),
    visits,
  };
}

// ---------------------------------------------------------------- CLI

function main(argv) {
  const [report, file, ...rest] = argv;
  if (!report || !file) {
    process.stderr.write('usage: node tests/reference/reports.mjs <rating|divisions|loyalty|revenue> <export.json|csv-folder>'
      + ' [--from D] [--to D] [--top N] [--division ID] [--employee ID] [--all-divisions]'
      + ' [--return-window N] [--new-per-employee]\n');
    return 2;
  }
  const options = {};
  for (let k = 0; k < rest.length; k++) {
    const flag = rest[k];
    const next = () => {
      if (k + 1 >= rest.length) throw fail('options.bad_value', `${flag} needs a value`);
      return rest[++k];
    };
    switch (flag) {
      case '--from': options.from = next(); break;
      case '--to': options.to = next(); break;
      case '--top': options.top = Number(next()); break;
      case '--division': options.division = next(); break;
      case '--employee': options.employee = next(); break;
      case '--all-divisions': options.allDivisions = true; break;
      case '--return-window': options.returnWindow = Number(next()); break;
      case '--new-per-employee': options.newPerEmployee = true; break;
      default: throw fail('options.bad_value', `unknown option ${flag}`);
    }
  }
  process.stdout.write(toCsv(computeReport(loadExport(file), report, options)));
  return 0;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  try {
    process.exitCode = main(process.argv.slice(2));
  } catch (e) {
    process.stderr.write(`error: ${e.message}\n`);
    process.exitCode = 1;
  }
}
