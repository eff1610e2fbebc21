// Perspective (@finos/perspective, its Node entry: the same C++ engine
// compiled to wasm, hosted in-process). A table from the same bytes (CSV: the
// visits.csv bytes; JSON: the export's visits array sliced out of the file, as
// bytes), with an explicit schema (its type inference reads only the first
// rows, and the export leaves default fields out). Reports are views:
//
// - rating: group_by patient, sum(amount) and a distinct count of an
//   employee|date expression column (visits), sorted by amount;
// - divisions: group_by patient, split_by division (the cross report);
// - revenue: group_by employee split_by kind (services/goods), and group_by
//   employee with count(lines) and distinct count(patients);
// - loyalty: not expressible (it needs each patient's first visit over the
//   whole export and a join back to the lines); reported as n/a.
//
// Perspective has no decimal type: amounts are float64, so its totals are
// compared with ours to the cent, allowing 1 cent of float rounding.

import { createRequire } from 'node:module';

import { floatToCentsText, sliceTopLevelArrays, toArrayBuffer } from './common.mjs';

const require = createRequire(import.meta.url);

export const id = 'perspective';
export const label = 'Perspective';
export const reportsSupported = ['rating', 'divisions', 'revenue'];
export const centsTolerance = 1;

export async function create() {
  const t0 = performance.now();
  // Importing the Node entry compiles and instantiates its wasm engine.
  const perspective = (await import('@finos/perspective')).default;
  await perspective.system_info();
  const startupMs = performance.now() - t0;
  const version = require('@finos/perspective/package.json').version;
  return new PerspectiveEngine(perspective, startupMs, version);
}

const SCHEMA = {
  id: 'string', date: 'date', patient: 'string', employee: 'string', division: 'string',
  amount: 'float', kind: 'string', status: 'string', service: 'string',
};

class PerspectiveEngine {
  constructor(perspective, startupMs, version) {
    this.p = perspective;
    this.startupMs = startupMs;
    this.version = version;
    this.table = null;
    this.lastTiming = {};
  }

  async load(files) {
    if (this.table) {
      await this.table.delete();
      this.table = null;
    }
    const t0 = performance.now();
    let bytes;
    let format;
    if (files.length === 1 && files[0].name.toLowerCase().endsWith('.json')) {
      bytes = sliceTopLevelArrays(files[0].bytes).visits;
      format = 'json';
    } else {
      const visits = files.find((f) => f.name.toLowerCase() === 'visits.csv');
      if (!visits) throw new Error('Perspective bench: no visits.csv');
      bytes = visits.bytes;
      format = 'csv';
    }
    const table = await this.p.table(SCHEMA);
    await table.update(toArrayBuffer(bytes), { format });
    this.table = table;
    this.lastTiming = { totalMs: performance.now() - t0 };
    return { lines: await table.size() };
  }

  filters(o) {
    // Completed lines: status absent (JSON) or "completed" (CSV).
    const f = [['status', 'not in', ['cancelled', 'canceled', 'no-show', 'no_show']]];
    if (o.from) f.push(['date', '>=', o.from]);
    if (o.to) f.push(['date', '<=', o.to]);
    if (o.division) f.push(['division', '==', o.division]);
    if (o.employee) f.push(['employee', '==', o.employee]);
    return f;
  }

  /** Creates the view and reads it out as Arrow IPC bytes (the cheapest full read-out). */
  async run(config) {
    const view = await this.table.view(config);
    try {
      return await view.to_arrow();
    } finally {
      await view.delete();
    }
  }

  async report(name, options = {}) {
    const filter = this.filters(options);
    if (name === 'rating') {
      return this.run({
        group_by: ['patient'], columns: ['amount', 'visit_key'],
        expressions: { visit_key: 'concat("employee", \'|\', string("date"))' },
        aggregates: { amount: 'sum', visit_key: 'distinct count' },
        filter, sort: [['amount', 'desc']],
      });
    }
    if (name === 'divisions') {
      return this.run({
        group_by: ['patient'], split_by: ['division'], columns: ['amount'], aggregates: { amount: 'sum' },
        filter, sort: [['amount', 'desc']],
      });
    }
    if (name === 'revenue') {
      const byKind = await this.run({
        group_by: ['employee'], split_by: ['kind'], columns: ['amount'], aggregates: { amount: 'sum' }, filter,
      });
      const counts = await this.run({
        group_by: ['employee'], columns: ['amount', 'id', 'patient'],
        aggregates: { amount: 'sum', id: 'count', patient: 'distinct count' }, filter, sort: [['amount', 'desc']],
      });
      return { byKind, counts };
    }
    return null; // loyalty: not expressible as a view
  }

  async memory() {
    const info = await this.p.system_info();
    return { wasmBytes: Number(info.heap_size), perspectiveUsedBytes: Number(info.used_size) };
  }

  /**
   * Totals from the views' Arrow output: row 0 is the total row (group by
   * null); a null/empty group is "(unassigned)" / "(no division)".
   */
  totals(name, r) {
    const arrow = require('apache-arrow');
    const read = (bytes) => arrow.tableFromIPC(new Uint8Array(bytes));
    const col = (t, n) => t.getChild(n).toArray();
    if (name === 'rating') {
      const t = read(r);
      return { patients: t.numRows - 1, amount: floatToCentsText(col(t, 'amount')[0]) };
    }
    if (name === 'divisions') {
      const t = read(r);
      const columns = {};
      let grand = 0;
      for (const f of t.schema.fields) {
        if (!f.name.endsWith('|amount')) continue;
        const div = f.name.replace(/\|amount$/, '');
        const v = col(t, f.name)[0];
        columns[div === 'null' ? '' : div] = floatToCentsText(v);
        grand += v ?? 0;
      }
      return { grand: floatToCentsText(grand), columns };
    }
    if (name === 'revenue') {
      const t = read(r.counts);
      const key = t.schema.fields[0].name;
      const ids = t.getChild(key);
      const amount = col(t, 'amount');
      const employees = {};
      for (let i = 1; i < t.numRows; ++i) employees[ids.get(i) ?? ''] = floatToCentsText(amount[i]);
      return {
        total: floatToCentsText(amount[0]), employees, lines: Number(t.getChild('id').get(0)), patients: Number(t.getChild('patient').get(0)),
      };
    }
    return undefined;
  }

  async close() {
    if (this.table) await this.table.delete();
    this.table = null;
  }
}
