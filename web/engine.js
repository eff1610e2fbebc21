// A thin wrapper over the Embind module (wasm/bindings/api.cpp): copies file
// bytes into wasm memory once, unwraps the {ok, value | error} envelopes into
// values or thrown ClinicErrors; the entity tables stay packed (web/strings.js).
// Runs in the Web Worker and under Node (tests); it never touches the DOM.

import { ClinicError } from './errors.js';
import { wrapEntities } from './strings.js';

export const REPORT_NAMES = Object.freeze(['rating', 'divisions', 'loyalty', 'revenue']);

/** The engine's wasm memory can grow to 4 GiB (-sMAXIMUM_MEMORY=4GB). */
export const WASM_MEMORY_LIMIT = 4 * 1024 ** 3;

/**
 * Peak wasm memory of an import per byte of input, the copy of the files
 * included: measured 1.5 (JSON) and 1.8 (CSV) on the demo generator's
 * exports of 1,000,000 lines; up to ~12 for a CSV of one new patient per
 * 21-byte line (docs/limits.md).
 */
export const IMPORT_MEMORY_PER_BYTE = 3;

/**
 * The largest file set the page reads (~1.3 GiB): larger ones are refused
 * before any byte is copied (page.too_large). Smaller ones that still do not
 * fit fail in the engine with input.too_large; the loaded export stays either way.
 */
export const MAX_IMPORT_BYTES = Math.floor((WASM_MEMORY_LIMIT - 64 * 1024 ** 2) / IMPORT_MEMORY_PER_BYTE);

/**
 * A module of one function that returns a v128 constant: it validates only
 * where WebAssembly SIMD is supported, which the engine is built with
 * (-msimd128; Chrome and Edge 91, Firefox 89, Safari 16.4 and later).
 */
const SIMD_PROBE = new Uint8Array([
  0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, // magic, version 1
  0x01, 0x05, 0x01, 0x60, 0x00, 0x01, 0x7b, // type section: () -> v128
  0x03, 0x02, 0x01, 0x00, // function section: one function of type 0
  0x0a, 0x16, 0x01, 0x14, 0x00, 0xfd, 0x0c, // code section: v128.const ...
  0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
  0x0b, // end
]);

/**
 * What the engine needs of the browser's WebAssembly that `wasm` lacks, in
 * words ('WebAssembly', 'WebAssembly SIMD'), or '' when nothing is missing.
 */
export function missingWasmFeature(wasm = globalThis.WebAssembly) {
  if (!wasm || typeof wasm.validate !== 'function') return 'WebAssembly';
  return wasm.validate(SIMD_PROBE) ? '' : 'WebAssembly SIMD';
}

function unwrap(envelope) {
  if (envelope.ok) return envelope.value;
  const e = envelope.error;
  throw new ClinicError(e.code, e.message, e);
}

export class ClinicEngine {
  /** @param {object} module an instantiated createClinicEngine() module */
  constructor(module) {
    this.module = module;
  }

  /**
   * Instantiates the engine.
   * @param {(args: object) => Promise<object>} factory createClinicEngine
   * @param {object} [moduleArgs] e.g. {wasmBinary} under Node
   * @param {object} [wasm] the WebAssembly object to check (tests pass a stand-in)
   * @throws {ClinicError} page.browser_too_old, before the module is compiled,
   *   where a feature the engine is built with is missing
   */
  static async create(factory, moduleArgs = {}, wasm = globalThis.WebAssembly) {
    const missing = missingWasmFeature(wasm);
    if (missing) {
      throw new ClinicError('page.browser_too_old', `this browser does not support ${missing}, which the report engine needs`);
    }
    return new ClinicEngine(await factory(moduleArgs));
  }

  /** Reserves `size` bytes of wasm memory for one file; returns its address. */
  allocate(size) {
    // _malloc takes a 32-bit size: 4 GiB or more would wrap around to a small buffer.
    const ptr = size >= 0 && size < 2 ** 32 - 65536 ? this.module._malloc(Math.max(size, 1)) >>> 0 : 0;
    if (ptr === 0) {
      throw new ClinicError('input.too_large', `a file of ${size} bytes is too large for the memory of this browser tab [input.too_large]`);
    }
    return ptr;
  }

  /** Copies `chunk` (Uint8Array) to `ptr + offset`; the one copy of the bytes. */
  write(ptr, offset, chunk) {
    // HEAPU8 is re-read each time: memory growth replaces the buffer.
    this.module.HEAPU8.set(chunk, ptr + offset);
  }

  /** Frees a buffer from allocate() that will not be passed to loadAllocated(). */
  release(ptr) {
    this.module._free(ptr);
  }

  /**
   * Imports files already written to wasm memory; the engine takes (and
   * frees) every buffer, on success and failure alike.
   * @param {{name: string, ptr: number, size: number}[]} files
   * @returns {object} the import summary
   */
  loadAllocated(files) {
    const summary = unwrap(this.module.load(files));
    this.entitiesCache = null;
    this.entitiesWrapped = null;
    return summary;
  }

  /**
   * Imports one JSON export or the CSV files of one export.
   * @param {{name: string, bytes: Uint8Array}[]} files
   */
  load(files) {
    const placed = [];
    try {
      for (const f of files) {
        const ptr = this.allocate(f.bytes.length);
        placed.push({ name: f.name, ptr, size: f.bytes.length });
        this.write(ptr, 0, f.bytes);
      }
    } catch (err) {
      for (const p of placed) this.release(p.ptr);
      throw err;
    }
    return this.loadAllocated(placed);
  }

  /**
   * Starts an import whose files are written and read piece by piece (the
   * page reads a file while the engine reads what has arrived): checks the
   * file set and reserves a buffer per file in wasm memory.
   * @param {{name: string, size: number, head: Uint8Array}[]} files head: the first 3 bytes
   * @returns {{order: number[], buffers: number[]}} the files in the order to
   *   read them, and the address to write each one at (see write())
   */
  beginImport(files) {
    return unwrap(this.module.beginImport(files));
  }

  /**
   * Tells the engine that the first `length` bytes of file `index` are in
   * its buffer; it reads what it can of them. Every file is fed at least once,
   * in order, the last time with all its bytes.
   * @returns {boolean} false once the import has failed (finishImport() says why)
   */
  feedImport(index, length) {
    return unwrap(this.module.feedImport(index, length));
  }

  /** Ends the import: its summary, the export replacing the loaded one; or throws. */
  finishImport() {
    const summary = unwrap(this.module.finishImport());
    this.entitiesCache = null;
    this.entitiesWrapped = null;
    return summary;
  }

  /** Drops an import begun but not finished, and its buffers. */
  abortImport() {
    unwrap(this.module.abortImport());
  }

  /** The import summary of the loaded export. */
  summary() {
    return unwrap(this.module.summary());
  }

  /**
   * Ids and names of every table as packed UTF-8 (bytes + offsets), plus the
   * per-patient price list and bonus and per-employee division (typed
   * arrays): plain data, cheap to post from the worker to the page.
   */
  entitiesPacked() {
    if (!this.entitiesCache) this.entitiesCache = unwrap(this.module.entities());
    return this.entitiesCache;
  }

  /**
   * entitiesPacked() as fresh arrays that the caller owns and may transfer
   * (postMessage); nothing is cached.
   */
  takeEntitiesPacked() {
    return unwrap(this.module.entities());
  }

  /** entitiesPacked() with PackedStrings ids and names (.get(i), .toArray()). */
  entities() {
    if (!this.entitiesWrapped) this.entitiesWrapped = wrapEntities(this.entitiesPacked());
    return this.entitiesWrapped;
  }

  /**
   * Runs one report.
   * @param {'rating'|'divisions'|'loyalty'|'revenue'} name
   * @param {object} [options] {from, to, top, division, employee, allDivisions, returnWindow, newPerEmployee}
   */
  report(name, options = {}) {
    if (!REPORT_NAMES.includes(name)) {
      throw new ClinicError('api.bad_argument', `unknown report ${JSON.stringify(name)}`);
    }
    return unwrap(this.module[name](options));
  }

  /** Drops the loaded export. */
  clear() {
    unwrap(this.module.clear());
    this.entitiesCache = null;
    this.entitiesWrapped = null;
  }
}
