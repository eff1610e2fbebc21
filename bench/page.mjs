#!/usr/bin/env node
// The page in headless Chromium: from a dropped JSON export to all four report
// tables rendered, and the longest main-thread task meanwhile.
//
//   node bench/page.mjs --file bench/data/demo-1000000.json [--site dist/site] [--out result.json] [--load-only] [--trace FILE]
//
// - serves the built page (dist/site) on 127.0.0.1 (a tiny static server);
// - Chromium from /usr/bin/chromium (or $CHROMIUM) through playwright-core,
//   headless, fresh user-data-dir;
// - waits until the page has loaded its demo (data-state="ready");
// - puts the file into a <input type=file> of its own (setInputFiles: the
//   browser reads it from disk, nothing goes through the DevTools protocol),
//   builds a DataTransfer with it and dispatches dragover + drop on the window,
//   exactly as a drop from the desktop reaches the page's handler;
// - t0 = just before the drop; "first table" = the rating table rendered
//   (the page increments <html data-renders> after drawing a table, then one
//   animation frame more so the frame is painted); then it selects the other
//   three tabs in turn, each as soon as the previous table is drawn: "all
//   tables" = the fourth table painted. All of this runs inside the page, so
//   no protocol round trip is timed;
// - long tasks: PerformanceObserver('longtask') registered before the page's
//   own scripts (an init script); the longest task between t0 and the end.
//   The import runs in the page's Web Worker, whose tasks are not main-thread
//   tasks;
// - workerMs / mainMs: the same init script notes when the page posts a load
//   or report to its worker and when it starts handling the answer. workerMs
//   = drop to the load's answer plus each report request to its answer;
//   mainMs = all tables (or first table) minus workerMs: what the main thread
//   adds (handling answers, rendering, answers that wait for a busy thread);
// --trace FILE: see startTrace below; gives each long task's causes.
// --load-only: only the drop and the first table (for the 5M "does it load
// within wasm's 4 GB" check); reports whether the page showed an error.

import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { chromium } from 'playwright-core';

import { cpuMs, endTrace, outermostEvents, threadEvents } from '../scripts/chromium-trace.mjs';

const benchDir = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(benchDir, '..');
const argv = process.argv.slice(2);
const arg = (name, fallback) => {
  const i = argv.indexOf(name);
  return i >= 0 && argv[i + 1] ? argv[i + 1] : fallback;
};
const file = path.resolve(arg('--file', path.join(benchDir, 'data/demo-1000000.json')));
const site = path.resolve(arg('--site', path.join(root, 'dist/site')));
const outFile = arg('--out', null);
const loadOnly = argv.includes('--load-only');
const traceFile = arg('--trace', null);
const timeoutMs = Number(process.env.BENCH_PAGE_TIMEOUT_MS || 600000);

const log = (...a) => console.error('[page]', ...a);

const TYPES = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8',
  '.wasm': 'application/wasm', '.json': 'application/json', '.svg': 'image/svg+xml', '.png': 'image/png',
};

function serve(dir) {
  const server = http.createServer((req, res) => {
    const url = new URL(req.url, 'http://x');
    let p = path.normalize(decodeURIComponent(url.pathname)).replace(/^(\.\.[/\\])+/, '');
    if (p.endsWith('/')) p += 'index.html';
    const f = path.join(dir, p);
    if (!f.startsWith(dir) || !fs.existsSync(f) || fs.statSync(f).isDirectory()) {
      res.writeHead(404).end('not found');
      return;
    }
    res.writeHead(200, { 'content-type': TYPES[path.extname(f)] || 'application/octet-stream', 'cache-control': 'no-store' });
    fs.createReadStream(f).pipe(res);
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

// Runs in the page before its scripts: collects long tasks, and when the page
// posts a message to its worker and starts handling one from it (the split of
// the time between the worker and the main thread).
const INIT_SCRIPT = `
  window.__benchLongTasks = [];
  window.__benchMessages = [];
  {
    const PageWorker = window.Worker;
    window.Worker = class extends PageWorker {
      constructor(...args) {
        super(...args);
        // Added before the page's own handler, so it runs first.
        this.addEventListener('message', (e) => {
          const d = e.data;
          if (d && (d.type === 'result' || d.type === 'error')) {
            window.__benchMessages.push({ dir: 'in', id: d.id, type: d.type, t: performance.now() });
            const asked = window.__benchMessages.find((m) => m.dir === 'out' && m.id === d.id);
            if (asked && asked.type === 'load') performance.mark('bench:loaded');
          }
        });
      }
      postMessage(message, transfer) {
        if (message && message.type) window.__benchMessages.push({ dir: 'out', id: message.id, type: message.type, name: message.name, t: performance.now() });
        return super.postMessage(message, transfer);
      }
    };
  }
  try {
    const record = (entries) => {
      for (const e of entries) window.__benchLongTasks.push({ start: e.startTime, duration: e.duration });
    };
    const observer = new PerformanceObserver((list) => record(list.getEntries()));
    observer.observe({ type: 'longtask', buffered: true });
    // Entries reach the callback some time after their task: the end of a
    // run takes those still pending.
    window.__benchTakeLongTasks = () => record(observer.takeRecords());
  } catch (e) { window.__benchLongTaskError = String(e); }
  // Long animation frames (over 50 ms, a long task and the rendering after it)
  // say what took the time without the cost of a trace: scripts by entry
  // point, and the rendering (style, layout, paint) at the end.
  window.__benchLongFrames = [];
  try {
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) window.__benchLongFrames.push(e.toJSON());
    }).observe({ type: 'long-animation-frame', buffered: true });
  } catch (e) { /* not in this browser: the long tasks are still counted */ }
`;

// Runs in the page: drop the file, then render every tab; resolves with timings.
async function dropAndRender({ loadOnly, timeoutMs }) {
  const html = document.documentElement;
  const renders = () => Number(html.dataset.renders || 0);
  const message = document.getElementById('message');
  const frame = () => new Promise((r) => requestAnimationFrame(() => setTimeout(r, 0)));
  const waitFor = (pred, what) => new Promise((resolve, reject) => {
    if (pred()) return resolve();
    const timer = setTimeout(() => { obs.disconnect(); reject(new Error(`timed out waiting for ${what}`)); }, timeoutMs);
    const obs = new MutationObserver(() => {
      if (pred()) { clearTimeout(timer); obs.disconnect(); resolve(); }
    });
    obs.observe(document.body, { attributes: true, subtree: true, attributeFilter: ['hidden'] });
    obs.observe(html, { attributes: true });
  });
  const failed = () => !message.hidden && document.getElementById('message-code').textContent !== '';

  const input = document.getElementById('bench-file');
  const dt = new DataTransfer();
  dt.items.add(input.files[0]);
  const before = renders();
  window.__benchLongTasks.length = 0;
  window.__benchMessages.length = 0;

  const t0 = performance.now();
  performance.mark('bench:drop');
  window.dispatchEvent(new DragEvent('dragover', { dataTransfer: dt, bubbles: true, cancelable: true }));
  window.dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }));
  // The load has started once the page leaves "ready"; then wait for its first table (or an error).
  await waitFor(() => html.dataset.state === 'loading' || failed(), 'the load to start');
  await waitFor(() => (renders() > before && html.dataset.state === 'ready') || failed(), 'the first table');
  if (failed()) {
    return { loaded: false, errorText: `${document.getElementById('message-title').textContent} ${document.getElementById('message-text').textContent} [${document.getElementById('message-code').textContent}]` };
  }
  const firstDom = performance.now() - t0;
  await frame();
  const first = performance.now() - t0;
  performance.mark('bench:rating');
  const caption = document.getElementById('report-caption').textContent;
  const tabTimes = { rating: first };
  if (!loadOnly) {
    for (const report of ['divisions', 'loyalty', 'revenue']) {
      const n = renders();
      document.getElementById(`tab-${report}`).click();
      await waitFor(() => (renders() > n && html.dataset.state === 'ready') || failed(), `the ${report} table`);
      if (failed()) return { loaded: true, errorText: document.getElementById('message-text').textContent };
      await frame();
      tabTimes[report] = performance.now() - t0;
      performance.mark(`bench:${report}`);
    }
  }
  const end = performance.now() - t0;
  performance.mark('bench:end');
  // A task that ended just now is reported after this one: wait for it, untimed.
  await new Promise((r) => setTimeout(r, 100));
  if (window.__benchTakeLongTasks) window.__benchTakeLongTasks();
  const tasks = window.__benchLongTasks.filter((t) => t.start + t.duration >= t0 && t.start <= t0 + end);
  // The worker's share of the time: from the drop to the load's answer, and
  // from each report request to its answer; the rest is the main thread's
  // (handling answers, rendering, and answers waiting for a busy main thread).
  const messages = window.__benchMessages;
  const requests = messages.filter((m) => m.dir === 'out' && (m.type === 'load' || m.type === 'report'));
  const worker = requests.map((m) => {
    const answer = messages.find((a) => a.dir === 'in' && a.id === m.id);
    const from = m.type === 'load' ? t0 : m.t;
    return { request: m.name || m.type, sentMs: m.t - t0, answeredMs: answer ? answer.t - t0 : null, ms: answer ? answer.t - from : null };
  });
  const workerMs = worker.reduce((sum, w) => sum + (w.ms || 0), 0);
  const longFrames = window.__benchLongFrames.filter((f) => f.startTime + f.duration >= t0).map((f) => ({
    startMs: f.startTime - t0,
    durationMs: f.duration,
    // Before rendering: tasks and microtasks; from renderStart: animation frame
    // callbacks, ResizeObservers, then style and layout, then paint.
    scriptMs: (f.renderStart || f.startTime + f.duration) - f.startTime,
    renderMs: f.renderStart ? f.startTime + f.duration - f.renderStart : 0,
    styleLayoutPaintMs: f.styleAndLayoutStart ? f.startTime + f.duration - f.styleAndLayoutStart : 0,
    scripts: f.scripts.map((x) => ({
      invoker: x.invoker, function: x.sourceFunctionName, source: `${(x.sourceURL || '').replace(/^.*\//, '')}:${x.sourceCharPosition}`,
      ms: x.duration, forcedLayoutMs: x.forcedStyleAndLayoutDuration,
    })),
  }));
  return {
    loaded: true, firstTableDomMs: firstDom, firstTableMs: first, allTablesMs: loadOnly ? null : end, tabTimes,
    longTasks: tasks.length, longestTaskMs: tasks.reduce((m, t) => Math.max(m, t.duration), 0),
    longTaskList: tasks.map((t) => ({ startMs: t.start - t0, durationMs: t.duration })),
    longTaskError: window.__benchLongTaskError || null, caption,
    workerMs, mainMs: (loadOnly ? first : end) - workerMs, worker, longFrames,
  };
}

// --trace FILE: a Chromium trace of the run from the drop to the fourth table
// (the DevTools performance panel's categories; FILE opens in its "Load
// profile"), a V8 CPU profile beside it (FILE.cpuprofile), and in the result,
// for each main-thread task over 50 ms, what took its time: trace self time by
// kind (script, gc, style, layout, paint, other) and the page's functions
// that ran longest in it (CPU profile samples, inclusive). Tracing and
// sampling slow the page down: a traced run's times are not comparable with
// untraced ones.
const TRACE_CATEGORIES = ['devtools.timeline', 'disabled-by-default-devtools.timeline', 'toplevel', 'v8.execute',
  'blink.user_timing'].join(',');

async function startTrace(cdp) {
  await cdp.send('Profiler.enable');
  await cdp.send('Profiler.setSamplingInterval', { interval: 1000 });
  await cdp.send('Tracing.start', { categories: TRACE_CATEGORIES, transferMode: 'ReturnAsStream' });
  await cdp.send('Profiler.start');
}

async function stopTrace(cdp) {
  const { profile } = await cdp.send('Profiler.stop');
  return { events: await endTrace(cdp), profile };
}

function kindOf(name) {
  if (/^(V8\.GC|MajorGC|MinorGC|BlinkGC|V8\.GC_)|GC/.test(name)) return 'gc';
  if (/Style|UpdateLayoutTree/.test(name)) return 'style';
  if (/Layout|Shape/.test(name)) return 'layout';
  if (/Paint|Layerize|Commit|Raster|Composit/.test(name)) return 'paint';
  if (/FunctionCall|EventDispatch|TimerFire|FireAnimationFrame|Microtask|^v8\.|^V8\.|EvaluateScript|ResizeObserver|HandlePostMessage/.test(name)) return 'script';
  return 'other';
}

/** Inclusive time of the page's own functions over [from, to] (µs), from CPU profile samples. */
function functionsIn(profile, from, to) {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map();
  for (const n of profile.nodes) for (const c of n.children || []) parent.set(c, n.id);
  const total = new Map();
  let t = profile.startTime;
  for (let i = 0; i < profile.samples.length; ++i) {
    t += profile.timeDeltas[i];
    const next = i + 1 < profile.timeDeltas.length ? profile.timeDeltas[i + 1] : 0;
    if (t < from || t > to) continue;
    const seen = new Set();
    for (let id = profile.samples[i]; id !== undefined; id = parent.get(id)) {
      const f = byId.get(id).callFrame;
      const name = f.url && f.url.endsWith('app.js') ? `${f.functionName || '(anonymous)'} app.js:${f.lineNumber + 1}`
        : (f.functionName === '(garbage collector)' ? '(garbage collector)' : null);
      if (name && !seen.has(name)) {
        seen.add(name);
        total.set(name, (total.get(name) || 0) + next);
      }
    }
  }
  return [...total.entries()].map(([fn, us]) => ({ fn, ms: Math.round(us / 100) / 10 }))
    .sort((a, b) => b.ms - a.ms).slice(0, 8);
}

/**
 * Main-thread tasks over 50 ms after the drop, each with the trace's self
 * time (an event's duration less that of the events nested in it) summed by
 * kind, and the page's functions that ran in it.
 */
function explainLongTasks({ events, profile }) {
  const drop = events.find((e) => e.name === 'bench:drop');
  const main = events.find((e) => e.name === 'thread_name' && e.args && e.args.name === 'CrRendererMain'
    && drop && e.pid === drop.pid);
  if (!main || !drop) return { longTasks: [], mainThread: null };
  const onMain = threadEvents(events, main);
  const tasks = outermostEvents(onMain);
  const endMark = events.find((e) => e.name === 'bench:end');
  const loaded = events.find((e) => e.name === 'bench:loaded');
  const cpuOf = (from, to) => tasks.filter((t) => t.ts >= from && t.ts < to).reduce((sum, t) => sum + cpuMs(t), 0);
  const stop = endMark ? endMark.ts : Infinity;
  const during = tasks.filter((task) => task.ts + task.dur >= drop.ts && task.ts <= stop);
  const mainThread = {
    // The trace sees every task (the Long Tasks API only those of 50 ms and more).
    longestTaskMs: during.reduce((m, t) => Math.max(m, t.dur), 0) / 1000,
    tasks: during.length,
    // CPU time of the main thread's tasks (thread time where the trace has it):
    // unlike wall time, not inflated when other processes take the cores.
    cpuMs: cpuOf(drop.ts, stop),
    cpuAfterLoadMs: loaded ? cpuOf(loaded.ts, stop) : null,
  };
  const long = during.filter((task) => task.dur > 50000).map((task) => {
    const inside = onMain.filter((e) => e.ts >= task.ts && e.ts + e.dur <= task.ts + task.dur);
    const stack = [];
    const childDur = new Map();
    for (const e of inside) {
      while (stack.length && stack[stack.length - 1].ts + stack[stack.length - 1].dur <= e.ts) stack.pop();
      const up = stack[stack.length - 1];
      if (up) childDur.set(up, (childDur.get(up) || 0) + e.dur);
      stack.push(e);
    }
    const kinds = { script: 0, gc: 0, style: 0, layout: 0, paint: 0, other: 0 };
    for (const e of inside) kinds[kindOf(e.name)] += Math.max(0, e.dur - (childDur.get(e) || 0)) / 1000;
    for (const k of Object.keys(kinds)) kinds[k] = Math.round(kinds[k] * 10) / 10;
    return {
      startMs: (task.ts - drop.ts) / 1000,
      durationMs: task.dur / 1000,
      // Much less than durationMs: the thread was waiting for a core, not working.
      cpuMs: task.tdur !== undefined ? task.tdur / 1000 : null,
      kinds,
      functions: profile ? functionsIn(profile, task.ts, task.ts + task.dur) : [],
    };
  });
  return { longTasks: long, mainThread };
}

async function main() {
  if (!fs.existsSync(path.join(site, 'index.html'))) throw new Error(`no built page at ${site} (scripts/build.sh --wasm)`);
  if (!fs.existsSync(file)) throw new Error(`no file ${file}`);
  const server = await serve(site);
  const url = `http://127.0.0.1:${server.address().port}/`;
  const userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'clinic-bench-chromium-'));
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
      '--disable-sync', '--no-first-run'],
    viewport: { width: 1366, height: 900 },
  });
  let result;
  try {
    const browser = `Chromium ${context.browser()?.version() ?? ''}`.trim();
    const page = context.pages()[0] || (await context.newPage());
    const consoleErrors = [];
    page.on('console', (m) => { if (m.type() === 'error') consoleErrors.push(m.text()); });
    page.on('pageerror', (e) => consoleErrors.push(String(e)));
    await page.addInitScript(INIT_SCRIPT);
    await page.goto(url);
    // The page loads its demo at start: wait for it, so the drop replaces a loaded export as a user's would.
    await page.waitForFunction(() => document.documentElement.dataset.state === 'ready' && Number(document.documentElement.dataset.renders || 0) >= 1, null, { timeout: 60000 });
    await page.evaluate(() => {
      const input = document.createElement('input');
      input.type = 'file';
      input.id = 'bench-file';
      input.hidden = true;
      document.body.append(input);
    });
    await page.setInputFiles('#bench-file', file);
    const cdp = traceFile ? await context.newCDPSession(page) : null;
    if (cdp) await startTrace(cdp);
    log(`dropping ${path.basename(file)} (${(fs.statSync(file).size / 1048576).toFixed(0)} MB) on ${url}`);
    const timing = await page.evaluate(dropAndRender, { loadOnly, timeoutMs });
    if (cdp) {
      const trace = await stopTrace(cdp);
      fs.writeFileSync(traceFile, JSON.stringify({ traceEvents: trace.events }));
      fs.writeFileSync(`${traceFile}.cpuprofile`, JSON.stringify(trace.profile));
      const explained = explainLongTasks(trace);
      timing.longTaskCauses = explained.longTasks;
      timing.mainThreadCpu = explained.mainThread;
      for (const t of timing.longTaskCauses) {
        const kinds = Object.entries(t.kinds).filter(([, ms]) => ms >= 1).map(([k, ms]) => `${k} ${ms.toFixed(0)}`).join(', ');
        const cpu = t.cpuMs === null ? '' : ` (${t.cpuMs.toFixed(0)} ms CPU)`;
        log(`task at ${t.startMs.toFixed(0)} ms, ${t.durationMs.toFixed(0)} ms${cpu}: ${kinds}; ${t.functions.slice(0, 4).map((f) => `${f.fn} ${f.ms}`).join(', ')}`);
      }
      if (explained.mainThread) log(`longest main-thread task in the trace ${explained.mainThread.longestTaskMs.toFixed(1)} ms of ${explained.mainThread.tasks}; main thread CPU ${explained.mainThread.cpuMs.toFixed(0)} ms from the drop, ${(explained.mainThread.cpuAfterLoadMs || 0).toFixed(0)} ms after the load's answer`);
    }
    result = {
      file, fileBytes: fs.statSync(file).size, url, browser, loadOnly, ...timing,
      consoleErrors: consoleErrors.slice(0, 10),
      note: 'Times from the drop event; a table counts as rendered one animation frame after the page marks it drawn (data-renders).',
    };
    if (timing.loaded) {
      log(`first table ${timing.firstTableMs.toFixed(0)} ms${timing.allTablesMs ? `, all tables ${timing.allTablesMs.toFixed(0)} ms` : ''} (worker ${timing.workerMs.toFixed(0)}, main thread ${timing.mainMs.toFixed(0)}), longest task ${timing.longestTaskMs.toFixed(0)} ms, ${timing.longTasks} over 50 ms`);
    } else {
      log(`the page did not load the file: ${timing.errorText}`);
    }
  } finally {
    await context.close();
    server.close();
    fs.rmSync(userDataDir, { recursive: true, force: true });
  }
  const text = `${JSON.stringify(result, null, 2)}\n`;
  if (outFile) fs.writeFileSync(outFile, text);
  else process.stdout.write(text);
}

main().catch((err) => {
  console.error(`page.mjs: ${err.stack || err}`);
  process.exit(1);
});
