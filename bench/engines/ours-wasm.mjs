// Our engine through its WebAssembly API (web/engine.js over the Embind
// module of wasm/bindings/api.cpp), as the page's worker uses it: each file is
// malloc'd and copied into wasm memory, then load([{name, ptr, size}]).

import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { centsText } from './common.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const require = createRequire(import.meta.url);

export const id = 'ours-wasm';
export const label = 'ours (wasm)';
export const reportsSupported = ['rating', 'divisions', 'loyalty', 'revenue'];

export async function create({ engineDir = process.env.CLINIC_ENGINE_DIR || path.join(root, 'build-wasm') } = {}) {
  const { ClinicEngine } = await import(path.join(root, 'web/engine.js'));
  const glue = path.join(engineDir, 'clinic_engine.js');
  const wasmPath = path.join(engineDir, 'clinic_engine.wasm');
  // Startup = compiling and instantiating the module (bytes already read, as a
  // browser would have them from the network cache).
  const wasmBinary = fs.readFileSync(wasmPath);
  const factory = require(glue);
  const t0 = performance.now();
  const engine = await ClinicEngine.create(factory, { wasmBinary });
  const startupMs = performance.now() - t0;
  return new OursWasm(engine, startupMs);
}

class OursWasm {
  constructor(engine, startupMs) {
    this.engine = engine;
    this.startupMs = startupMs;
    this.version = 'working tree';
    this.entities = null;
    this.lastTiming = {};
  }

  /**
   * Loads one export from bytes in JS memory; returns when reports can run.
   * this.lastTiming: copyMs (malloc + HEAPU8.set), importMs (load(), "bytes in
   * wasm memory to reports ready"), entitiesMs (ids and names for display).
   * @param {{name: string, bytes: Uint8Array}[]} files
   */
  load(files) {
    const t0 = performance.now();
    const placed = [];
    for (const f of files) {
      const ptr = this.engine.allocate(f.bytes.length);
      placed.push({ name: f.name, ptr, size: f.bytes.length });
      this.engine.write(ptr, 0, f.bytes);
    }
    const t1 = performance.now();
    const summary = this.engine.loadAllocated(placed);
    const t2 = performance.now();
    this.entities = this.engine.entities();
    const t3 = performance.now();
    this.summary = summary;
    this.lastTiming = { copyMs: t1 - t0, importMs: t2 - t1, entitiesMs: t3 - t2 };
    return summary;
  }

  report(name, options = {}) {
    return this.engine.report(name, options);
  }

  /** wasm linear memory size: it only grows, so it is the high-water mark. */
  memory() {
    return { wasmBytes: this.engine.module.HEAPU8.buffer.byteLength };
  }

  totals(name, r) {
    const ent = this.entities;
    const empId = (i) => (i < 0 ? '' : ent.employees.ids.get(i));
    const divId = (i) => (i < 0 ? '' : ent.divisions.ids.get(i));
    if (name === 'rating') {
      return { patients: r.patients, amount: centsText(r.total.amount), visits: r.total.visits };
    }
    if (name === 'divisions') {
      const columns = {};
      for (let j = 0; j < r.columns.length; ++j) {
        const v = r.total.columns[j];
        columns[divId(r.columns[j])] = centsText(Number.isNaN(v) ? 0 : v);
      }
      return { grand: centsText(r.total.amount), columns };
    }
    if (name === 'revenue') {
      const employees = {};
      for (let i = 0; i < r.count; ++i) employees[empId(r.rows.employee[i])] = centsText(r.rows.total[i]);
      return {
        total: centsText(r.total.total), employees,
        lines: r.total.lines, visits: r.total.visits, patients: r.total.patients,
      };
    }
    if (name === 'loyalty') {
      const employees = {};
      const row = (o, i) => [o.primary[i], o.returned[i], o.returnedToClinic[i], o.old[i]];
      for (let i = 0; i < r.count; ++i) employees[empId(r.rows.employee[i])] = row(r.rows, i);
      const t = r.total;
      return { total: [t.primary, t.returned, t.returnedToClinic, t.old], employees };
    }
    throw new Error(`unknown report ${name}`);
  }

  close() {
    this.engine.clear();
  }
}
