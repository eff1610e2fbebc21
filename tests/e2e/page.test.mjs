// The page in a real browser: Debian's Chromium, headless, driven by
// playwright-core, against the served folder (dist/site on a loopback server
// started here) and the single file (dist/clinic-report.html over file://).
//
//   node scripts/build-web.mjs && node --test tests/e2e/
//
// Environment: CLINIC_ENGINE_DIR (default build-wasm) for the build,
// CLINIC_REPORT (default build/clinic-report) for the numbers to compare
// against, CHROMIUM (default /usr/bin/chromium). Screenshots go to
// test-artifacts/.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath, pathToFileURL } from 'node:url';

import { chromium } from 'playwright-core';

import { startServer } from '../../scripts/serve.mjs';
import { cli, cliCsv } from '../helpers.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const haveCli = fs.existsSync(cli);
const chromiumPath = process.env.CHROMIUM || '/usr/bin/chromium';
const artifacts = path.join(root, 'test-artifacts');
const demoPath = fs.existsSync(path.join(root, 'web/demo/clinic-demo.json'))
  ? path.join(root, 'web/demo/clinic-demo.json')
  : path.join(root, 'tests/fixtures/example-export.json');
const fixtureJson = path.join(root, 'tests/fixtures/example-export.json');
const fixtureCsv = fs.readdirSync(path.join(root, 'tests/fixtures/example-csv'))
  .filter((f) => f.endsWith('.csv')).sort().map((f) => path.join(root, 'tests/fixtures/example-csv', f));

const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--no-first-run'];

const TABS = [
  { report: 'rating', label: 'Customer rating' },
  { report: 'divisions', label: 'Division rating' },
  { report: 'loyalty', label: 'Customer loyalty' },
  { report: 'revenue', label: 'Employee revenue' },
];

// ---------------------------------------------------------------------------
// Helpers.

/** RFC 4180 parser: rows of cells. */
function parseCsv(text) {
  const rows = [];
  let row = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; ++i) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        cell += '"';
        i += 1;
      } else if (c === '"') {
        quoted = false;
      } else {
        cell += c;
      }
    } else if (c === '"') {
      quoted = true;
    } else if (c === ',') {
      row.push(cell);
      cell = '';
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i += 1;
      row.push(cell);
      rows.push(row);
      row = [];
      cell = '';
    } else {
      cell += c;
    }
  }
  if (cell !== '' || row.length) rows.push([...row, cell]);
  return rows;
}

/** The page's state flag, set by web/app.js. */
async function waitReady(page) {
  await page.waitForFunction(() => ['ready', 'error'].includes(document.documentElement.dataset.state), null, { timeout: 60000 });
}

/** Waits until the table shows `report` with options including `expected`. */
async function waitForQuery(page, report, expected = {}) {
  await page.waitForFunction(([r, e]) => {
    const html = document.documentElement;
    if (html.dataset.state !== 'ready' || !html.dataset.query) return false;
    const q = JSON.parse(html.dataset.query);
    return q.report === r && Object.entries(e).every(([k, v]) => q.options[k] === v);
  }, [report, expected], { timeout: 30000 });
  return JSON.parse(await page.evaluate(() => document.documentElement.dataset.query)).options;
}

async function downloadCsv(page) {
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('#save-button')]);
  return fs.readFileSync(await download.path(), 'utf8');
}

/**
 * The saved CSV equals the CLI's for the same export and options: same cells
 * (text cells may carry the anti-formula apostrophe), plus the Excel framing.
 */
async function expectSameAsCli(page, report, options, files) {
  const saved = await downloadCsv(page);
  assert.ok(saved.startsWith('\uFEFF'), 'CSV starts with a BOM');
  assert.ok(!/[^\r]\n/.test(saved.slice(1)), 'CSV lines end with CRLF');
  const got = parseCsv(saved.slice(1));
  const want = parseCsv(cliCsv(report, options, files));
  if (report === 'rating') {
    assert.equal(got.at(-1)[2], 'TOTAL');
    got.pop(); // the page adds a totals row the CLI's rating does not have
  }
  assert.equal(got.length, want.length, `${report} ${JSON.stringify(options)}: row count`);
  for (let r = 0; r < want.length; ++r) {
    for (let c = 0; c < want[r].length; ++c) {
      const w = want[r][c];
      const expected = /^[=+\-@\t\r]/.test(w) && !/^-?\d+(\.\d+)?$/.test(w) ? `'${w}` : w;
      if (got[r][c] !== expected) {
        assert.fail(`${report} ${JSON.stringify(options)}: row ${r + 1} column ${c + 1} (${want[0][c]}): page ${JSON.stringify(got[r][c])}, CLI ${JSON.stringify(w)}`);
      }
    }
  }
  return want;
}

/** Numbers from the visible table: the first rows and the totals row, as the page shows them. */
async function visibleCells(page) {
  return page.evaluate(() => {
    const text = (cells) => Array.from(cells, (c) => c.textContent);
    const rows = Array.from(document.querySelectorAll('#table-host tbody tr:not(.spacer)')).slice(0, 10).map((tr) => text(tr.cells));
    const total = document.querySelector('#table-host tfoot tr');
    return { rows, total: total ? text(total.cells) : null };
  });
}

/** "NOK 1,234.50", "−12.00 kr", "44.6%" → 1234.5 / -12 / 44.6 (en-US locale). */
function shownNumber(text) {
  const negative = /[-−]/.test(text);
  const digits = text.replace(/[^0-9.]/g, '');
  return digits === '' ? null : (negative ? -1 : 1) * Number(digits);
}

/** The visible cells agree with the CLI's rows (numbers by value, text exactly). */
function expectVisibleMatches(visible, want) {
  const header = want[0];
  visible.rows.forEach((cells, r) => {
    const expected = want[r + 1];
    if (!expected || cells.length !== header.length) return;
    header.forEach((h, c) => {
      const w = expected[c];
      const numeric = w !== '' && /^-?\d+(\.\d+)?$/.test(w) && !/_id$/.test(h);
      if (numeric) assert.equal(shownNumber(cells[c]), Number(w), `${h} row ${r + 1}: ${cells[c]} vs ${w}`);
      else assert.equal(cells[c], w, `${h} row ${r + 1}`);
    });
  });
}

async function selectTab(page, report) {
  await page.click(`#tab-${report}`);
  return waitForQuery(page, report);
}

// ---------------------------------------------------------------------------

let context;
let server;
let siteUrl;
let profileDir;
const requests = [];
const serverLog = [];  // every request the server received

before(async () => {
  const build = spawnSync(process.execPath, [path.join(root, 'scripts/build-web.mjs')], { encoding: 'utf8' });
  assert.equal(build.status, 0, build.stderr);
  fs.mkdirSync(artifacts, { recursive: true });
  ({ server, url: siteUrl } = await startServer({ port: 0, log: (line) => serverLog.push(line) }));
  profileDir = fs.mkdtempSync(path.join(os.tmpdir(), 'clinic-e2e-profile-'));
  context = await chromium.launchPersistentContext(profileDir, {
    executablePath: chromiumPath,
    headless: true,
    args: CHROMIUM_ARGS,
    viewport: { width: 1366, height: 820 },
    locale: 'en-US',
    timezoneId: 'Europe/Oslo',
    acceptDownloads: true,
  });
  context.on('request', (r) => requests.push(r.url()));
  // Record every CSP violation the page sees.
  await context.addInitScript(() => {
    window.cspViolations = [];
    document.addEventListener('securitypolicyviolation', (e) => {
      window.cspViolations.push(`${e.violatedDirective} ${e.blockedURI}`);
    });
  });
});

after(async () => {
  if (context) await context.close();
  if (server) server.close();
  if (profileDir) fs.rmSync(profileDir, { recursive: true, force: true });
});

for (const variant of ['site', 'single']) {
  describe(`the ${variant === 'site' ? 'served folder' : 'single file'}`, () => {
    let page;
    let origin;
    let requestsAtReady;
    const pageErrors = [];

    before(async () => {
      page = await context.newPage();
      page.on('pageerror', (e) => pageErrors.push(e.message));
      const url = variant === 'site' ? siteUrl : pathToFileURL(path.join(root, 'dist/clinic-report.html')).href;
      origin = variant === 'site' ? siteUrl : url;
      requests.length = 0;
      await page.goto(url);
      await waitForQuery(page, 'rating');
      requestsAtReady = requests.length;
    });

    after(async () => {
      if (page) await page.close();
    });

    test('opens on the demo with every tab, no CSP violation', async () => {
      assert.deepEqual(await page.evaluate(() => window.cspViolations), []);
      assert.match(await page.textContent('#summary-line'), new RegExp(path.basename(demoPath).replace('.', '\\.')));
      assert.equal(await page.inputValue('#period'), 'all');
      for (const { report, label } of TABS) {
        await selectTab(page, report);
        assert.equal(await page.getAttribute(`#tab-${report}`, 'aria-selected'), 'true');
        assert.equal(await page.textContent('#report-title'), label);
        const want = haveCli ? await expectSameAsCli(page, report, {}, [demoPath]) : null;
        if (want) expectVisibleMatches(await visibleCells(page), want);
        await page.screenshot({ path: path.join(artifacts, `${variant}-${report}.png`) });
      }
      assert.deepEqual(pageErrors, []);
    });

    test('tabs are a tablist with arrow keys', async () => {
      await selectTab(page, 'rating');
      await page.focus('#tab-rating');
      await page.keyboard.press('ArrowRight');
      await waitForQuery(page, 'divisions');
      assert.equal(await page.evaluate(() => document.activeElement.id), 'tab-divisions');
      await page.keyboard.press('End');
      await waitForQuery(page, 'revenue');
      await page.keyboard.press('ArrowRight');
      await waitForQuery(page, 'rating');
      assert.equal(await page.getAttribute('#tab-rating', 'tabindex'), '0');
      assert.equal(await page.getAttribute('#tab-loyalty', 'tabindex'), '-1');
    });

    test('period and options update the table and match the CLI', { skip: !haveCli && 'no CLI' }, async () => {
      const files = [demoPath];
      // Custom dates.
      await selectTab(page, 'rating');
      await page.fill('#from', '2024-04-01');
      await page.fill('#to', '2024-09-30');
      assert.equal(await page.inputValue('#period'), 'custom');
      let options = await waitForQuery(page, 'rating', { from: '2024-04-01', to: '2024-09-30' });
      expectVisibleMatches(await visibleCells(page), await expectSameAsCli(page, 'rating', options, files));
      await page.fill('#top', '25');
      options = await waitForQuery(page, 'rating', { top: 25 });
      await expectSameAsCli(page, 'rating', options, files);
      await page.screenshot({ path: path.join(artifacts, `${variant}-rating-options.png`) });

      // The cross report with a division, then every division.
      await selectTab(page, 'divisions');
      const division = await page.evaluate(() => document.querySelector('#division').options[1].value);
      await page.selectOption('#division', division);
      options = await waitForQuery(page, 'divisions', { division });
      await expectSameAsCli(page, 'divisions', options, files);
      await page.selectOption('#division', '');
      await page.check('#all-divisions');
      options = await waitForQuery(page, 'divisions', { division: '', allDivisions: true });
      await expectSameAsCli(page, 'divisions', options, files);

      // Loyalty with a return window, per employee.
      await selectTab(page, 'loyalty');
      await page.fill('#return-window', '90');
      options = await waitForQuery(page, 'loyalty', { returnWindow: 90 });
      await expectSameAsCli(page, 'loyalty', options, files);
      await page.check('#new-per-employee');
      options = await waitForQuery(page, 'loyalty', { returnWindow: 90, newPerEmployee: true });
      expectVisibleMatches(await visibleCells(page), await expectSameAsCli(page, 'loyalty', options, files));

      // Revenue for one employee, with a preset period.
      await selectTab(page, 'revenue');
      const employee = await page.evaluate(() => document.querySelector('#employee').options[2].value);
      await page.selectOption('#employee', employee);
      await page.selectOption('#period', 'last-year');
      const year = new Date().getFullYear() - 1;
      options = await waitForQuery(page, 'revenue', { employee, from: `${year}-01-01`, to: `${year}-12-31` });
      await expectSameAsCli(page, 'revenue', options, files);
      await page.selectOption('#period', 'this-month');
      const now = new Date();
      const month = `${now.getFullYear()}-${String(now.getMonth() + 1).padStart(2, '0')}`;
      options = await waitForQuery(page, 'revenue', { from: `${month}-01` });
      assert.ok(options.to.startsWith(month));
      await expectSameAsCli(page, 'revenue', options, files);

      // Back to everything.
      await page.selectOption('#employee', '');
      await page.selectOption('#period', 'all');
      await waitForQuery(page, 'revenue', { from: '', to: '', employee: '' });
      // Options of other tabs (hidden here) are read when their tab is shown.
      await page.evaluate(() => {
        for (const id of ['top', 'return-window']) document.getElementById(id).value = '';
        for (const id of ['new-per-employee', 'all-divisions']) document.getElementById(id).checked = false;
      });
    });

    test('a bad option is explained and the page recovers', async () => {
      await selectTab(page, 'rating');
      await page.fill('#from', '2025-06-01');
      await page.fill('#to', '2025-01-01');
      await page.waitForSelector('#message:not([hidden])');
      assert.match(await page.textContent('#message-hint'), /ends before it starts/);
      assert.equal(await page.textContent('#message-code'), 'options.bad_period');
      await page.fill('#to', '2025-12-31');
      await waitForQuery(page, 'rating', { from: '2025-06-01', to: '2025-12-31' });
      assert.equal(await page.isHidden('#message'), true);
      await page.selectOption('#period', 'all');
      await waitForQuery(page, 'rating', { from: '', to: '' });
    });

    test('sorting by any column, shown with aria-sort', async () => {
      await selectTab(page, 'rating');
      const column = (label) => page.locator(`#table-host thead th:has(.label:text-is("${label}"))`);
      const header = column('Amount');
      assert.equal(await header.getAttribute('aria-sort'), 'none');
      await header.locator('button').click();
      assert.equal(await header.getAttribute('aria-sort'), 'descending');
      await header.locator('button').click();
      assert.equal(await header.getAttribute('aria-sort'), 'ascending');
      const amounts = await page.$$eval('#table-host tbody tr:not(.spacer)', (rows) => rows.slice(0, 5).map((r) => r.cells[6].textContent));
      const values = amounts.map(shownNumber);
      assert.deepEqual(values, [...values].sort((a, b) => a - b));
      const patient = column('Patient');
      await patient.locator('button').click();
      assert.equal(await patient.getAttribute('aria-sort'), 'ascending');
      assert.equal(await header.getAttribute('aria-sort'), 'none');
      await page.screenshot({ path: path.join(artifacts, `${variant}-sorted.png`) });
      await patient.locator('button').click();
      await patient.locator('button').click(); // back to the report's order
      assert.equal(await patient.getAttribute('aria-sort'), 'none');
    });

    test('a malformed file is explained in words, then a good one loads', async () => {
      await page.setInputFiles('#file-input', {
        name: 'broken.json',
        mimeType: 'application/json',
        buffer: Buffer.from('{"format": "clinic-export",\n "version": 1,\n "visits": [}'),
      });
      await page.waitForSelector('#message:not([hidden])');
      await waitReady(page);
      assert.equal(await page.textContent('#message-title'), 'This export could not be opened.');
      assert.match(await page.textContent('#message-hint'), /damaged or incomplete.*still shown/);
      assert.match(await page.textContent('#message-text'), /^broken\.json, line 3, column 13/);
      assert.equal(await page.textContent('#message-code'), 'json.syntax');
      await page.screenshot({ path: path.join(artifacts, `${variant}-error.png`) });
      // The demo is still there and usable.
      await selectTab(page, 'revenue');
      assert.match(await page.textContent('#summary-line'), new RegExp(path.basename(demoPath).replace('.', '\\.')));

      // CSV files without visits.csv.
      await page.setInputFiles('#file-input', fixtureCsv.filter((f) => !f.endsWith('visits.csv')));
      await page.waitForFunction(() => document.querySelector('#message-code').textContent === 'csv.no_visits');

      // Now a good JSON export.
      await page.setInputFiles('#file-input', fixtureJson);
      await page.waitForFunction(() => document.querySelector('#summary-line').textContent.includes('example-export.json'));
      await waitForQuery(page, 'revenue');
      assert.equal(await page.isHidden('#message'), true);
      assert.equal(await page.textContent('#clinic-name'), 'Riverside Family Clinic');
      if (haveCli) await expectSameAsCli(page, 'revenue', await waitForQuery(page, 'revenue'), [fixtureJson]);

      // And the CSV files of one export, all at once.
      await page.setInputFiles('#file-input', fixtureCsv);
      await page.waitForFunction(() => document.querySelector('#summary-line').textContent.includes('visits.csv'));
      await waitForQuery(page, 'revenue');
      if (haveCli) {
        for (const { report } of TABS) {
          await expectSameAsCli(page, report, await selectTab(page, report), fixtureCsv);
        }
      }
    });

    test('files dropped on the page are loaded', async () => {
      await page.evaluate((text) => {
        const dt = new DataTransfer();
        dt.items.add(new File([text], 'dropped.json', { type: 'application/json' }));
        window.dispatchEvent(new DragEvent('dragover', { dataTransfer: dt, bubbles: true, cancelable: true }));
        window.dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }));
      }, fs.readFileSync(fixtureJson, 'utf8'));
      await page.waitForFunction(() => document.querySelector('#summary-line').textContent.includes('dropped.json'));
      assert.equal(await page.isHidden('#drop-overlay'), true);
    });

    test('files chosen while an export loads are opened after it, not dropped', async () => {
      // Two choices in one task: the change handler starts the first import at
      // once, so the second comes while it is loading, as a second drop or
      // choice does while a large export is read.
      const states = await page.evaluate((text) => {
        const input = document.getElementById('file-input');
        const choose = (name) => {
          const dt = new DataTransfer();
          dt.items.add(new File([text], name, { type: 'application/json' }));
          input.files = dt.files;
          input.dispatchEvent(new Event('change'));
          return document.documentElement.dataset.state;
        };
        return [choose('first-choice.json'), choose('second-choice.json')];
      }, fs.readFileSync(fixtureJson, 'utf8'));
      assert.deepEqual(states, ['loading', 'loading']);
      await page.waitForFunction(() => document.querySelector('#summary-line').textContent.includes('second-choice.json')
        && document.documentElement.dataset.state === 'ready', null, { timeout: 60000 });
      assert.equal(await page.isHidden('#message'), true);
      assert.equal(await page.textContent('#clinic-name'), 'Riverside Family Clinic');
    });

    test('a hostile patient name is shown as text, and neutralised in the CSV', async () => {
      const hostile = '<img src=x onerror="window.pwned=1">';
      const exportText = JSON.stringify({
        format: 'clinic-export',
        version: 1,
        clinic: { name: '<b>Evil</b> clinic', currency: 'EUR' },
        patients: [{ id: 'H1', name: hostile }, { id: 'H2', name: '=HYPERLINK("http://example.invalid","click")' }],
        employees: [{ id: 'E1', name: '<script>window.pwned=2</script>' }],
        visits: [
          { date: '2024-05-01', patient: 'H1', employee: 'E1', amount: '100.00' },
          { date: '2024-05-02', patient: 'H2', employee: 'E1', amount: '-20.00' },
        ],
      });
      await page.setInputFiles('#file-input', { name: 'hostile.json', mimeType: 'application/json', buffer: Buffer.from(exportText) });
      await page.waitForFunction(() => document.querySelector('#summary-line').textContent.includes('hostile.json'));
      await selectTab(page, 'rating');
      const names = await page.$$eval('#table-host tbody th', (cells) => cells.map((c) => c.textContent));
      assert.deepEqual(names, [hostile, '=HYPERLINK("http://example.invalid","click")']);
      assert.equal(await page.textContent('#clinic-name'), '<b>Evil</b> clinic');
      assert.equal(await page.evaluate(() => document.querySelectorAll('#table-host img, #clinic-name b, main script').length), 0);
      assert.equal(await page.evaluate(() => window.pwned), undefined);
      // A negative amount is red with a minus sign.
      const negative = await page.$eval('#table-host tbody td.negative', (td) => ({ text: td.textContent, color: getComputedStyle(td).color }));
      assert.match(negative.text, /^[-−]/);
      assert.equal(negative.color, 'rgb(179, 38, 30)');
      const csv = await downloadCsv(page);
      assert.ok(csv.includes(`"'=HYPERLINK(""http://example.invalid"",""click"")"`), csv);
      assert.ok(csv.includes(',-20.00,'), 'amounts stay plain numbers');
      await selectTab(page, 'revenue');
      assert.equal(await page.evaluate(() => window.pwned), undefined);
      await page.screenshot({ path: path.join(artifacts, `${variant}-hostile.png`) });
    });

    test('nothing leaves the page and nothing is stored', async () => {
      const blocked = await page.evaluate(async () => {
        try {
          await fetch('http://127.0.0.1:1/');
          return false;
        } catch {
          return true;
        }
      });
      assert.equal(blocked, true, 'fetch to another origin is blocked by the CSP');
      const violations = await page.evaluate(() => window.cspViolations);
      assert.deepEqual(violations, ['connect-src http://127.0.0.1:1/']);
      // Requests while loading: only the page's own files.
      const local = (u) => u.startsWith(origin) || u.startsWith('blob:') || u.startsWith('data:')
        || (variant === 'site' && u.startsWith(siteUrl));
      const foreign = requests.filter((u) => !local(u));
      assert.deepEqual(foreign, [], 'no request leaves the page');
      // After it was ready, nothing but blob: downloads.
      const late = requests.slice(requestsAtReady).filter((u) => !u.startsWith('blob:') && !u.startsWith('data:'));
      assert.deepEqual(late, [], 'no network request after the page was ready');
      const stored = await page.evaluate(async () => ({
        local: localStorage.length,
        session: sessionStorage.length,
        idb: indexedDB.databases ? (await indexedDB.databases()).length : 0,
        caches: typeof caches !== 'undefined' ? (await caches.keys()).length : 0,
      }));
      assert.deepEqual(stored, { local: 0, session: 0, idb: 0, caches: 0 });
      assert.deepEqual(pageErrors, []);
    });

    test('the workers (engine, ranks) are under the page\'s CSP and cannot connect anywhere', async () => {
      // Made from blob: URLs, the workers inherit the page's <meta> policy (one
      // loaded from a URL would take its policy from the HTTP response instead).
      // The URLs tried are served (another origin, and the page's own for the
      // served folder), so only the policy can stop them.
      const other = siteUrl.replace('127.0.0.1', 'localhost');
      const workers = page.workers();
      // The rank worker was started by the large export loaded above.
      assert.equal(workers.length, 2, 'the engine worker and the rank worker are running');
      for (const [k, worker] of workers.entries()) {
        assert.match(worker.url(), /^blob:/);
        await checkBlocked(worker, other, `?${variant}-worker${k}-`);
      }
      assert.deepEqual(pageErrors, []);
    });

    async function checkBlocked(worker, other, tag) {
      const outcome = await worker.evaluate(async ([otherOrigin, ownOrigin, t]) => {
        const tryIt = async (send) => {
          try {
            await send();
            return 'sent';
          } catch {
            return 'blocked';
          }
        };
        return {
          fetch: await tryIt(() => fetch(`${otherOrigin}${t}fetch`, { mode: 'no-cors' })),
          // A script URL is a request too (data in its query): script-src stops it.
          importScripts: await tryIt(async () => importScripts(`${otherOrigin}${t}import`)),
          // connect-src 'none' also covers the page's own origin (a file:// page has none).
          fetchOwnOrigin: ownOrigin ? await tryIt(() => fetch(`${ownOrigin}${t}own`)) : 'blocked',
        };
      }, [`${other}style.css`, variant === 'site' ? `${siteUrl}style.css` : null, tag]);
      assert.deepEqual(outcome, { fetch: 'blocked', importScripts: 'blocked', fetchOwnOrigin: 'blocked' });
      assert.deepEqual(serverLog.filter((line) => line.includes(tag)), [], 'no request reached the server');
    }

    test('prints the current table without the controls', async () => {
      await page.click('#demo-button');
      await page.waitForFunction(() => !document.querySelector('#summary-line').textContent.includes('hostile.json'));
      await selectTab(page, 'divisions');
      await page.evaluate(() => window.dispatchEvent(new Event('beforeprint')));
      await page.emulateMedia({ media: 'print' });
      assert.equal(await page.isVisible('#options'), false);
      assert.equal(await page.isVisible('#tabs'), false);
      const rows = await page.$$eval('#table-host tbody tr:not(.spacer)', (r) => r.length);
      const total = Number(await page.getAttribute('#table-host .table-scroller', 'data-rows'));
      assert.ok(rows >= Math.min(total, 20000), `${rows} of ${total} rows printed`);
      await page.screenshot({ path: path.join(artifacts, `${variant}-print.png`) });
      await page.emulateMedia({ media: 'screen' });
      await page.evaluate(() => window.dispatchEvent(new Event('afterprint')));
    });
  });
}

describe('a large export', () => {
  test('120,000 patients load with progress, render virtualised, sort at once', async () => {
    const n = 120000;
    const patients = [];
    const visits = [];
    for (let i = 0; i < n; ++i) {
      const id = `P${String(i).padStart(6, '0')}`;
      patients.push(`{"id":"${id}","name":"Patient ${i}"}`);
      visits.push(`{"date":"2024-${String(1 + (i % 12)).padStart(2, '0')}-${String(1 + (i % 28)).padStart(2, '0')}","patient":"${id}","employee":"E${i % 7}","division":"D${i % 5}","amount":"${(i % 9973) + 0.5}"}`);
    }
    const file = path.join(os.tmpdir(), `clinic-large-${process.pid}.json`);
    fs.writeFileSync(file, `{"format":"clinic-export","version":1,"clinic":{"name":"Large","currency":"USD"},"patients":[${patients.join(',')}],"visits":[${visits.join(',')}]}`);
    const page = await context.newPage();
    try {
      await page.goto(siteUrl);
      await waitForQuery(page, 'rating');
      const before = Number(await page.evaluate(() => document.documentElement.dataset.renders));
      await page.setInputFiles('#file-input', file);
      await page.waitForSelector('#progress:not([hidden])', { timeout: 10000 });
      await page.waitForFunction((b) => Number(document.documentElement.dataset.renders) > b && document.documentElement.dataset.state === 'ready', before, { timeout: 120000 });
      assert.equal(await page.getAttribute('#table-host .table-scroller', 'data-rows'), String(n));
      assert.ok(await page.$$eval('#table-host tbody tr', (r) => r.length) < 200, 'only the visible rows are in the DOM');
      // Scroll to the end: the last rank is rendered.
      await page.$eval('#table-host .table-scroller', (s) => { s.scrollTop = s.scrollHeight; });
      await page.waitForFunction((last) => Array.from(document.querySelectorAll('#table-host tbody tr:not(.spacer) td:first-child')).some((td) => td.textContent === String(last)), n);
      // Sorting 120k rows by a text column stays interactive.
      const ms = await page.evaluate(async () => {
        const button = Array.from(document.querySelectorAll('#table-host thead button')).find((b) => b.textContent.startsWith('Patient') && !b.textContent.includes('ID'));
        const t0 = performance.now();
        button.click();
        await new Promise((r) => requestAnimationFrame(() => r()));
        return performance.now() - t0;
      });
      assert.ok(ms < 1500, `sorting took ${ms} ms`);
      await page.screenshot({ path: path.join(artifacts, 'large-export.png') });
    } finally {
      await page.close();
      fs.rmSync(file, { force: true });
    }
  });
});
