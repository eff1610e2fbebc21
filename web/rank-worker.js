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

/** Tables with fewer strings are collated on the page when sorted: a few ms. */
export const MIN_BACKGROUND_STRINGS = 5000;

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
    const done = columns.map((packed) => new Promise((resolve) => {
      const id = this.nextId++;
      this.pending.set(id, { packed, resolve });
      // Copies of the bytes: the page keeps its own to show the names.
      worker.postMessage({ id, bytes: packed.bytes, offsets: packed.offsets });
    }));
    return Promise.all(done).then((ranked) => ranked.reduce((a, b) => a + b, 0));
  }

  /** Stops the worker and drops its work; what it was for is ranked on the page when sorted. */
  stop() {
    if (this.worker) this.worker.terminate();
    this.worker = null;
    for (const job of this.pending.values()) job.resolve(0);
    this.pending.clear();
  }
}
