#!/usr/bin/env node
// Converts a Synthea CSV export folder into a clinic-export JSON file.
//
// Usage: node scripts/synthea-to-export.mjs <synthea-folder> <out.json>
//
// Reads from the folder (Synthea's CSV exporter layout):
//   encounters.csv  Id, START, PATIENT, PROVIDER, ENCOUNTERCLASS, DESCRIPTION,
//                   TOTAL_CLAIM_COST, ...               (required)
//   patients.csv    Id, FIRST, LAST, ...                 (required)
//   providers.csv   Id, NAME, ...                        (required)
//   organizations.csv is not needed (providers carry no division here).
//
// Mapping (one visit line per encounter, in file order):
//   visit.id       = encounter Id
//   visit.date     = the date part of START ("2013-08-12T02:04:10Z" -> "2013-08-12")
//   visit.patient  = PATIENT
//   visit.employee = PROVIDER (omitted when empty)
//   visit.division = ENCOUNTERCLASS (omitted when empty); the divisions table holds
//                    every class used, with a readable name (wellness -> Wellness,
//                    urgentcare -> Urgent care, snf -> Skilled nursing facility, ...)
//   visit.amount   = TOTAL_CLAIM_COST, written exactly as it is in the file (a JSON
//                    number, or a JSON string when the text is a valid decimal that is
//                    not valid JSON number syntax, e.g. "007.50"); anything but a
//                    decimal with at most 4 decimals stops the conversion
//   visit.service  = DESCRIPTION
//   kind and status are left to their defaults (service, completed).
//   patients  = patients.csv: id = Id, name = FIRST + ' ' + LAST
//   employees = providers.csv: id = Id, name = NAME (no division); a repeated Id
//               (some exports list a provider once per speciality) keeps the row
//               with the highest UTILIZATION/ENCOUNTERS, with a warning
//   clinic    = { name: "Synthea <folder name>", currency: "USD" }
//
// The output is deterministic: tables keep the input order (divisions are sorted
// by id), keys are always written in the same order, one table row per line.
// CSV is read with the small RFC 4180 reader below (quoted fields, doubled quotes,
// commas and line breaks inside quotes, CRLF or LF, a UTF-8 BOM); no npm packages.

import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const DIVISION_NAMES = {
  ambulatory: 'Ambulatory',
  emergency: 'Emergency',
  home: 'Home health',
  hospice: 'Hospice',
  inpatient: 'Inpatient',
  outpatient: 'Outpatient',
  snf: 'Skilled nursing facility',
  urgentcare: 'Urgent care',
  virtual: 'Virtual',
  wellness: 'Wellness',
};

class ConversionError extends Error {}

/** RFC 4180: returns an array of records (arrays of strings). Blank lines are skipped. */
export function parseCsv(text, fileName) {
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  const records = [];
  let record = [];
  let cell = '';
  let i = 0;
  let line = 1;
  let recordLine = 1; // where the current record starts
  const n = text.length;
  while (i < n) {
    const c = text[i];
    if (c === '"' && cell === '') {
      // A quoted cell: up to the closing quote; "" is a quote.
      const startLine = line;
      i++;
      for (;;) {
        if (i >= n) throw new ConversionError(`${fileName}, line ${startLine}: unclosed quote`);
        const q = text[i];
        if (q === '"') {
          if (text[i + 1] === '"') {
            cell += '"';
            i += 2;
            continue;
          }
          i++;
          break;
        }
        if (q === '\n' || (q === '\r' && text[i + 1] !== '\n')) line++;
        cell += q;
        i++;
      }
      if (i < n && text[i] !== ',' && text[i] !== '\r' && text[i] !== '\n') {
        throw new ConversionError(`${fileName}, line ${line}: characters after a closing quote`);
      }
      continue;
    }
    if (c === ',') {
      record.push(cell);
      cell = '';
      i++;
    } else if (c === '\r' || c === '\n') {
      record.push(cell);
      if (!(record.length === 1 && record[0] === '')) records.push({ cells: record, line: recordLine });
      record = [];
      cell = '';
      i += c === '\r' && text[i + 1] === '\n' ? 2 : 1;
      line++;
      recordLine = line;
    } else {
      if (c === '"') throw new ConversionError(`${fileName}, line ${line}: a quote inside an unquoted cell`);
      cell += c;
      i++;
    }
  }
  if (cell !== '' || record.length > 0) {
    record.push(cell);
    records.push({ cells: record, line: recordLine });
  }
  return records;
}

/** Reads a CSV file into objects keyed by header, checking the required columns. */
function readTable(folder, name, required) {
  const file = path.join(folder, name);
  if (!fs.existsSync(file)) throw new ConversionError(`${file} not found`);
  const records = parseCsv(fs.readFileSync(file, 'utf8'), name);
  if (records.length === 0) throw new ConversionError(`${name} is empty`);
  const header = records[0].cells.map((h) => h.trim());
  for (const column of required) {
    if (!header.includes(column)) throw new ConversionError(`${name}: no ${column} column`);
  }
  return records.slice(1).map(({ cells, line }) => {
    if (cells.length !== header.length) {
      throw new ConversionError(`${name}, line ${line}: ${cells.length} cells, the header has ${header.length}`);
    }
    const row = { line };
    header.forEach((h, k) => { row[h] = cells[k]; });
    return row;
  });
}

function divisionName(cls) {
  return DIVISION_NAMES[cls] ?? cls.charAt(0).toUpperCase() + cls.slice(1);
}

/** The amount as JSON: the text itself when it is a JSON number, else a JSON string. */
function amountJson(text, where) {
  if (!/^-?[0-9]+(\.[0-9]{1,4})?$/.test(text)) {
    throw new ConversionError(`${where}: TOTAL_CLAIM_COST ${JSON.stringify(text)} is not a decimal with at most 4 decimals`);
  }
  return /^-?(0|[1-9][0-9]*)(\.[0-9]+)?$/.test(text) ? text : JSON.stringify(text);
}

function dateOf(start, where) {
  const m = /^(\d{4})-(\d{2})-(\d{2})(?:$|[T ])/.exec(start);
  const date = m && new Date(`${m[1]}-${m[2]}-${m[3]}T00:00:00Z`);
  if (!m || Number.isNaN(date.getTime()) || date.toISOString().slice(0, 10) !== start.slice(0, 10)) {
    throw new ConversionError(`${where}: START ${JSON.stringify(start)} does not begin with a valid YYYY-MM-DD date`);
  }
  return start.slice(0, 10);
}

/**
 * One row per Id, at the place of its first occurrence. Some Synthea exports list
 * a provider Id several times (one row per speciality, sometimes with different
 * names); the row with the highest score (UTILIZATION or ENCOUNTERS, i.e. the one
 * that saw the patients) wins, the first one on a tie. A warning says how many.
 */
function uniqueById(rows, name, score) {
  const chosen = new Map();
  let duplicates = 0;
  for (const r of rows) {
    if (!r.Id) throw new ConversionError(`${name}, line ${r.line}: empty Id`);
    const kept = chosen.get(r.Id);
    if (kept === undefined) {
      chosen.set(r.Id, r);
    } else {
      duplicates++;
      if (score(r) > score(kept)) chosen.set(r.Id, r);
    }
  }
  if (duplicates > 0) {
    process.stderr.write(`synthea-to-export: warning: ${name} repeats ${duplicates} rows with an Id already seen; `
      + 'kept one row per Id (the most used)\n');
  }
  return [...chosen.values()];
}

/** Builds the clinic-export JSON text of a Synthea folder. */
export function convert(folder) {
  const encounters = readTable(folder, 'encounters.csv',
    ['Id', 'START', 'PATIENT', 'PROVIDER', 'ENCOUNTERCLASS', 'DESCRIPTION', 'TOTAL_CLAIM_COST']);
  const patients = readTable(folder, 'patients.csv', ['Id', 'FIRST', 'LAST']);
  const providers = readTable(folder, 'providers.csv', ['Id', 'NAME']);

  const classes = new Set();
  const ids = new Set();
  const visits = encounters.map((e) => {
    const where = `encounters.csv, line ${e.line}`;
    if (!e.Id) throw new ConversionError(`${where}: empty Id`);
    if (ids.has(e.Id)) throw new ConversionError(`${where}: duplicate encounter Id ${e.Id}`);
    ids.add(e.Id);
    if (!e.PATIENT) throw new ConversionError(`${where}: empty PATIENT`);
    if (e.ENCOUNTERCLASS) classes.add(e.ENCOUNTERCLASS);
    let text = `{"id":${JSON.stringify(e.Id)},"date":"${dateOf(e.START, where)}","patient":${JSON.stringify(e.PATIENT)}`;
    if (e.PROVIDER) text += `,"employee":${JSON.stringify(e.PROVIDER)}`;
    if (e.ENCOUNTERCLASS) text += `,"division":${JSON.stringify(e.ENCOUNTERCLASS)}`;
    text += `,"amount":${amountJson(e.TOTAL_CLAIM_COST, where)}`;
    if (e.DESCRIPTION) text += `,"service":${JSON.stringify(e.DESCRIPTION)}`;
    return `${text}}`;
  });
  if (visits.length === 0) throw new ConversionError('encounters.csv has no encounters');

  const byteOrder = (a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b));
  const divisions = [...classes].sort(byteOrder)
    .map((c) => `{"id":${JSON.stringify(c)},"name":${JSON.stringify(divisionName(c))}}`);
  const employees = uniqueById(providers, 'providers.csv', (r) => Number(r.UTILIZATION ?? r.ENCOUNTERS ?? 0) || 0)
    .map((p) => `{"id":${JSON.stringify(p.Id)},"name":${JSON.stringify(p.NAME)}}`);
  const patientRows = uniqueById(patients, 'patients.csv', () => 0)
    .map((p) => `{"id":${JSON.stringify(p.Id)},"name":${JSON.stringify(`${p.FIRST} ${p.LAST}`.trim())}}`);

  const clinic = { name: `Synthea ${path.basename(path.resolve(folder))}`, currency: 'USD' };
  const list = (rows) => (rows.length ? `[\n${rows.join(',\n')}\n]` : '[]');
  return `{"format":"clinic-export","version":1,\n"clinic":${JSON.stringify(clinic)},\n`
    + `"divisions":${list(divisions)},\n"employees":${list(employees)},\n`
    + `"patients":${list(patientRows)},\n"visits":${list(visits)}}\n`;
}

function main(argv) {
  if (argv.length !== 2) {
    process.stderr.write('usage: node scripts/synthea-to-export.mjs <synthea-folder> <out.json>\n');
    return 2;
  }
  const [folder, out] = argv;
  const text = convert(folder);
  fs.writeFileSync(out, text);
  const data = JSON.parse(text);
  process.stderr.write(`${out}: ${data.visits.length} visit lines, ${data.patients.length} patients, `
    + `${data.employees.length} employees, ${data.divisions.length} divisions\n`);
  return 0;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  try {
    process.exitCode = main(process.argv.slice(2));
  } catch (e) {
    if (!(e instanceof ConversionError)) throw e;
    process.stderr.write(`synthea-to-export: ${e.message}\n`);
    process.exitCode = 1;
  }
}
