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
 * Copies the whole of `file` to wasm memory at `ptr`, calling onBytes(n) with
 * the bytes copied so far after each piece; onBytes returns false to stop
 * (the import failed). The next piece is asked for before onBytes runs, so
 * the browser reads the file from disk while the engine reads what came.
 * Throws if the file is not `file.size` bytes long.
 */
async function copyFile(engine, file, ptr, onBytes) {
  const size = file.size;
  const changed = () => new Error('the file changed while it was read');
  let reader = null;
  try {
    reader = file.stream().getReader({ mode: 'byob' });
  } catch {
    // Not a byte stream in this browser: slices, each read in one go.
    let next = size > 0 ? file.slice(0, Math.min(size, READ_SLICE)).arrayBuffer() : null;
    for (let offset = 0; offset < size;) {
      const bytes = new Uint8Array(await next);
      const end = Math.min(size, offset + READ_SLICE);
      if (bytes.length !== end - offset) throw changed();
      engine.write(ptr, offset, bytes);
      offset = end;
      next = offset < size ? file.slice(offset, Math.min(size, offset + READ_SLICE)).arrayBuffer() : null;
      if (!onBytes(offset)) {
        if (next) next.catch(() => {}); // not wanted any more
        return;
      }
    }
    if (size === 0) onBytes(0);
    return;
  }
  const readFailed = () => {
    // Chromium's stream fails with a bare TypeError "network error",
    // e.g. for a file changed or removed on disk after it was chosen.
    throw new Error('it could not be read from disk (changed, moved or deleted since it was chosen?)');
  };
  let pending = null;
  try {
    let offset = 0;
    pending = reader.read(new Uint8Array(new ArrayBuffer(READ_CHUNK))).catch(readFailed);
    for (;;) {
      const { done, value } = await pending;
      if (done) break;
      if (offset + value.length > size) throw changed();
      engine.write(ptr, offset, value);
      offset += value.length;
      // read() took the buffer over and gave it back as value's; it is free
      // again now that the bytes are in wasm memory.
      pending = reader.read(new Uint8Array(value.buffer)).catch(readFailed);
      if (!onBytes(offset)) {
        stop(reader, pending);
        return;
      }
    }
    if (offset !== size) throw changed();
    if (size === 0) onBytes(0);
  } catch (err) {
    stop(reader, pending);
    throw err;
  }
}

/** Stops the browser reading the rest of a file that is no longer wanted. */
function stop(reader, pending) {
  if (pending) pending.catch(() => {});
  reader.cancel().catch(() => {});
}

/** The first bytes of a file (3 at most): what the engine checks before reading it. */
async function headOf(f) {
  if (f.buffer) return new Uint8Array(f.buffer, 0, Math.min(3, f.buffer.byteLength));
  return new Uint8Array(await f.file.slice(0, 3).arrayBuffer());
}

/**
 * Reads each file into wasm memory and the engine reads it as it arrives
 * (StreamingImport): the import is done soon after the last byte is read,
 * not a whole import later. Progress is posted as it goes.
 */
async function load(engine, id, requested) {
  const files = requested.map((f) => (f.script ? importDemo(f) : f));
  const sizeOf = (f) => (f.file ? f.file.size : f.buffer.byteLength);
  const total = files.reduce((sum, f) => sum + sizeOf(f), 0);
  if (total > MAX_IMPORT_BYTES) {
    // Refused before a byte is copied: the loaded export and the page stay as they are.
    const gb = (n) => `${(n / 1024 ** 3).toFixed(1)} GB`;
    const names = files.map((f) => f.name).join(', ');
    throw new ClinicError('page.too_large', `${names}: ${gb(total)} is more than this page can open (at most ${gb(MAX_IMPORT_BYTES)})`, { file: files.length === 1 ? files[0].name : '' });
  }
  let heads;
  try {
    heads = await Promise.all(files.map(headOf));
  } catch (err) {
    throw new ClinicError('page.read_failed', `${files[0].name}: ${err && err.message ? err.message : err}`, { file: files[0].name });
  }
  const { order, buffers } = engine.beginImport(files.map((f, i) => ({ name: f.name, size: sizeOf(f), head: heads[i] })));
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
    let going = true;
    for (const i of order) {
      if (!going) break;
      const f = files[i];
      const before = loaded;
      const feed = (n) => {
        loaded = before + n;
        progress(false);
        going = engine.feedImport(i, n);
        return going;
      };
      if (f.buffer) {
        engine.write(buffers[i], 0, new Uint8Array(f.buffer));
        feed(f.buffer.byteLength);
        continue;
      }
      try {
        await copyFile(engine, f.file, buffers[i], feed);
      } catch (err) {
        throw new ClinicError('page.read_failed', `${f.name}: ${err && err.message ? err.message : err}`, { file: f.name });
      }
    }
    progress(true);
  } catch (err) {
    engine.abortImport();
    throw err;
  }
  self.postMessage({ id, type: 'progress', phase: 'importing', loaded: 0, total: 0 });
  const summary = engine.finishImport();
  // Packed (bytes + offsets): the page decodes only the names it shows.
  return { summary, entities: engine.takeEntitiesPacked() };
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
    // Report columns and entity tables are fresh copies out of wasm memory, so
    // their buffers move without a copy: cloning the entities (a few MB for
    // 200,000 patients) cost the page's main thread a copy while the first
    // report waited.
    self.postMessage({ id, type: 'result', value }, transferables(value));
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
  (err) => self.postMessage({
    type: 'fatal',
    error: errorData(err instanceof ClinicError ? err : new ClinicError('page.worker_failed', String(err && err.message ? err.message : err))),
  }),
);
