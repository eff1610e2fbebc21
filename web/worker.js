// The engine's Web Worker: the page never blocks on an import or a report.
// scripts/build-web.mjs bundles this file after the Emscripten glue (the wasm
// embedded), which defines the global createClinicEngine. The page starts it
// from a blob: URL, so it runs under the page's Content-Security-Policy:
// no fetch (connect-src 'none'), only importScripts from the page's origin.
//
// Messages in:  {id, type: 'load', files: [{name, file: Blob} | {name, buffer: ArrayBuffer} | {name, script}]}
//               {id, type: 'report', name, options}
// Messages out: {type: 'ready'} | {type: 'fatal', error}
//               {id, type: 'progress', phase: 'reading'|'importing', loaded, total}
//               {id, type: 'result', value} | {id, type: 'error', error}

import { ClinicEngine, MAX_IMPORT_BYTES } from './engine.js';
import { ClinicError } from './errors.js';

const enginePromise = ClinicEngine.create(self.createClinicEngine, {});
let queue = Promise.resolve();

function errorData(err) {
  if (err instanceof ClinicError) return err.toJSON();
  return new ClinicError('internal', String((err && err.message) || err)).toJSON();
}

/**
 * The served site's demo: `script` is the absolute URL of demo/clinic-demo.js
 * (written by scripts/build-web.mjs), which sets self.clinicDemo to the
 * export's bytes, one character (0-255) per byte. It is loaded each time it is
 * asked for, and the global is dropped at once so it does not stay in memory.
 */
function importDemo(f) {
  try {
    importScripts(f.script);
    const text = self.clinicDemo;
    if (typeof text !== 'string') throw new Error('the script did not define the demo');
    const bytes = new Uint8Array(text.length);
    for (let i = 0; i < text.length; ++i) bytes[i] = text.charCodeAt(i);
    return { name: f.name, buffer: bytes.buffer };
  } catch (err) {
    throw new ClinicError('page.read_failed', `${f.name}: ${err && err.message ? err.message : err}`, { file: f.name });
  } finally {
    delete self.clinicDemo;
  }
}

/**
 * Bytes asked of the file per read. The reads go into one buffer, reused: a
 * fresh ArrayBuffer per read (file.slice().arrayBuffer(), a stream's default
 * reader) has the browser zero and map new memory for every byte of the file,
 * which cost about as much as the read itself where measured. Chromium's
 * worker, a 155 MB file, the copy into wasm memory included: 1.3 s in 16 MB
 * slices, also with 2-8 slices in flight; 1.2 s with file.arrayBuffer() or a
 * default reader; 0.7 s through one 1 MB buffer. Larger buffers are no
 * faster; smaller ones mean more awaits.
 */
const READ_CHUNK = 1024 * 1024;

/** Bytes per slice where the file's stream has no BYOB reader (see copyFile). */
const READ_SLICE = 16 * 1024 * 1024;

/**
 * Copies the whole of `file` to wasm memory at `ptr`, calling onBytes(n) as
 * pieces arrive; throws if the file is not `file.size` bytes long.
 */
async function copyFile(engine, file, ptr, onBytes) {
  const size = file.size;
  const changed = () => new Error('the file changed while it was read');
  let reader = null;
  try {
    reader = file.stream().getReader({ mode: 'byob' });
  } catch {
    // Not a byte stream in this browser: slices, each read in one go.
    for (let offset = 0; offset < size; offset += READ_SLICE) {
      const end = Math.min(size, offset + READ_SLICE);
      const bytes = new Uint8Array(await file.slice(offset, end).arrayBuffer());
      if (bytes.length !== end - offset) throw changed();
      engine.write(ptr, offset, bytes);
      onBytes(bytes.length);
    }
    return;
  }
  try {
    let buffer = new ArrayBuffer(READ_CHUNK);
    let offset = 0;
    for (;;) {
      const { done, value } = await reader.read(new Uint8Array(buffer)).catch(() => {
        // Chromium's stream fails with a bare TypeError "network error",
        // e.g. for a file changed or removed on disk after it was chosen.
        throw new Error('it could not be read from disk (changed, moved or deleted since it was chosen?)');
      });
      if (done) break;
      if (offset + value.length > size) throw changed();
      engine.write(ptr, offset, value);
      offset += value.length;
      onBytes(value.length);
      // read() took the buffer over; it comes back as value's.
      buffer = value.buffer;
    }
    if (offset !== size) throw changed();
  } catch (err) {
    // Stops the browser reading the rest of a file that is no longer wanted.
    reader.cancel().catch(() => {});
    throw err;
  }
}

/** Reads each file into wasm memory, with progress as it goes. */
async function readInto(engine, id, requested) {
  const files = requested.map((f) => (f.script ? importDemo(f) : f));
  const total = files.reduce((sum, f) => sum + (f.file ? f.file.size : f.buffer.byteLength), 0);
  if (total > MAX_IMPORT_BYTES) {
    // Refused before a byte is copied: the loaded export and the page stay as they are.
    const gb = (n) => `${(n / 1024 ** 3).toFixed(1)} GB`;
    const names = files.map((f) => f.name).join(', ');
    throw new ClinicError('page.too_large', `${names}: ${gb(total)} is more than this page can open (at most ${gb(MAX_IMPORT_BYTES)})`, { file: files.length === 1 ? files[0].name : '' });
  }
  const placed = [];
  let loaded = 0;
  let lastReport = 0;
  const progress = (force) => {
    const now = Date.now();
    if (force || now - lastReport > 50) {
      lastReport = now;
      self.postMessage({ id, type: 'progress', phase: 'reading', loaded, total });
    }
  };
  try {
    progress(true);
    for (const f of files) {
      if (f.buffer) {
        const bytes = new Uint8Array(f.buffer);
        const ptr = engine.allocate(bytes.length);
        placed.push({ name: f.name, ptr, size: bytes.length });
        engine.write(ptr, 0, bytes);
        loaded += bytes.length;
        progress(false);
        continue;
      }
      const size = f.file.size;
      const ptr = engine.allocate(size);
      placed.push({ name: f.name, ptr, size });
      try {
        await copyFile(engine, f.file, ptr, (n) => {
          loaded += n;
          progress(false);
        });
      } catch (err) {
        throw new ClinicError('page.read_failed', `${f.name}: ${err && err.message ? err.message : err}`, { file: f.name });
      }
    }
    progress(true);
  } catch (err) {
    for (const p of placed) engine.release(p.ptr);
    throw err;
  }
  return placed;
}

async function load(engine, id, files) {
  const placed = await readInto(engine, id, files);
  self.postMessage({ id, type: 'progress', phase: 'importing', loaded: 0, total: 0 });
  const summary = engine.loadAllocated(placed);
  // Packed (bytes + offsets): the page decodes only the names it shows.
  return { summary, entities: engine.entitiesPacked() };
}

function transferables(result) {
  const out = [];
  const visit = (v) => {
    if (ArrayBuffer.isView(v)) out.push(v.buffer);
    else if (v && typeof v === 'object') Object.values(v).forEach(visit);
  };
  visit(result);
  return out;
}

async function handle(message) {
  const { id, type } = message;
  try {
    const engine = await enginePromise;
    let value;
    if (type === 'load') value = await load(engine, id, message.files);
    else if (type === 'report') value = engine.report(message.name, message.options);
    else throw new ClinicError('api.bad_argument', `unknown message ${JSON.stringify(type)}`);
    // Entities are sent once per load and kept by the page, so copying is fine;
    // report columns are fresh copies, so their buffers move without a copy.
    self.postMessage({ id, type: 'result', value }, type === 'report' ? transferables(value) : []);
  } catch (err) {
    self.postMessage({ id, type: 'error', error: errorData(err) });
  }
}

self.onmessage = (event) => {
  // One message at a time, in order: a report never sees a half-loaded export.
  queue = queue.then(() => handle(event.data));
};

enginePromise.then(
  () => self.postMessage({ type: 'ready' }),
  (err) => self.postMessage({ type: 'fatal', error: errorData(new ClinicError('page.worker_failed', String(err && err.message ? err.message : err))) }),
);
