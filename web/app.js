// The page: loads an export (the bundled demo, a file picker, or files
// dropped on the window) into the engine worker, shows the import summary,
// and renders the four reports as tabs. Every failure goes through
// handleError. Text from an export is only ever set with textContent.
// Nothing from the export is stored in the browser.

import { ClinicError, hintFor } from './errors.js';
import { makeFormatters } from './format.js';
import { PRESETS, presetPeriod } from './periods.js';
import { RankPrecomputer } from './rank-worker.js';
import { buildTable, toExcelCsvPieces } from './report-table.js';
import { wrapEntities } from './strings.js';
import { nextTask } from './tasks.js';
import { TableView } from './table-view.js';
import { EngineClient } from './worker-client.js';

const REPORTS = {
  rating: {
    title: 'Customer rating',
    help: 'Patients by the amount they spent in the period. ABC: A are the patients who bring the first 80 % of the revenue, B the next 15 %, C the rest.',
    rowHeaderColumn: 2,
    empty: 'No completed visits in this period.',
  },
  divisions: {
    title: 'Division rating',
    help: 'What each patient spent in each division. An empty cell means no visit there; 0.00 means visits whose amounts cancel out. Totals per patient at the right, per division at the bottom.',
    rowHeaderColumn: 1,
    stickyLastColumn: true,
    empty: 'No completed visits in this period.',
  },
  loyalty: {
    title: 'Customer loyalty',
    help: 'Primary: patients whose first visit to the clinic was with this employee in the period. Returned: came back to the same employee; retention = returned ÷ primary. Returned to clinic: came back to anyone. Old: patients seen in the period who first came before it.',
    rowHeaderColumn: 1,
    empty: 'No employee saw patients in this period.',
  },
  revenue: {
    title: 'Employee revenue',
    help: 'What each employee earned for the clinic in the period: services and goods sold, their share of the total, lines, visits, distinct patients and the average amount per visit.',
    rowHeaderColumn: 1,
    empty: 'No completed visits in this period.',
  },
};

const $ = (id) => document.getElementById(id);

const state = {
  client: null,
  summary: null,
  entities: null,
  ranker: new RankPrecomputer(),
  fmt: makeFormatters(''),
  report: 'rating',
  table: null,
  sorts: {},
  seq: 0,
  renders: 0,
  loading: false,
  queued: null, // files chosen while an export loads: opened when it ends
  saving: false, // a CSV being written (one at a time)
  messageFrom: null,
};

let view = null;

function setState(value) {
  document.documentElement.dataset.state = value;
}

// ---------------------------------------------------------------------------
// Errors: one place for every failure.

/**
 * Shows a failure in plain words and keeps the page usable.
 * @param {unknown} err
 * @param {'start'|'load'|'report'|'save'} context
 */
function handleError(err, context) {
  const error = err instanceof ClinicError
    ? err
    : new ClinicError('internal', String((err && err.message) || err));
  const titles = {
    start: 'The report engine could not start.',
    load: 'This export could not be opened.',
    report: 'This report could not be computed.',
    save: 'The CSV file could not be saved.',
  };
  let hint = hintFor(error.code);
  if (context === 'load' && state.summary) hint += ' The data loaded before is still shown.';
  $('message-title').textContent = titles[context] || titles.report;
  $('message-hint').textContent = hint;
  $('message-text').textContent = error.message.replace(/\s*\[[a-z0-9_.]+\]$/, '');
  $('message-code').textContent = error.code;
  $('message').hidden = false;
  state.messageFrom = context;
  console.error(`[${error.code}]`, error.message); // eslint-disable-line no-console
}

function clearMessage(onlyFrom) {
  if (onlyFrom && state.messageFrom !== onlyFrom) return;
  $('message').hidden = true;
  state.messageFrom = null;
}

// ---------------------------------------------------------------------------
// Loading.

/** An absolute URL of a file next to the page: a blob: worker cannot resolve relative ones. */
function siteUrl(file) {
  return new URL(file, document.baseURI).href;
}

/**
 * The engine worker, always made from a blob: URL so that it inherits this
 * page's Content-Security-Policy (connect-src 'none': it cannot send data
 * anywhere). A worker loaded from a URL would take its policy from the HTTP
 * response headers instead, which a static server does not send.
 */
function startWorker() {
  const source = $('worker-source');
  // The single-file page embeds the worker's code; the served folder's worker
  // is a one-line loader of worker.js (importScripts is allowed by script-src 'self').
  const code = source ? source.textContent : `importScripts(${JSON.stringify(siteUrl('worker.js'))});\n`;
  const url = URL.createObjectURL(new Blob([code], { type: 'text/javascript' }));
  return new Worker(url);
}

function demoFiles() {
  const block = $('demo-data');
  if (block) {
    // The embedded demo is the one export that arrives as text.
    return [{ name: block.dataset.name || 'clinic-demo.json', buffer: new TextEncoder().encode(block.textContent).buffer }];
  }
  // The served folder's demo is a script the worker loads: it cannot fetch.
  return [{ name: 'clinic-demo.json', script: siteUrl('demo/clinic-demo.js') }];
}

function formatBytes(n) {
  if (n < 1024) return `${n} bytes`;
  const units = ['KB', 'MB', 'GB'];
  let v = n;
  let u = -1;
  do {
    v /= 1024;
    u += 1;
  } while (v >= 1024 && u < units.length - 1);
  return `${v.toFixed(v < 10 ? 1 : 0)} ${units[u]}`;
}

function showProgress(message) {
  const bar = $('progress-bar');
  $('progress').hidden = false;
  if (message.phase === 'importing') {
    $('progress-label').textContent = 'Importing…';
    bar.removeAttribute('value');
  } else {
    const fraction = message.total > 0 ? message.loaded / message.total : 0;
    $('progress-label').textContent = `Reading files… ${Math.floor(fraction * 100)} % (${formatBytes(message.loaded)} of ${formatBytes(message.total)})`;
    bar.value = fraction;
  }
}

function setBusy(busy) {
  state.loading = busy;
  $('open-button').disabled = busy;
  $('demo-button').disabled = busy;
}

async function loadFiles(files) {
  if (state.loading) {
    // One import at a time: files chosen or dropped meanwhile are opened
    // when it ends (the latest choice, if several), never dropped.
    state.queued = files;
    return;
  }
  setBusy(true);
  setState('loading');
  showProgress({ phase: 'reading', loaded: 0, total: 0 });
  try {
    const { summary, entities } = await state.client.load(files, showProgress);
    clearMessage();
    setExport(summary, wrapEntities(entities));
    // The first report is asked for before the summary and the filter lists
    // are put on the page, so that the worker computes it meanwhile; the
    // progress bar goes in the same task as the table appears, one layout for both.
    const shown = refresh(() => {
      $('progress').hidden = true;
    });
    showExport();
    await shown;
    rankInBackground(state.entities);
  } catch (err) {
    handleError(err, 'load');
    setState(state.summary ? 'ready' : 'error');
  } finally {
    $('progress').hidden = true;
    setBusy(false);
    const next = state.queued;
    state.queued = null;
    if (next) loadFiles(next);
  }
}

/**
 * The collated ranks of the export's large id and name columns, ranked in a
 * worker while the first table is read (web/rank-worker.js).
 * data-ranks on <html> says when they are in, for tests and tools.
 */
function rankInBackground(entities) {
  const html = document.documentElement;
  html.dataset.ranks = 'computing';
  state.ranker.precompute(entities).then((count) => {
    if (state.entities === entities) html.dataset.ranks = `ready ${count}`;
  });
}

function loadUserFiles(fileList) {
  const files = Array.from(fileList || []).map((file) => ({ name: file.name, file }));
  if (files.length > 0) loadFiles(files);
}

// ---------------------------------------------------------------------------
// The import summary.

function addTerm(list, term, description) {
  const dt = document.createElement('dt');
  dt.textContent = term;
  const dd = document.createElement('dd');
  dd.textContent = description;
  list.append(dt, dd);
}

function plural(n, one, many) {
  return `${state.fmt.count(n)} ${n === 1 ? one : many}`;
}

function renderSummary() {
  const s = state.summary;
  const f = state.fmt;
  $('clinic-name').textContent = s.clinic.name || 'Unnamed clinic';
  $('clinic-currency').textContent = s.clinic.currency ? `· amounts in ${s.clinic.currency}` : '';

  const line = $('summary-line');
  const files = document.createElement('strong');
  files.textContent = s.files.join(', ');
  const span = s.firstDay ? `${f.date(s.firstDay)} – ${f.date(s.lastDay)}` : 'no dates';
  line.replaceChildren(files, ` · ${plural(s.lines, 'visit line', 'visit lines')} from ${span} · ${plural(s.patientsWithLines, 'patient', 'patients')} with completed visits`);
  if (s.warnings.length) {
    const note = document.createElement('span');
    note.className = 'warning-note';
    note.textContent = `${plural(s.warnings.length, 'warning', 'warnings')}: see import details`;
    line.append(' · ', note);
  }

  const list = $('summary-list');
  list.replaceChildren();
  addTerm(list, 'Format', s.format === 'json' ? 'one JSON file' : 'CSV files');
  addTerm(list, 'Files', s.files.join(', '));
  addTerm(list, 'Tables', `${plural(s.divisions, 'division', 'divisions')}, ${plural(s.employees, 'employee', 'employees')}, ${plural(s.priceLists, 'price list', 'price lists')}, ${plural(s.patients, 'patient', 'patients')}`);
  addTerm(list, 'Visit lines', `${f.count(s.lines)}: ${f.count(s.completed)} completed, ${f.count(s.cancelled)} cancelled, ${f.count(s.noShow)} no-show`);
  addTerm(list, 'Completed amount', `${f.money(s.completedAmount)} (${plural(s.goodsLines, 'goods line', 'goods lines')}, ${plural(s.refundLines, 'refund', 'refunds')})`);
  addTerm(list, 'Not counted in reports', `cancelled ${f.money(s.cancelledAmount)}, no-show ${f.money(s.noShowAmount)}`);
  addTerm(list, 'Visits', `${f.count(s.visits)} by ${plural(s.patientsWithLines, 'patient', 'patients')}`);
  addTerm(list, 'Dates', span);
  if (s.blankLines) addTerm(list, 'Blank lines skipped', f.count(s.blankLines));

  const items = s.warnings.map((w) => {
    const li = document.createElement('li');
    // The engine's sentence usually gives the count already.
    const counted = w.count <= 1 || w.message.includes(String(w.count));
    li.textContent = counted ? w.message : `${w.message} (${plural(w.count, 'time', 'times')} in all)`;
    return li;
  });
  $('warning-list').replaceChildren(...items);
  $('warning-count').hidden = items.length === 0;
  $('warning-count').textContent = String(items.length);
  $('warning-count').setAttribute('aria-label', `${items.length} warnings`);
  $('summary-details').open = false;
}

function fillSelect(select, table, allLabel) {
  const ids = table.ids.toArray();
  const names = table.names.toArray();
  const order = Array.from(ids.keys()).sort((a, b) => names[a].localeCompare(names[b]) || (ids[a] < ids[b] ? -1 : 1));
  const options = [new Option(allLabel, '')];
  const seen = new Map();
  for (const i of order) seen.set(names[i], (seen.get(names[i]) || 0) + 1);
  for (const i of order) {
    const name = names[i];
    // Two people with one name are told apart by their ids.
    const label = seen.get(name) > 1 && name !== ids[i] ? `${name} (${ids[i]})` : name;
    options.push(new Option(label, ids[i]));
  }
  select.replaceChildren(...options);
  select.value = '';
}

/** The new export in the state, its filters back to all (which the first report reads). */
function setExport(summary, entities) {
  state.summary = summary;
  state.entities = entities;
  state.fmt = makeFormatters(summary.clinic.currency);
  state.sorts = {};
  for (const id of ['division', 'employee']) $(id).value = '';
}

/** The new export's summary and filter lists on the page. */
function showExport() {
  const { entities } = state;
  fillSelect($('division'), entities.divisions, 'All divisions');
  fillSelect($('employee'), entities.employees, 'All employees');
  renderSummary();
  $('save-button').disabled = false;
  $('print-button').disabled = false;
}

// ---------------------------------------------------------------------------
// Options and reports.

function intOrNull(input) {
  const text = input.value.trim();
  return text === '' ? null : Number(text);
}

function optionsFor(report) {
  const options = {
    from: $('from').value,
    to: $('to').value,
    division: $('division').value,
    employee: $('employee').value,
  };
  if (report === 'rating' || report === 'divisions') options.top = intOrNull($('top'));
  if (report === 'divisions') options.allDivisions = $('all-divisions').checked;
  if (report === 'loyalty') {
    options.returnWindow = intOrNull($('return-window'));
    options.newPerEmployee = $('new-per-employee').checked;
  }
  return options;
}

function captionText(options) {
  const f = state.fmt;
  const preset = PRESETS.find((p) => p.id === $('period').value);
  let period;
  if (!options.from && !options.to) {
    const s = state.summary;
    period = s && s.firstDay ? `All data (${f.date(s.firstDay)} – ${f.date(s.lastDay)})` : 'All data';
  } else {
    const range = `${options.from ? f.date(options.from) : 'start'} – ${options.to ? f.date(options.to) : 'end'}`;
    period = preset && preset.id !== 'custom' ? `${preset.label} (${range})` : range;
  }
  const parts = [period];
  const pick = (select) => select.options[select.selectedIndex].textContent;
  if (options.division) parts.push(`Division: ${pick($('division'))}`);
  if (options.employee) parts.push(`Employee: ${pick($('employee'))}`);
  if (options.returnWindow !== undefined && options.returnWindow !== null) parts.push(`Return window ${options.returnWindow} days`);
  if (options.newPerEmployee) parts.push('New patient per employee');
  return parts.join(' · ');
}

function emptyText(report) {
  const s = state.summary;
  const covers = s && s.firstDay ? ` The export covers ${state.fmt.date(s.firstDay)} – ${state.fmt.date(s.lastDay)}.` : '';
  return `${REPORTS[report].empty}${covers}`;
}

/**
 * Runs the current report with the current options; a newer call supersedes
 * an older one. The request is sent before the first await. `onShown` runs
 * right after the table is put on the page, in the same task.
 */
async function refresh(onShown = null) {
  if (!state.entities) return;
  const report = state.report;
  const options = optionsFor(report);
  const seq = ++state.seq;
  setState('computing');
  view.willReplace();
  try {
    const result = await state.client.report(report, options);
    if (seq !== state.seq) return;
    const table = buildTable(result, state.entities);
    state.table = table;
    const sort = state.sorts[report] || {};
    view.show(table, state.fmt, {
      label: `${REPORTS[report].title}: ${captionText(options)}`,
      stickyLastColumn: Boolean(REPORTS[report].stickyLastColumn),
      rowHeaderColumn: REPORTS[report].rowHeaderColumn,
      sortKey: sort.column || null,
      sortDescending: sort.descending,
      empty: emptyText(report),
    });
    if (onShown) onShown();
    const unit = report === 'rating' || report === 'divisions' ? ['patient', 'patients'] : ['employee', 'employees'];
    const shown = report === 'rating' || report === 'divisions' ? result.patients : result.count;
    const topNote = result.count < shown ? ` (top ${state.fmt.count(result.count)} shown)` : '';
    $('report-caption').textContent = `${plural(shown, ...unit)}${topNote} · ${captionText(options)}`;
    // For tests and tools: which report and options the table now shows.
    document.documentElement.dataset.query = JSON.stringify({ report, options });
    $('save-button').disabled = false;
    clearMessage('report');
    state.renders += 1;
    document.documentElement.dataset.renders = String(state.renders);
    setState('ready');
  } catch (err) {
    if (seq !== state.seq) return;
    state.table = null;
    $('save-button').disabled = true;
    view.showMessage('No report: see the message above.');
    handleError(err, 'report');
    setState('ready');
  }
}

function selectReport(report, focusTab) {
  state.report = report;
  for (const tab of document.querySelectorAll('[role="tab"]')) {
    const selected = tab.dataset.report === report;
    tab.setAttribute('aria-selected', String(selected));
    tab.tabIndex = selected ? 0 : -1;
    if (selected) {
      $('panel').setAttribute('aria-labelledby', tab.id);
      if (focusTab) tab.focus();
    }
  }
  document.documentElement.dataset.report = report;
  $('report-title').textContent = REPORTS[report].title;
  $('report-help').textContent = REPORTS[report].help;
  for (const field of document.querySelectorAll('[data-reports]')) {
    field.hidden = !field.dataset.reports.split(' ').includes(report);
  }
  refresh();
}

function applyPreset() {
  const id = $('period').value;
  if (id !== 'custom') {
    const { from, to } = presetPeriod(id);
    $('from').value = from;
    $('to').value = to;
  }
  refresh();
}

// ---------------------------------------------------------------------------
// Saving and printing.

function fileNamePart(text) {
  return text.replace(/[^A-Za-z0-9_-]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 40);
}

// The table on screen when the button was pressed, written a few thousand
// rows a task (a 1M-line export's rating is 188,000 rows); one save at a time.
async function saveCsv() {
  if (!state.table || state.saving) return;
  state.saving = true;
  const button = $('save-button');
  button.setAttribute('aria-busy', 'true');
  try {
    const table = state.table;
    const options = optionsFor(state.report);
    const report = state.report;
    const s = state.summary;
    const pieces = await toExcelCsvPieces(table, view.currentOrder(), nextTask);
    const blob = new Blob(pieces, { type: 'text/csv;charset=utf-8' });
    const from = options.from || s.firstDay || 'start';
    const to = options.to || s.lastDay || 'end';
    const clinic = fileNamePart(s.clinic.name || '');
    const a = document.createElement('a');
    a.href = URL.createObjectURL(blob);
    a.download = `${clinic ? `${clinic}-` : ''}${report}-${from}-to-${to}.csv`;
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(a.href), 10000);
  } catch (err) {
    handleError(err, 'save');
  } finally {
    state.saving = false;
    button.removeAttribute('aria-busy');
  }
}

// ---------------------------------------------------------------------------
// Wiring.

function wireTabs() {
  const tabs = Array.from(document.querySelectorAll('[role="tab"]'));
  for (const tab of tabs) tab.addEventListener('click', () => selectReport(tab.dataset.report, false));
  $('tabs').addEventListener('keydown', (event) => {
    const current = tabs.findIndex((t) => t.dataset.report === state.report);
    let next = -1;
    if (event.key === 'ArrowRight') next = (current + 1) % tabs.length;
    else if (event.key === 'ArrowLeft') next = (current - 1 + tabs.length) % tabs.length;
    else if (event.key === 'Home') next = 0;
    else if (event.key === 'End') next = tabs.length - 1;
    if (next < 0) return;
    event.preventDefault();
    selectReport(tabs[next].dataset.report, true);
  });
}

function wireOptions() {
  const period = $('period');
  period.replaceChildren(...PRESETS.map((p) => new Option(p.label, p.id)));
  period.value = 'all';
  period.addEventListener('change', applyPreset);
  for (const id of ['from', 'to']) {
    $(id).addEventListener('change', () => {
      period.value = 'custom';
      refresh();
    });
  }
  for (const id of ['division', 'employee', 'all-divisions', 'new-per-employee']) $(id).addEventListener('change', () => refresh());
  let timer = 0;
  for (const id of ['top', 'return-window']) {
    $(id).addEventListener('input', () => {
      clearTimeout(timer);
      timer = setTimeout(() => refresh(), 120);
    });
  }
  $('options').addEventListener('submit', (event) => {
    event.preventDefault();
    refresh();
  });
}

function wireFiles() {
  const input = $('file-input');
  $('open-button').addEventListener('click', () => input.click());
  input.addEventListener('change', () => {
    loadUserFiles(input.files);
    input.value = '';
  });
  $('demo-button').addEventListener('click', () => loadFiles(demoFiles()));

  const overlay = $('drop-overlay');
  const hasFiles = (event) => event.dataTransfer && Array.from(event.dataTransfer.types).includes('Files');
  window.addEventListener('dragover', (event) => {
    if (!hasFiles(event)) return;
    event.preventDefault();
    event.dataTransfer.dropEffect = 'copy';
    overlay.hidden = false;
  });
  window.addEventListener('dragleave', (event) => {
    if (!event.relatedTarget) overlay.hidden = true;
  });
  window.addEventListener('drop', (event) => {
    if (!hasFiles(event)) return;
    event.preventDefault();
    overlay.hidden = true;
    loadUserFiles(event.dataTransfer.files);
  });
}

function wirePrint() {
  $('print-button').addEventListener('click', () => window.print());
  window.addEventListener('beforeprint', () => view.setPrinting(true));
  window.addEventListener('afterprint', () => view.setPrinting(false));
}

function main() {
  view = new TableView($('table-host'), {
    onSortChange: (sort) => {
      state.sorts[state.report] = sort;
    },
  });
  wireTabs();
  wireOptions();
  wireFiles();
  wirePrint();
  $('save-button').addEventListener('click', saveCsv);
  $('message-close').addEventListener('click', () => clearMessage());
  selectReport('rating', false);
  try {
    state.client = new EngineClient(startWorker());
  } catch (err) {
    handleError(new ClinicError('page.worker_failed', String((err && err.message) || err)), 'start');
    setState('error');
    return;
  }
  state.client.ready.catch((err) => {
    handleError(err, 'start');
    setState('error');
  });
  loadFiles(demoFiles());
}

main();
