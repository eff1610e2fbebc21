// The independent reference implementation (tests/reference/reports.mjs):
// slow, untimed, only for the equality check of our totals (loyalty included)
// on the small data sets.

import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export const id = 'reference';
export const label = 'reference (tests/reference)';
export const reportsSupported = ['rating', 'divisions', 'loyalty', 'revenue'];
export const untimed = true;

export async function create() {
  const ref = await import(path.join(root, 'tests/reference/reports.mjs'));
  return new Reference(ref);
}

const money = (s) => (s === '' ? '0.00' : s);

class Reference {
  constructor(ref) {
    this.ref = ref;
    this.startupMs = null;
    this.version = 'tests/reference/reports.mjs';
    this.lastTiming = {};
  }

  /** Reads the export the way the reference CLI does (a .json file or a CSV folder). */
  load(files, dataset) {
    this.exp = this.ref.loadExport(dataset.path);
    const divisions = this.exp.divisions || [];
    this.divisionIdByName = new Map(divisions.map((d) => [d.name ?? d.id, String(d.id)]));
    return { lines: this.exp.visits.length };
  }

  report(name, options = {}) {
    this.lastOptions = { ...options };
    return this.ref.computeReport(this.exp, name, this.lastOptions);
  }

  memory() {
    return {};
  }

  totals(name, r) {
    if (name === 'rating') {
      // The period total is not a column of the rating: the divisions TOTAL row's grand total is the same sum.
      const div = this.ref.computeReport(this.exp, 'divisions', this.lastOptions || {});
      const totalRow = div.rows[div.rows.length - 1];
      const visits = r.rows.reduce((s, row) => s + Number(row[5]), 0);
      return { patients: r.rows.length, amount: money(totalRow[totalRow.length - 1]), visits };
    }
    if (name === 'divisions') {
      const { header, rows } = r;
      const total = rows[rows.length - 1];
      const columns = {};
      for (let j = 2; j < header.length - 1; ++j) {
        const id = header[j] === '(no division)' ? '' : this.divisionIdByName.get(header[j]) ?? header[j];
        columns[id] = money(total[j]);
      }
      return { grand: money(total[total.length - 1]), columns };
    }
    if (name === 'revenue') {
      const employees = {};
      const rows = r.rows;
      for (let i = 0; i < rows.length - 1; ++i) employees[rows[i][0]] = money(rows[i][4]);
      const t = rows[rows.length - 1];
      return { total: money(t[4]), employees, lines: Number(t[6]), visits: Number(t[7]), patients: Number(t[8]) };
    }
    if (name === 'loyalty') {
      const employees = {};
      const row = (x) => [Number(x[2]), Number(x[3]), Number(x[5]), Number(x[6])];
      const rows = r.rows;
      for (let i = 0; i < rows.length - 1; ++i) employees[rows[i][0]] = row(rows[i]);
      return { total: row(rows[rows.length - 1]), employees };
    }
    throw new Error(`unknown report ${name}`);
  }

  close() {}
}
