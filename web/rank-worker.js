// The collated ranks of a large export's ids and names, computed in a worker
// of their own right after the export is loaded: a sort by a text column then
// needs no collation on the page's main thread. Collating the 200,000 patient
// ids of a 1M-line export took that thread half a second at the first click on
// "Patient ID"; the worker does it while the manager reads the first table.
//
// The worker runs ranksOf's own source text (web/report-table.js), so that
// both ways give the same ranks; it needs no file of its own and starts from a
// blob: URL like the engine's worker, under the page's Content-Security-Policy.

import { COLLATOR_OPTIONS, hasRanks, provideRanks, ranksOf } from './report-table.js';
import { nextTask } from './tasks.js';

/** Tables with fewer strings are collated on the page when sorted: a few ms. */
export const MIN_BACKGROUND_STRINGS = 5000;

/**
 * Bytes copied per task for the worker. The page keeps its own strings to show
 * them, so the worker gets copies; made (or cloned by postMessage) in one go,
 * they took the main thread 80-120 ms at 5M lines (942,000 patients' ids and
 * names, 27 MB: fresh memory is slow to touch on the machines measured).
 */
const COPY_PIECE = 1 << 20;

/**
 * A copy of the typed array `array`, COPY_PIECE bytes a task; null when
 * `wanted()` turns false meanwhile.
 */
export async function copyInPieces(array, wanted) {
  const copy = new array.constructor(array.length);
  const step = Math.max(1, Math.floor(COPY_PIECE / array.BYTES_PER_ELEMENT));
  for (let i = 0; i < array.length; i += step) {
    if (i > 0) await nextTask();
    if (!wanted()) return null;
    copy.set(array.subarray(i, Math.min(array.length, i + step)), i);
  }
  return copy;
}

/** The worker's code: decode the strings, rank them, hand the ranks back. */
export function rankWorkerSource() {
  return `'use strict';
const collator = new Intl.Collator(undefined, ${JSON.stringify(COLLATOR_OPTIONS)});
const ranksOf = ${ranksOf.toString()};
const utf8 = new TextDecoder('utf-8');
self.onmessage = (event) => {
  const { id, bytes, offsets } = event.data;
  const strings = new Array(Math.max(0, offsets.length - 1));
  for (let i = 0; i < strings.length; ++i) strings[i] = utf8.decode(bytes.subarray(offsets[i], offsets[i + 1]));
  const ranks = ranksOf(strings, collator);
  self.postMessage({ id, ranks }, [ranks.buffer]);
};
`;
}

let workerUrl = null; // one blob for the page's life: a few hundred bytes

function startWorker() {
  if (!workerUrl) workerUrl = URL.createObjectURL(new Blob([rankWorkerSource()], { type: 'text/javascript' }));
  return new Worker(workerUrl);
}

export class RankPrecomputer {
  /** @param {() => Worker} [createWorker] */
  constructor(createWorker = startWorker) {
    this.createWorker = createWorker;
    this.worker = null;
    this.pending = new Map(); // id -> {packed, resolve}
    this.nextId = 1;
    this.generation = 0; // a call's copies stop once a newer call or stop() comes
  }

  /**
   * Ranks, in the background, the ids and names of each entity table of at
   * least MIN_BACKGROUND_STRINGS strings, handing each to provideRanks as it
   * comes. A newer call drops the work of an older one. Resolves when all are
   * in, with how many columns now have ranks; never rejects (a sort then collates on the
   * page, as without the worker).
   * @param {object} entities wrapEntities() tables
   */
  precompute(entities) {
    if (this.pending.size > 0) this.stop(); // an older export's work
    const columns = [];
    for (const table of [entities.patients, entities.employees, entities.priceLists, entities.divisions]) {
      for (const packed of [table.ids, table.names]) {
        if (packed.length >= MIN_BACKGROUND_STRINGS && !hasRanks(packed)) columns.push(packed);
      }
    }
    if (columns.length === 0) return Promise.resolve(0);
    try {
      if (!this.worker) this.worker = this.createWorker(); // kept idle for the next export
    } catch {
      return Promise.resolve(0);
    }
    const worker = this.worker;
    worker.onmessage = (event) => {
      const job = this.pending.get(event.data.id);
      if (!job) return;
      this.pending.delete(event.data.id);
      provideRanks(job.packed, event.data.ranks);
      job.resolve(hasRanks(job.packed) ? 1 : 0);
    };
    worker.onerror = (event) => {
      if (event && event.preventDefault) event.preventDefault();
      this.stop();
    };
    const generation = ++this.generation;
    const wanted = () => this.generation === generation;
    const jobs = columns.map((packed) => {
      const id = this.nextId++;
      return { id, packed, done: new Promise((resolve) => this.pending.set(id, { packed, resolve })) };
    });
    // One column after the other, each copied in pieces and then handed over
    // (transferred, not cloned).
    (async () => {
      for (const { id, packed } of jobs) {
        const bytes = await copyInPieces(packed.bytes, wanted);
        const offsets = bytes && (await copyInPieces(packed.offsets, wanted));
        if (!offsets) return; // stop() resolved the jobs
        worker.postMessage({ id, bytes, offsets }, [bytes.buffer, offsets.buffer]);
      }
    })();
    return Promise.all(jobs.map((job) => job.done)).then((ranked) => ranked.reduce((a, b) => a + b, 0));
  }

  /** Stops the worker and drops its work; what it was for is ranked on the page when sorted. */
  stop() {
    ++this.generation;
    if (this.worker) this.worker.terminate();
    this.worker = null;
    for (const job of this.pending.values()) job.resolve(0);
    this.pending.clear();
  }
}
