#!/usr/bin/env node
// The page in headless Chromium: from a dropped JSON export to all four report
// tables rendered, and the longest main-thread task meanwhile.
//
//   node bench/page.mjs --file bench/data/demo-1000000.json [--site dist/site] [--out result.json] [--load-only]
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
//   tasks.
// --load-only: only the drop and the first table (for the 5M "does it load
// within wasm's 4 GB" check); reports whether the page showed an error.

import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { chromium } from 'playwright-core';

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

// Runs in the page before its scripts: collects long tasks.
const INIT_SCRIPT = `
  window.__benchLongTasks = [];
  try {
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) window.__benchLongTasks.push({ start: e.startTime, duration: e.duration });
    }).observe({ type: 'longtask', buffered: true });
  } catch (e) { window.__benchLongTaskError = String(e); }
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

  const t0 = performance.now();
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
    }
  }
  const end = performance.now() - t0;
  const tasks = window.__benchLongTasks.filter((t) => t.start + t.duration >= t0);
  return {
    loaded: true, firstTableDomMs: firstDom, firstTableMs: first, allTablesMs: loadOnly ? null : end, tabTimes,
    longTasks: tasks.length, longestTaskMs: tasks.reduce((m, t) => Math.max(m, t.duration), 0),
    longTaskList: tasks.map((t) => ({ startMs: t.start - t0, durationMs: t.duration })),
    longTaskError: window.__benchLongTaskError || null, caption,
  };
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
    log(`dropping ${path.basename(file)} (${(fs.statSync(file).size / 1048576).toFixed(0)} MB) on ${url}`);
    const timing = await page.evaluate(dropAndRender, { loadOnly, timeoutMs });
    result = {
      file, fileBytes: fs.statSync(file).size, url, browser, loadOnly, ...timing,
      consoleErrors: consoleErrors.slice(0, 10),
      note: 'Times from the drop event; a table counts as rendered one animation frame after the page marks it drawn (data-renders).',
    };
    if (timing.loaded) {
      log(`first table ${timing.firstTableMs.toFixed(0)} ms${timing.allTablesMs ? `, all tables ${timing.allTablesMs.toFixed(0)} ms` : ''}, longest task ${timing.longestTaskMs.toFixed(0)} ms`);
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
