// Shared by the Node and browser tests: where the builds are, the CLI run as
// the independent check of the page and the wasm API, and a fresh engine.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { ClinicEngine } from '../web/engine.js';

export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
/** The wasm build (clinic_engine.js + .wasm); CLINIC_ENGINE_DIR overrides it. */
export const engineDir = path.resolve(root, process.env.CLINIC_ENGINE_DIR || 'build-wasm');
/** The native CLI; CLINIC_REPORT (set by CTest) overrides it. */
export const cli = path.resolve(root, process.env.CLINIC_REPORT || 'build/clinic-report');

const require = createRequire(import.meta.url);

/** A ClinicEngine over a fresh instance of the wasm module. */
export async function newEngine() {
  const factory = require(path.join(engineDir, 'clinic_engine.js'));
  return ClinicEngine.create(factory, { wasmBinary: fs.readFileSync(path.join(engineDir, 'clinic_engine.wasm')) });
}

/** CLI flags for an options object, as the page would send it. */
export function cliArgs(o) {
  const args = [];
  if (o.from) args.push('--from', o.from);
  if (o.to) args.push('--to', o.to);
  if (o.top) args.push('--top', String(o.top));
  if (o.division) args.push('--division', o.division);
  if (o.employee) args.push('--employee', o.employee);
  if (o.allDivisions) args.push('--all-divisions');
  if (o.returnWindow !== undefined && o.returnWindow !== null) args.push('--return-window', String(o.returnWindow));
  if (o.newPerEmployee) args.push('--new-per-employee');
  return args;
}

/** The CLI's CSV of one report (the test fails if the CLI does). */
export function cliCsv(report, options, files) {
  const run = spawnSync(cli, [report, '--format', 'csv', ...cliArgs(options), ...files], {
    encoding: 'utf8', maxBuffer: 1 << 30,
  });
  assert.equal(run.status, 0, `CLI failed: ${run.stderr}`);
  return run.stdout;
}
