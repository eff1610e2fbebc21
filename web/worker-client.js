// The page's side of the engine worker: promises over postMessage, with
// failures rebuilt as ClinicError.

import { ClinicError } from './errors.js';

export class EngineClient {
  /** @param {Worker} worker */
  constructor(worker) {
    this.worker = worker;
    this.nextId = 1;
    this.pending = new Map();
    this.ready = new Promise((resolve, reject) => {
      this.readyResolve = resolve;
      this.readyReject = reject;
    });
    worker.onmessage = (event) => this.receive(event.data);
    worker.onerror = (event) => {
      event.preventDefault();
      this.failAll(new ClinicError('page.worker_failed', event.message || 'the report engine stopped'));
    };
  }

  receive(message) {
    if (message.type === 'ready') return this.readyResolve();
    if (message.type === 'fatal') return this.failAll(ClinicError.from(message.error));
    const call = this.pending.get(message.id);
    if (!call) return undefined;
    if (message.type === 'progress') return call.onProgress && call.onProgress(message);
    this.pending.delete(message.id);
    if (message.type === 'result') return call.resolve(message.value);
    return call.reject(ClinicError.from(message.error));
  }

  failAll(error) {
    this.readyReject(error);
    for (const call of this.pending.values()) call.reject(error);
    this.pending.clear();
  }

  call(message, transfer = [], onProgress = null) {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject, onProgress });
      this.worker.postMessage({ ...message, id }, transfer);
    });
  }

  /**
   * Imports files (File objects are read inside the worker, ArrayBuffers are
   * transferred, a script URL is the served folder's demo, loaded by the worker).
   * @param {({name: string, file: Blob} | {name: string, buffer: ArrayBuffer} | {name: string, script: string})[]} files
   * @returns {Promise<{summary: object, entities: object}>}
   */
  load(files, onProgress) {
    const transfer = files.filter((f) => f.buffer).map((f) => f.buffer);
    return this.call({ type: 'load', files }, transfer, onProgress);
  }

  /** Runs a report; resolves to the engine's result object. */
  report(name, options) {
    return this.call({ type: 'report', name, options });
  }
}
