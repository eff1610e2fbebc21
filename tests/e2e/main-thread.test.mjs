// The page's main thread with a large export, in headless Chromium: from the
// file opened to the four report tables, no task of the page needs 50 ms of
// CPU and no script of the page forces a synchronous layout; a table is built
// in steps and scrolling keeps the rows already built.
//
//   node --test tests/e2e/main-thread.test.mjs
//
// Budgets are checked on the main thread's CPU time, from a Chromium trace
// (each task's thread time), not on wall time: on a busy machine a task can
// take far longer than the work in it while the thread waits for a core. The
// wall-time long tasks (PerformanceObserver) are printed as a diagnostic.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';

import { chromium } from 'playwright-core';

import { cpuMs, endTrace, outermostEvents, threadEvents } from '../../scripts/chromium-trace.mjs';
import { startServer } from '../../scripts/serve.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const engineDir = path.resolve(root, process.env.CLINIC_ENGINE_DIR || 'build-wasm');
const chromiumPath = process.env.CHROMIUM || '/usr/bin/chromium';
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--no-first-run'];

/** The budget of one task of the page, in ms of main-thread CPU time. */
const TASK_CPU_BUDGET_MS = 50;
const PATIENTS = 100000;
const VISITS_PER_PATIENT = 3;

/**
 * An export of the shape of a large clinic's: 20 divisions, 200 employees,
 * PATIENTS patients with VISITS_PER_PATIENT visits each, names of varied
 * length and script.
 */
function writeExport(file) {
  const first = ['Anna', 'Øyvind', 'Sigrid', 'Wawan', 'Chloé', 'Eulis', 'Maximilian', 'Åsmund', 'Li', 'Oscar'];
  const last = ['Berg', 'Fjellstad', 'Gunawan', 'Schmidt-Huber', 'Kvåle', 'Permana', 'Nilsen', 'O\'Neill', 'Sæther', 'Rahmat'];
  const parts = ['{"format":"clinic-export","version":1,"clinic":{"name":"Large clinic","currency":"EUR"},"divisions":['];
  parts.push(Array.from({ length: 20 }, (_, d) => `{"id":"D${d}","name":"Division ${d}"}`).join(','));
  parts.push('],"employees":[');
  parts.push(Array.from({ length: 200 }, (_, e) => `{"id":"E${e}","name":"Employee ${e}","division":"D${e % 20}"}`).join(','));
  parts.push('],"patients":[');
  const patients = [];
  for (let i = 0; i < PATIENTS; ++i) {
    patients.push(`{"id":"P${String(i).padStart(6, '0')}","name":"${first[i % 10]} ${last[(i * 7) % 10]} ${i}"}`);
  }
  parts.push(patients.join(','), '],"visits":[');
  const visits = [];
  for (let i = 0; i < PATIENTS; ++i) {
    for (let v = 0; v < VISITS_PER_PATIENT; ++v) {
      const n = i * VISITS_PER_PATIENT + v;
      const day = `2024-${String(1 + (n % 12)).padStart(2, '0')}-${String(1 + (n % 28)).padStart(2, '0')}`;
      const amount = `${(n * 37) % 20000}.${String(n % 100).padStart(2, '0')}`;
      visits.push(`{"date":"${day}","patient":"P${String(i).padStart(6, '0')}","employee":"E${n % 200}","division":"D${(n * 3) % 20}","amount":"${amount}"}`);
    }
  }
  parts.push(visits.join(','), ']}');
  fs.writeFileSync(file, parts.join(''));
}

/** Complete events of the page's main thread between two user-timing marks, outermost first. */
function mainThreadEvents(events, fromMark, toMark) {
  const from = events.find((e) => e.name === fromMark);
  const to = events.find((e) => e.name === toMark);
  assert.ok(from && to, `marks ${fromMark} and ${toMark} in the trace`);
  return threadEvents(events, from).filter((e) => e.ts + e.dur >= from.ts && e.ts <= to.ts);
}

/** Each event with the chain of events it is nested in. */
function withAncestors(events) {
  const stack = [];
  return events.map((e) => {
    while (stack.length && stack[stack.length - 1].ts + stack[stack.length - 1].dur <= e.ts) stack.pop();
    const ancestors = [...stack];
    stack.push(e);
    return { event: e, ancestors };
  });
}

const SCRIPT_EVENTS = new Set(['FunctionCall', 'EventDispatch', 'TimerFire', 'FireAnimationFrame', 'RunMicrotasks', 'EvaluateScript', 'v8.callFunction']);

describe('the main thread with a large export', () => {
  let browser;
  let page;
  let server;
  let siteUrl;
  let outDir;
  let exportFile;
  const pageErrors = [];

  before(async () => {
    outDir = fs.mkdtempSync(path.join(os.tmpdir(), 'clinic-main-thread-'));
    const build = spawnSync(process.execPath, [path.join(root, 'scripts/build-web.mjs'), '--engine-dir', engineDir, '--out', outDir], { encoding: 'utf8' });
    assert.equal(build.status, 0, build.stderr);
    exportFile = path.join(outDir, 'large-clinic.json');
    writeExport(exportFile);
    ({ server, url: siteUrl } = await startServer({ port: 0, dir: path.join(outDir, 'site'), log: () => {} }));
    browser = await chromium.launch({ executablePath: chromiumPath, headless: true, args: CHROMIUM_ARGS });
    const context = await browser.newContext({ viewport: { width: 1366, height: 900 }, locale: 'en-US', timezoneId: 'UTC' });
    await context.addInitScript(() => {
      window.longTasks = [];
      new PerformanceObserver((list) => {
        for (const e of list.getEntries()) window.longTasks.push({ start: e.startTime, duration: e.duration });
      }).observe({ type: 'longtask', buffered: true });
    });
    page = await context.newPage();
    page.on('pageerror', (e) => pageErrors.push(e.message));
    await page.goto(siteUrl);
    await page.waitForFunction(() => document.documentElement.dataset.state === 'ready' && document.documentElement.dataset.renders === '1', null, { timeout: 60000 });
  });

  after(async () => {
    if (browser) await browser.close();
    if (server) server.close();
    if (outDir) fs.rmSync(outDir, { recursive: true, force: true });
  });

  test(`from the file to the four tables, no task takes ${TASK_CPU_BUDGET_MS} ms of CPU and no script forces a layout`, async (t) => {
    const cdp = await page.context().newCDPSession(page);
    await cdp.send('Tracing.start', { categories: 'devtools.timeline,toplevel,v8.execute,blink.user_timing', transferMode: 'ReturnAsStream' });
    const before = Number(await page.evaluate(() => {
      window.longTasks.length = 0;
      performance.mark('test:open');
      return document.documentElement.dataset.renders;
    }));
    await page.setInputFiles('#file-input', exportFile);
    await page.waitForFunction((b) => Number(document.documentElement.dataset.renders) > b && document.documentElement.dataset.state === 'ready', before, { timeout: 120000 });
    // The other three tabs in turn, each as soon as the previous table is drawn,
    // clicked from inside the page (Playwright's click would measure the layout itself).
    const wall = await page.evaluate(async () => {
      const html = document.documentElement;
      const frame = () => new Promise((r) => requestAnimationFrame(() => setTimeout(r, 0)));
      await frame();
      for (const report of ['divisions', 'loyalty', 'revenue']) {
        const n = Number(html.dataset.renders);
        document.getElementById(`tab-${report}`).click();
        while (Number(html.dataset.renders) <= n || html.dataset.state !== 'ready') await new Promise((r) => setTimeout(r, 1));
        await frame();
      }
      performance.mark('test:tables');
      await new Promise((r) => setTimeout(r, 100));
      return window.longTasks.map((lt) => Math.round(lt.duration));
    });
    const events = mainThreadEvents(await endTrace(cdp), 'test:open', 'test:tables');
    await cdp.detach();

    const tasks = outermostEvents(events);
    const heaviest = [...tasks].sort((a, b) => cpuMs(b) - cpuMs(a)).slice(0, 5);
    t.diagnostic(`${tasks.length} tasks; heaviest (ms CPU / wall): ${heaviest.map((e) => `${cpuMs(e).toFixed(1)}/${(e.dur / 1000).toFixed(1)}`).join(', ')}; wall-time long tasks: [${wall.join(', ')}]`);
    assert.ok(tasks.length > 0 && tasks.some((e) => e.tdur !== undefined), 'the trace has the main thread\'s tasks with their thread time');
    for (const task of tasks) {
      if (cpuMs(task) < TASK_CPU_BUDGET_MS) continue;
      const inside = events.filter((e) => e !== task && e.ts >= task.ts && e.ts + e.dur <= task.ts + task.dur && e.dur > 2000)
        .map((e) => `${e.name} ${(e.dur / 1000).toFixed(1)}`).slice(0, 12);
      assert.fail(`a task took ${cpuMs(task).toFixed(1)} ms of CPU: ${inside.join(', ')}`);
    }

    // A layout or style recalculation inside a script is one the script forced
    // (rendering does them outside any script, once per frame).
    const forced = withAncestors(events).filter(({ event, ancestors }) => (event.name === 'Layout' || event.name === 'UpdateLayoutTree')
      && ancestors.some((a) => SCRIPT_EVENTS.has(a.name)));
    const where = forced.map(({ event, ancestors }) => {
      const call = [...ancestors].reverse().find((a) => a.args && a.args.data && a.args.data.url);
      const script = call
        ? `${call.args.data.functionName || '(anonymous)'} ${call.args.data.url.replace(/^.*\//, '')}:${call.args.data.lineNumber}`
        : [...ancestors].reverse().find((a) => SCRIPT_EVENTS.has(a.name)).name;
      return `${event.name} ${(event.dur / 1000).toFixed(1)} ms in ${script}`;
    });
    assert.deepEqual(where, [], 'no forced synchronous layout');
    assert.deepEqual(pageErrors, []);
  });

  test(`sorting ${PATIENTS} patients by id or name takes no collation on the main thread: the ranks come from their worker`, async (t) => {
    await page.evaluate(() => document.getElementById('tab-rating').click());
    await page.waitForFunction(() => JSON.parse(document.documentElement.dataset.query || '{}').report === 'rating' && document.documentElement.dataset.state === 'ready');
    // Patient ids and names (100,000 each) were ranked in the background.
    await page.waitForFunction(() => (document.documentElement.dataset.ranks || '').startsWith('ready'), null, { timeout: 60000 });
    assert.equal(await page.evaluate(() => document.documentElement.dataset.ranks), 'ready 2');
    const cdp = await page.context().newCDPSession(page);
    await cdp.send('Tracing.start', { categories: 'devtools.timeline,toplevel,v8.execute,blink.user_timing', transferMode: 'ReturnAsStream' });
    const shown = await page.evaluate(async () => {
      const frame = () => new Promise((r) => requestAnimationFrame(() => setTimeout(r, 0)));
      const headers = Array.from(document.querySelectorAll('#table-host thead th'));
      const columnOf = (name) => headers.findIndex((th) => th.textContent.replace(/[▲▼]/g, '').trim() === name);
      const header = (name) => headers[columnOf(name)].querySelector('button');
      const cells = (name) => Array.from(document.querySelectorAll('#table-host tbody tr:not(.spacer)')).slice(0, 12)
        .map((tr) => tr.children[columnOf(name)].textContent);
      performance.mark('test:sort-start');
      header('Patient ID').click();
      await frame();
      const ids = cells('Patient ID');
      header('Patient').click();
      await frame();
      const names = cells('Patient');
      performance.mark('test:sort-end');
      header('Patient').click(); // back to the report's order
      header('Patient').click();
      await frame();
      return { ids, names };
    });
    const events = mainThreadEvents(await endTrace(cdp), 'test:sort-start', 'test:sort-end');
    await cdp.detach();
    // The first rows in collated order, checked with the browser's own compare.
    const collator = new Intl.Collator('en-US', { numeric: true, sensitivity: 'base' });
    assert.deepEqual(shown.ids.slice(0, 3), ['P000000', 'P000001', 'P000002']);
    for (const list of [shown.ids, shown.names]) {
      assert.ok(list.length >= 10, `${list.length} rows shown`);
      for (let i = 1; i < list.length; ++i) assert.ok(collator.compare(list[i - 1], list[i]) <= 0, `${list[i - 1]} before ${list[i]}`);
    }
    const tasks = outermostEvents(events);
    const heaviest = Math.max(...tasks.map(cpuMs));
    t.diagnostic(`${tasks.length} tasks while sorting twice; heaviest ${heaviest.toFixed(1)} ms CPU`);
    assert.ok(heaviest < TASK_CPU_BUDGET_MS, `a task took ${heaviest.toFixed(1)} ms of CPU while sorting`);
  });

  test(`saving the rating of ${PATIENTS} patients as CSV takes no task of ${TASK_CPU_BUDGET_MS} ms of CPU, and the file is whole`, async (t) => {
    await page.evaluate(() => document.getElementById('tab-rating').click());
    await page.waitForFunction(() => JSON.parse(document.documentElement.dataset.query || '{}').report === 'rating' && document.documentElement.dataset.state === 'ready');
    const cdp = await page.context().newCDPSession(page);
    await cdp.send('Tracing.start', { categories: 'devtools.timeline,toplevel,v8.execute,blink.user_timing', transferMode: 'ReturnAsStream' });
    await page.evaluate(() => performance.mark('test:save-start'));
    const [download] = await Promise.all([
      page.waitForEvent('download', { timeout: 60000 }),
      page.evaluate(() => document.getElementById('save-button').click()),
    ]);
    const csv = fs.readFileSync(await download.path(), 'utf8');
    await page.evaluate(() => performance.mark('test:save-end'));
    const events = mainThreadEvents(await endTrace(cdp), 'test:save-start', 'test:save-end');
    await cdp.detach();
    // BOM, header, a row per patient, the totals; CRLF line ends.
    assert.ok(csv.startsWith('\uFEFFrank,patient_id,patient,'));
    const lines = csv.slice(1).split('\r\n');
    assert.equal(lines.length, PATIENTS + 3);
    assert.equal(lines.at(-1), '');
    assert.ok(lines.at(-2).startsWith(',,TOTAL,'));
    assert.deepEqual(lines.slice(1, -2).map((line) => Number(line.split(',')[0])).filter((rank, k) => rank !== k + 1), []);
    const tasks = outermostEvents(events);
    const heaviest = Math.max(...tasks.map(cpuMs));
    t.diagnostic(`${tasks.length} tasks while saving; heaviest ${heaviest.toFixed(1)} ms CPU`);
    assert.ok(heaviest < TASK_CPU_BUDGET_MS, `a task took ${heaviest.toFixed(1)} ms of CPU while saving`);
  });

  test(`printing the rating of ${PATIENTS} patients prints the first 20,000 rows and says so`, async () => {
    await page.evaluate(() => document.getElementById('tab-rating').click());
    await page.waitForFunction(() => JSON.parse(document.documentElement.dataset.query || '{}').report === 'rating' && document.documentElement.dataset.state === 'ready');
    await page.evaluate(() => window.dispatchEvent(new Event('beforeprint')));
    try {
      const printed = await page.$$eval('#table-host tbody tr:not(.spacer)', (rows) => ({
        count: rows.length,
        first: rows[0].cells[0].textContent,
        lastRank: rows.at(-2).cells[0].textContent,
        note: rows.at(-1).textContent,
      }));
      // 20,000 rows, ranks 1 to 20000 in order, then the note (numbers in the page's locale, en-US).
      assert.equal(printed.count, 20000 + 1);
      assert.equal(printed.first, '1');
      assert.equal(printed.lastRank, '20000');
      assert.equal(printed.note, `Only the first 20,000 of ${PATIENTS.toLocaleString('en-US')} rows are printed; save as CSV for all of them.`);
    } finally {
      await page.evaluate(() => window.dispatchEvent(new Event('afterprint')));
    }
  });

  test('the single file opened from disk starts the rank worker too (a blob: worker under its policy)', async () => {
    const single = await page.context().newPage();
    const errors = [];
    single.on('pageerror', (e) => errors.push(e.message));
    single.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
    await single.goto(`file://${path.join(outDir, 'clinic-report.html')}`);
    await single.waitForFunction(() => document.documentElement.dataset.renders === '1', null, { timeout: 60000 });
    await single.setInputFiles('#file-input', exportFile);
    await single.waitForFunction(() => (document.documentElement.dataset.ranks || '').startsWith('ready ') && document.documentElement.dataset.renders === '2', null, { timeout: 120000 });
    assert.equal(await single.evaluate(() => document.documentElement.dataset.ranks), 'ready 2');
    assert.deepEqual(errors, []);
    await single.close();
  });

  test('a table is built in steps, scrolling keeps the rows built, stripes stay with their rows', async () => {
    await page.evaluate(() => document.getElementById('tab-rating').click());
    await page.waitForFunction(() => JSON.parse(document.documentElement.dataset.query || '{}').report === 'rating' && document.documentElement.dataset.state === 'ready');
    const steps = await page.evaluate(async () => {
      const frame = () => new Promise((r) => requestAnimationFrame(() => setTimeout(r, 0)));
      const scroller = document.querySelector('#table-host .table-scroller');
      const rows = () => Array.from(scroller.querySelectorAll('tbody tr:not(.spacer)'));
      const index = (tr) => Number(tr.getAttribute('aria-rowindex')) - 2;
      const html = document.documentElement;
      // A fresh table, seen in the task that drew it (a mutation observer runs
      // before the task ends): the rows in view only.
      const n = Number(html.dataset.renders);
      const first = await new Promise((resolve) => {
        const observer = new MutationObserver(() => {
          if (Number(html.dataset.renders) > n) {
            observer.disconnect();
            resolve(rows().length);
          }
        });
        observer.observe(html, { attributes: true, attributeFilter: ['data-renders'] });
        document.getElementById('top').value = '50000';
        document.getElementById('top').dispatchEvent(new Event('input'));
      });
      const inView = Math.ceil(scroller.clientHeight / 32);
      // Then, once painted and idle, the rows around the view.
      for (let i = 0; i < 100 && rows().length === first; ++i) await frame();
      const later = rows().length;
      // Scroll by three rows: the rows still in view are the same elements.
      const before = new Map(rows().map((tr) => [index(tr), tr]));
      scroller.scrollTop = 3 * 32;
      await frame();
      await frame();
      const after = rows();
      const kept = after.filter((tr) => before.get(index(tr)) === tr).length;
      const stripes = after.every((tr) => tr.classList.contains('alt') === (index(tr) % 2 === 1));
      const contiguous = after.every((tr, k) => k === 0 || index(tr) === index(after[k - 1]) + 1);
      scroller.scrollTop = 0;
      document.getElementById('top').value = '';
      document.getElementById('top').dispatchEvent(new Event('input'));
      return { inView, first, later, kept, afterCount: after.length, firstAfter: index(after[0]), stripes, contiguous };
    });
    assert.ok(steps.first <= steps.inView + 1, `first paint: ${steps.first} rows for ${steps.inView} in view`);
    assert.ok(steps.later > steps.first, `then the rows around the view: ${steps.later} after ${steps.first}`);
    assert.ok(steps.kept >= steps.inView - 4, `${steps.kept} of ${steps.afterCount} rows kept while scrolling by 3`);
    assert.ok(steps.firstAfter <= 3, `row ${steps.firstAfter} is the first one built after scrolling to row 3`);
    assert.ok(steps.stripes, 'stripes by row position');
    assert.ok(steps.contiguous, 'rows in order, none missing');
    await page.waitForFunction(() => JSON.parse(document.documentElement.dataset.query).options.top === null);
  });
});
