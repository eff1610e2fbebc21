// The hostile-input corpus (tests/corpus) against the WebAssembly engine and
// the page, plus the page's limits and privacy guarantees (docs/limits.md):
//
// - under Node, every case through the Embind API gives its expected error
//   (code, file, line, column, field, value) or summary; running out of wasm
//   memory is a "too large" error that keeps the export loaded before;
// - in headless Chromium, every case loaded with the file picker shows its
//   error in words (title, the code's plain-language hint, the engine's
//   sentence naming the file and line) or its summary, and the page stays
//   usable: a tab still switches and the demo loads again;
// - a file set larger than the page can hold is refused before it is read
//   (page.too_large), and the page goes on working;
// - no request leaves the page after it loaded (but the demo, when asked
//   for), nothing is stored, and the engine worker is under the page's CSP.
//
//   node --test tests/e2e/corpus.test.mjs
//
// Environment: CLINIC_ENGINE_DIR (default build-wasm), CHROMIUM (default
// /usr/bin/chromium). The page is built into a temporary folder, so this
// file can run next to tests/e2e/page.test.mjs.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';

import { chromium } from 'playwright-core';

import { startServer } from '../../scripts/serve.mjs';
import { MAX_IMPORT_BYTES } from '../../web/engine.js';
import { ClinicError, ERROR_HINTS, hintFor } from '../../web/errors.js';
import { loadCorpus } from '../corpus/corpus.mjs';
import { engineDir, newEngine } from '../helpers.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const chromiumPath = process.env.CHROMIUM || '/usr/bin/chromium';
const cases = loadCorpus();

// The same flags as tests/e2e/page.test.mjs.
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--no-first-run'];
const TABS = ['rating', 'divisions', 'loyalty', 'revenue'];

/** "45.5000" (exact, 4 decimals) as the API's cents, rounded half away from zero. */
function cents(exact) {
  const negative = exact.startsWith('-');
  const [whole, fraction] = exact.replace('-', '').split('.');
  const units = BigInt(whole) * 10000n + BigInt(fraction);
  const rounded = (units + 50n) / 100n;
  return Number(negative ? -rounded : rounded);
}

const isError = (expect) => expect.code !== undefined;

// ---------------------------------------------------------------------------

describe('the corpus through the wasm engine (Node)', () => {
  let engine;
  before(async () => {
    engine = await newEngine();
  });

  test(`all ${cases.length} cases give exactly their expected error or summary`, () => {
    assert.ok(cases.length >= 40);
    for (const c of cases) {
      let summary = null;
      let error = null;
      try {
        summary = engine.load(c.files);
      } catch (err) {
        assert.ok(err instanceof ClinicError, `${c.name}: ${err}`);
        error = err;
      }
      if (isError(c.expect)) {
        assert.ok(error, `${c.name}: expected ${c.expect.code}, the import succeeded`);
        const { code, ...where } = c.expect;
        assert.equal(error.code, code, `${c.name}: ${error.message}`);
        assert.deepEqual({ ...error.details }, where, `${c.name}: location`);
        assert.ok(error.message.endsWith(` [${code}]`), error.message);
        assert.ok(!/[\u0000-\u001f\ufffd]/.test(error.message), `${c.name}: ${JSON.stringify(error.message)}`);
        assert.ok(Object.prototype.hasOwnProperty.call(ERROR_HINTS, code), `${code} has a hint`);
      } else {
        assert.equal(error, null, `${c.name}: ${error && error.message}`);
        const s = c.expect.summary;
        for (const key of ['format', 'files', 'divisions', 'employees', 'priceLists', 'patients', 'lines', 'completed',
          'cancelled', 'noShow', 'goodsLines', 'refundLines', 'visits', 'patientsWithLines', 'firstDay', 'lastDay', 'blankLines']) {
          assert.deepEqual(summary[key], s[key], `${c.name}: ${key}`);
        }
        for (const key of ['completedAmount', 'cancelledAmount', 'noShowAmount']) {
          assert.equal(summary[key], cents(s[key]), `${c.name}: ${key}`);
        }
        assert.deepEqual(summary.warnings.map((w) => [w.code, w.count]), s.warnings.map((w) => [w.code, w.count]), c.name);
        const rating = engine.report('rating', {});
        assert.equal(rating.total.amount, summary.completedAmount, `${c.name}: rating total`);
      }
    }
  });

  test('regression: running out of wasm memory while importing was "internal", not "too large"', () => {
    // The export loaded before must survive, and work, after the failed load.
    const fixture = path.join(root, 'tests/fixtures/example-export.json');
    const before = engine.load([{ name: 'example-export.json', bytes: fs.readFileSync(fixture) }]);
    // Take almost all of the 4 GiB: blocks the engine cannot use.
    const blocks = [];
    for (const size of [256, 64, 16, 4, 1].map((mb) => mb * 1024 * 1024)) {
      for (;;) {
        const ptr = engine.module._malloc(size) >>> 0;
        if (ptr === 0) break;
        blocks.push({ ptr, size });
      }
    }
    // Give back ~48 MB: room for the file's copy (20 MB), not for its import.
    for (let freed = 0; freed < 48 * 1024 * 1024;) {
      const block = blocks.pop();
      engine.release(block.ptr);
      freed += block.size;
    }
    try {
      // ~20 MB of one new patient per short line: an import needs ~10 bytes per byte.
      let csv = 'date,patient,amount\n';
      const rows = [];
      for (let i = 0; i < 1000000; ++i) rows.push(`2024-01-05,P${i},1`);
      csv += rows.join('\n');
      assert.throws(() => engine.load([{ name: 'visits.csv', bytes: Buffer.from(csv) }]), (err) => {
        assert.ok(err instanceof ClinicError);
        assert.ok(['input.too_large'].includes(err.code), `${err.code}: ${err.message}`);
        assert.match(err.message, /too large/);
        return true;
      });
      assert.deepEqual(engine.summary(), before, 'the export loaded before is kept');
      assert.equal(engine.report('rating', {}).total.amount, before.completedAmount);
    } finally {
      for (const block of blocks) engine.release(block.ptr);
    }
    // With the memory back, a large import works again.
    assert.equal(engine.load([{ name: 'example-export.json', bytes: fs.readFileSync(fixture) }]).lines, before.lines);
  });

  test('regression: ClinicEngine.allocate of 4 GiB or more wrapped around to a small buffer', () => {
    for (const size of [2 ** 32, 2 ** 32 + 10, 2 ** 40]) {
      assert.throws(() => engine.allocate(size), (err) => err instanceof ClinicError && err.code === 'input.too_large');
    }
    const ptr = engine.allocate(16);
    assert.ok(ptr > 0);
    engine.release(ptr);
  });

  test('the page refuses, before reading, file sets that cannot fit in wasm memory', () => {
    // An import needs about 3 bytes of wasm memory per byte of input (measured: 2.0 JSON,
    // 2.7 CSV on the demo generator's exports; docs/limits.md), within 4 GiB.
    assert.ok(MAX_IMPORT_BYTES > 1.2 * 1024 ** 3 && MAX_IMPORT_BYTES < 1.4 * 1024 ** 3, String(MAX_IMPORT_BYTES));
    assert.ok(Object.prototype.hasOwnProperty.call(ERROR_HINTS, 'page.too_large'));
    assert.match(hintFor('page.too_large'), /too large/);
  });
});

// ---------------------------------------------------------------------------

describe('the corpus in the page (Chromium)', () => {
  let browser;
  let context;
  let server;
  let siteUrl;
  let outDir;
  let page;
  let requestsAtReady = 0;
  let demoLoads = 0;  // clicks on "Demo data" after the page was ready
  const requests = [];
  const serverLog = [];  // every request the server received
  const pageErrors = [];

  before(async () => {
    outDir = fs.mkdtempSync(path.join(os.tmpdir(), 'clinic-corpus-site-'));
    const build = spawnSync(process.execPath, [path.join(root, 'scripts/build-web.mjs'), '--engine-dir', engineDir, '--out', outDir], { encoding: 'utf8' });
    assert.equal(build.status, 0, build.stderr);
    ({ server, url: siteUrl } = await startServer({ port: 0, dir: path.join(outDir, 'site'), log: (line) => serverLog.push(line) }));
    browser = await chromium.launch({ executablePath: chromiumPath, headless: true, args: CHROMIUM_ARGS });
    context = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'en-US', timezoneId: 'UTC' });
    context.on('request', (r) => requests.push(r.url()));
    await context.addInitScript(() => {
      window.cspViolations = [];
      document.addEventListener('securitypolicyviolation', (e) => window.cspViolations.push(`${e.violatedDirective} ${e.blockedURI}`));
    });
    page = await context.newPage();
    page.on('pageerror', (e) => pageErrors.push(e.message));
    await page.goto(siteUrl);
    await waitForReport(page, 'rating', 0);
    requestsAtReady = requests.length;
  });

  after(async () => {
    if (browser) await browser.close();
    if (server) server.close();
    if (outDir) fs.rmSync(outDir, { recursive: true, force: true });
  });

  /** Waits until `report` is rendered for the (renders+1)-th time or later. */
  async function waitForReport(p, report, renders) {
    await p.waitForFunction(([r, n]) => {
      const html = document.documentElement;
      return html.dataset.state === 'ready' && Number(html.dataset.renders || 0) > n
        && html.dataset.query && JSON.parse(html.dataset.query).report === r;
    }, [report, renders], { timeout: 60000 });
  }

  const renders = async () => Number(await page.evaluate(() => document.documentElement.dataset.renders || 0));

  /** The page still works: another tab renders, then the demo loads again. */
  async function stillUsable(i) {
    const tab = TABS[i % TABS.length] === (await page.evaluate(() => document.documentElement.dataset.report))
      ? TABS[(i + 1) % TABS.length] : TABS[i % TABS.length];
    let n = await renders();
    await page.click(`#tab-${tab}`);
    await waitForReport(page, tab, n);
    n = await renders();
    await page.click('#demo-button');
    demoLoads += 1;
    await page.waitForFunction(() => document.querySelector('#summary-line').textContent.includes('clinic-demo.json'));
    await waitForReport(page, tab, n);
  }

  /** Export text in every view (tabs, summary, warnings, tooltips, print) is text, never markup. */
  async function everyViewIsText(name) {
    await page.evaluate(() => { document.getElementById('summary-details').open = true; });
    for (const tab of TABS) {
      const n = await renders();
      if ((await page.evaluate(() => document.documentElement.dataset.report)) !== tab) {
        await page.click(`#tab-${tab}`);
        await waitForReport(page, tab, n);
      }
      if (tab === 'divisions') {
        await page.check('#all-divisions');
        await page.waitForFunction(() => JSON.parse(document.documentElement.dataset.query).options.allDivisions === true);
      }
      await page.evaluate(() => window.dispatchEvent(new Event('beforeprint')));
      await page.emulateMedia({ media: 'print' });
      const found = await page.evaluate(() => ({
        markup: document.querySelectorAll('body img, body svg, body iframe, body script, body a[href], body b').length,
        titles: Array.from(document.querySelectorAll('[title]'), (e) => e.title).join(' '),
        text: document.body.textContent,
        pwned: window.pwned,
      }));
      await page.emulateMedia({ media: 'screen' });
      await page.evaluate(() => window.dispatchEvent(new Event('afterprint')));
      assert.equal(found.markup, 0, `${name} ${tab}: export text became markup`);
      assert.equal(found.pwned, undefined, `${name} ${tab}: export text ran as code`);
      assert.ok(found.text.includes('<') || found.titles.includes('<'), `${name} ${tab}: the text is shown as it is`);
    }
    await page.evaluate(() => {
      document.getElementById('all-divisions').checked = false;  // read again at the next refresh
      document.getElementById('summary-details').open = false;
    });
  }

  test('every case shows its error in words, or its summary, and the page stays usable', async () => {
    for (const [i, c] of cases.entries()) {
      try {
        await checkCase(i, c);
      } catch (err) {
        // A timeout names only its selector: say which case was being read, and where the page was.
        const state = await page.evaluate(() => document.documentElement.dataset.state).catch(() => '?');
        err.message = `case ${c.name} (page state ${state}): ${err.message}`;
        throw err;
      }
    }
    assert.equal(await page.evaluate(() => window.pwned), undefined, 'no export text ran as code');
    assert.deepEqual(pageErrors, []);
    assert.deepEqual(await page.evaluate(() => window.cspViolations), []);
  });

  /** Case c (the i-th) through the file input: its error or summary, then the page still usable. */
  async function checkCase(i, c) {
    // A fresh outcome: no message shown, and the render count before the load.
    await page.evaluate(() => { document.getElementById('message').hidden = true; });
    const n = await renders();
    await page.setInputFiles('#file-input', c.files.map((f) => ({ name: f.name, mimeType: 'application/octet-stream', buffer: f.bytes })));
    if (isError(c.expect)) {
      await page.waitForSelector('#message:not([hidden])', { timeout: 60000 });
      await page.waitForFunction(() => document.documentElement.dataset.state === 'ready');
      const shown = await page.evaluate(() => ({
        title: document.getElementById('message-title').textContent,
        hint: document.getElementById('message-hint').textContent,
        text: document.getElementById('message-text').textContent,
        code: document.getElementById('message-code').textContent,
      }));
      const { code, file, line } = c.expect;
      assert.equal(shown.code, code, `${c.name}: ${shown.text}`);
      assert.equal(shown.title, 'This export could not be opened.', c.name);
      assert.ok(shown.hint.startsWith(ERROR_HINTS[code]), `${c.name}: hint ${shown.hint}`);
      assert.match(shown.hint, /still shown/, c.name);
      if (file) assert.ok(shown.text.startsWith(file), `${c.name}: ${shown.text}`);
      if (line) assert.ok(shown.text.includes(`line ${line}`), `${c.name}: ${shown.text}`);
      assert.ok(!shown.text.includes(`[${code}]`), 'the code is shown apart, not in the sentence');
      assert.ok(shown.text.length > 20 && shown.text.length < 1000, `${c.name}: ${shown.text.length}`);
      // The export loaded before (the demo) is still the one shown.
      assert.match(await page.textContent('#summary-line'), /clinic-demo\.json/, c.name);
    } else {
      const s = c.expect.summary;
      await page.waitForFunction(([names, count]) => Number(document.documentElement.dataset.renders) > count
        && document.documentElement.dataset.state === 'ready'
        && names.every((f) => document.querySelector('#summary-line').textContent.includes(f)), [s.files, n], { timeout: 60000 });
      assert.equal(await page.isHidden('#message'), true, c.name);
      const lines = await page.evaluate(() => {
        const terms = Array.from(document.querySelectorAll('#summary-list dt'));
        const dt = terms.find((t) => t.textContent === 'Visit lines');
        return dt ? dt.nextElementSibling.textContent : '';
      });
      const count = new Intl.NumberFormat('en-US').format(s.lines);
      assert.ok(lines.startsWith(`${count}: ${new Intl.NumberFormat('en-US').format(s.completed)} completed`), `${c.name}: ${lines}`);
      const badge = await page.textContent('#warning-count');
      if (s.warnings.length) assert.equal(badge, String(s.warnings.length), c.name);
    }
    if (c.name.startsWith('hostile-text')) await everyViewIsText(c.name);
    await stillUsable(i);
  }

  test('a file set too large for wasm memory is refused before it is read, and the page goes on', async () => {
    // A sparse file: its size is real, its bytes take no disk space and are never read.
    const big = path.join(os.tmpdir(), `clinic-too-large-${process.pid}`, 'export.json');
    fs.mkdirSync(path.dirname(big), { recursive: true });
    const fd = fs.openSync(big, 'w');
    fs.ftruncateSync(fd, MAX_IMPORT_BYTES + 1);
    fs.closeSync(fd);
    try {
      await page.evaluate(() => { document.getElementById('message').hidden = true; });
      await page.setInputFiles('#file-input', big);
      await page.waitForSelector('#message:not([hidden])', { timeout: 60000 });
      assert.equal(await page.textContent('#message-code'), 'page.too_large');
      assert.ok((await page.textContent('#message-hint')).startsWith(ERROR_HINTS['page.too_large']));
      assert.match(await page.textContent('#message-text'), /^export\.json: .*GB.* more than this page can open/);
      assert.match(await page.textContent('#summary-line'), /clinic-demo\.json/);
      await stillUsable(1);
    } finally {
      fs.rmSync(path.dirname(big), { recursive: true, force: true });
    }
  });

  test('no request after the page loaded, nothing stored, a CSP that forbids connections', async () => {
    // After the page was ready: only the demo script, from the page's own folder, once per click on "Demo data".
    const late = requests.slice(requestsAtReady).filter((u) => !u.startsWith('blob:') && !u.startsWith('data:'));
    assert.ok(demoLoads > 0);
    assert.deepEqual(late, Array(demoLoads).fill(`${siteUrl}demo/clinic-demo.js`), 'only the demo, when asked for');
    assert.ok(requests.every((u) => u.startsWith(siteUrl) || u.startsWith('blob:') || u.startsWith('data:')), 'no request leaves the page\'s origin');
    const csp = await page.getAttribute('meta[http-equiv="Content-Security-Policy"]', 'content');
    const directives = csp.split(';').map((d) => d.trim());
    for (const d of ["default-src 'none'", "connect-src 'none'", 'worker-src blob:']) assert.ok(directives.includes(d), `${d} in ${csp}`);
    assert.doesNotMatch(csp, /'unsafe-inline'|'unsafe-eval'/);
    const stored = await page.evaluate(async () => ({
      local: localStorage.length,
      session: sessionStorage.length,
      idb: (await indexedDB.databases()).length,
      caches: (await caches.keys()).length,
      cookies: document.cookie,
    }));
    assert.deepEqual(stored, { local: 0, session: 0, idb: 0, caches: 0, cookies: '' });
  });

  test('the workers (engine, and ranks of a large export) cannot connect to another origin either', async () => {
    // The workers are made from blob: URLs, so the page's <meta> policy covers them
    // (a worker loaded from a URL would take its policy from the HTTP response,
    // and this server sends none). Every URL tried is served: only the policy stops them.
    const other = siteUrl.replace('127.0.0.1', 'localhost');
    const workers = page.workers();
    assert.equal(workers.length, 2, 'the engine worker and the rank worker are running');
    for (const worker of workers) {
      assert.match(worker.url(), /^blob:/);
      await checkBlocked(worker, other);
    }
    assert.deepEqual(serverLog.filter((line) => line.includes('?worker-')), [], 'no request reached the server');
  });

  async function checkBlocked(worker, other) {
    const outcome = await worker.evaluate(async ([crossOrigin, sameOrigin]) => {
      const tryIt = async (send) => {
        try {
          await send();
          return 'sent';
        } catch {
          return 'blocked';
        }
      };
      return {
        fetch: await tryIt(() => fetch(`${crossOrigin}?worker-fetch`, { mode: 'no-cors' })),
        fetchOwnOrigin: await tryIt(() => fetch(`${sameOrigin}?worker-fetch-own`)),
        xhr: await tryIt(async () => {
          const xhr = new XMLHttpRequest();
          xhr.open('GET', `${crossOrigin}?worker-xhr`, false);
          xhr.send();
        }),
        // A script URL is a request too (data in its query): script-src 'self' stops it.
        importScripts: await tryIt(async () => importScripts(`${crossOrigin}?worker-import`)),
      };
    }, [`${other}style.css`, `${siteUrl}style.css`]);
    assert.deepEqual(outcome, { fetch: 'blocked', fetchOwnOrigin: 'blocked', xhr: 'blocked', importScripts: 'blocked' });
  }
});
