// Turns an engine report (typed-array columns) plus the export's entities into
// a table the page can show, sort and save: column definitions with raw cell
// values, a totals row, numeric sort keys, and the two CSV renderings — the
// exact contract of docs/reports.md (what the CLI prints with --format csv)
// and the Excel flavour (UTF-8 BOM, CRLF, formula injection neutralised).
// No DOM here: the same code runs in Node tests.

export const NO_DIVISION = '(no division)';
export const UNASSIGNED = '(unassigned)';

/** Column types: how a value is shown, aligned, sorted and written to CSV. */
export const TYPES = Object.freeze({
  text: 'text', // names and ids: strings
  count: 'count', // whole numbers
  money: 'money', // integer cents
  percent: 'percent', // tenths of a percent
  rank: 'rank', // 1..n
  abc: 'abc', // 'A' | 'B' | 'C'
});

const NUMERIC = new Set([TYPES.count, TYPES.money, TYPES.percent, TYPES.rank]);

/** True for columns shown right-aligned and written as numbers. */
export function isNumeric(column) {
  return NUMERIC.has(column.type);
}

// ---------------------------------------------------------------------------
// Exact text forms (the CSV contract): integers in, decimal strings out.

/** Integer cents as "-1234.50"; '' for null/NaN. */
export function centsToPlain(cents) {
  if (cents === null || cents === undefined || Number.isNaN(cents)) return '';
  const negative = cents < 0;
  const abs = Math.abs(cents);
  const whole = Math.floor(abs / 100);
  const frac = abs - whole * 100;
  return `${negative ? '-' : ''}${whole}.${frac < 10 ? '0' : ''}${frac}`;
}

/** Tenths of a percent as "12.3"; '' for null/NaN. */
export function tenthsToPlain(tenths) {
  if (tenths === null || tenths === undefined || Number.isNaN(tenths)) return '';
  const negative = tenths < 0;
  const abs = Math.abs(tenths);
  const whole = Math.floor(abs / 10);
  return `${negative ? '-' : ''}${whole}.${abs - whole * 10}`;
}

/** A raw cell value as the CSV contract writes it. */
export function plainText(column, value) {
  if (value === null || value === undefined) return '';
  switch (column.type) {
    case TYPES.money:
      return centsToPlain(value);
    case TYPES.percent:
      return tenthsToPlain(value);
    case TYPES.count:
    case TYPES.rank:
      return Number.isNaN(value) ? '' : String(value);
    default:
      return String(value);
  }
}

// ---------------------------------------------------------------------------
// Sort keys: every column sorts on numbers, so sorting 100k rows is one
// typed-array sort. Text columns use each entity's rank in a collated order,
// computed once per entity table.

/** How text columns are collated: digits as numbers, case and accents ignored. */
export const COLLATOR_OPTIONS = Object.freeze({ numeric: true, sensitivity: 'base' });
const collator = new Intl.Collator(undefined, COLLATOR_OPTIONS);
const rankCache = new WeakMap();

/**
 * Position of each string of `packed` in collated order (cached per column):
 * the ranks web/rank-worker.js computed in the background, else computed here.
 * @param {PackedStrings} packed (web/strings.js)
 */
export function collatedRanks(packed) {
  let ranks = rankCache.get(packed);
  if (!ranks) {
    ranks = ranksOf(packed.toArray(), collator);
    rankCache.set(packed, ranks);
  }
  return ranks;
}

/** Whether the ranks of `packed` are at hand (a sort by it needs no collation). */
export function hasRanks(packed) {
  return rankCache.has(packed);
}

/**
 * Keeps ranks of `packed` computed elsewhere (ranksOf with COLLATOR_OPTIONS,
 * in a worker); ignored when they are there already or do not fit.
 */
export function provideRanks(packed, ranks) {
  if (!rankCache.has(packed) && ranks instanceof Float64Array && ranks.length === packed.length) {
    rankCache.set(packed, ranks);
  }
}

/**
 * The position of each string in collated order, strings the collator calls
 * equal by index: the order of sorting every index with
 * `collator.compare(...) || a - b`, in fewer compares. Each distinct string
 * is compared once: patient names repeat (the demo's 200,000 patients have
 * 7,523 names), and collator.compare is the cost, so ranking them took the
 * page's main thread from 600 ms to about 70 ms (decoding the names aside). Distinct strings
 * that compare equal ('Anna', 'anna' at base sensitivity) form one class;
 * each string's position is where its class starts plus how many of the class
 * came before it.
 * @param {string[]} strings
 * @param {Intl.Collator} collator
 */
export function ranksOf(strings, collator) {
  // Self-contained (globals and arguments only): web/rank-worker.js runs its source text.
  const distinct = new Map(); // string -> its index in `names`
  const names = [];
  const nameOf = new Uint32Array(strings.length);
  for (let i = 0; i < strings.length; ++i) {
    let k = distinct.get(strings[i]);
    if (k === undefined) {
      k = names.length;
      distinct.set(strings[i], k);
      names.push(strings[i]);
    }
    nameOf[i] = k;
  }
  const sorted = Array.from(names.keys()).sort((a, b) => collator.compare(names[a], names[b]));
  const classOf = new Uint32Array(names.length);
  let classes = 0;
  sorted.forEach((k, j) => {
    if (j > 0 && collator.compare(names[sorted[j - 1]], names[k]) !== 0) ++classes;
    classOf[k] = classes;
  });
  const start = new Float64Array(classes + 1);
  for (let i = 0; i < strings.length; ++i) ++start[classOf[nameOf[i]]];
  let position = 0;
  for (let c = 0; c <= classes; ++c) {
    const n = start[c];
    start[c] = position;
    position += n;
  }
  const ranks = new Float64Array(strings.length);
  for (let i = 0; i < strings.length; ++i) ranks[i] = start[classOf[nameOf[i]]]++;
  return ranks;
}

function textKeyFromIndex(indexes, strings, noneRank) {
  return () => {
    const ranks = collatedRanks(strings);
    const key = new Float64Array(indexes.length);
    for (let i = 0; i < indexes.length; ++i) key[i] = indexes[i] < 0 ? noneRank : ranks[indexes[i]];
    return key;
  };
}

function numberKey(values) {
  return () => (values instanceof Float64Array ? values : Float64Array.from(values));
}

/**
 * Sorts row indexes by a column: ascending or descending, empty (NaN) cells
 * last either way, ties in the engine's order.
 * @returns {Uint32Array}
 */
export function sortOrder(table, columnIndex, descending) {
  const n = table.rowCount;
  const order = new Uint32Array(n);
  for (let i = 0; i < n; ++i) order[i] = i;
  if (columnIndex < 0) return order;
  const key = table.sortKey(columnIndex);
  if (sortIntegerKeys(key, descending, order)) return order;
  const sign = descending ? -1 : 1;
  order.sort((a, b) => {
    const x = key[a];
    const y = key[b];
    const xNaN = x !== x; // eslint-disable-line no-self-compare
    const yNaN = y !== y; // eslint-disable-line no-self-compare
    if (xNaN || yNaN) return xNaN === yNaN ? a - b : xNaN ? 1 : -1;
    return x === y ? a - b : (x < y ? -sign : sign);
  });
  return order;
}

/**
 * sortOrder's order for keys that are all integers (or NaN) of a small enough
 * spread, without a compare function: each row becomes one exact integer,
 * (its key's distance from the first key in order) * n + its index, and a
 * Float64Array sorts those natively. Ties stay in index order either way,
 * NaN rows go last. Ranks, counts and cents are such keys: sorting 188,000
 * rows by one took 30-90 ms with a compare function. Writes `order` and
 * returns true, or returns false (fractions, or a spread beyond 2^53 / n).
 */
function sortIntegerKeys(key, descending, order) {
  const n = order.length;
  let min = Infinity;
  let max = -Infinity;
  let numbers = 0;
  for (let i = 0; i < n; ++i) {
    const x = key[i];
    if (x !== x) continue; // eslint-disable-line no-self-compare
    if (!Number.isInteger(x)) return false;
    if (x < min) min = x;
    if (x > max) max = x;
    ++numbers;
  }
  if (numbers > 0 && (max - min + 1) * n > Number.MAX_SAFE_INTEGER) return false;
  const packed = new Float64Array(numbers);
  let j = 0;
  for (let i = 0; i < n; ++i) {
    const x = key[i];
    if (x === x) packed[j++] = (descending ? max - x : x - min) * n + i; // eslint-disable-line no-self-compare
  }
  packed.sort();
  for (j = 0; j < numbers; ++j) order[j] = packed[j] % n;
  for (let i = 0; i < n; ++i) {
    const x = key[i];
    if (x !== x) order[j++] = i; // eslint-disable-line no-self-compare
  }
  return true;
}

// ---------------------------------------------------------------------------
// The four tables.

function nameOf(table, index, none) {
  return index < 0 ? none : table.names.get(index);
}
function idOf(table, index) {
  return index < 0 ? '' : table.ids.get(index);
}
function orNull(x) {
  return Number.isNaN(x) ? null : x;
}

function makeTable(name, columns, rowCount, total, options = {}) {
  const keys = new Array(columns.length);
  return {
    name,
    columns,
    rowCount,
    /** Totals row (raw values per column), or null. */
    total,
    /** Whether the CSV contract has the totals row (rating has none). */
    totalInCsv: options.totalInCsv !== false,
    /** Raw value of a cell: a number (cents, tenths, count), a string, or null for empty. */
    value(row, column) {
      return columns[column].get(row);
    },
    /** A numeric key per row for sorting; NaN for empty. */
    sortKey(column) {
      if (!keys[column]) keys[column] = columns[column].key();
      return keys[column];
    },
  };
}

/**
 * The ID and name columns of the patient or employee of each row.
 * @param {string} header the CSV header of the name column ("patient"); the ID's adds "_id"
 * @param {string} label the page's heading of the name column; the ID's adds " ID"
 * @param {ArrayLike<number>} index per row the entity's index, -1 for none
 * @param {object} table the entities' ids and names (engine.entities())
 * @param {string} none the name shown for index -1
 */
function entityColumns(header, label, index, table, none) {
  return [
    { header: `${header}_id`, label: `${label} ID`, type: TYPES.text, get: (i) => idOf(table, index[i]), key: textKeyFromIndex(index, table.ids, -1) },
    { header, label, type: TYPES.text, get: (i) => nameOf(table, index[i], none), key: textKeyFromIndex(index, table.names, -1) },
  ];
}

function ratingTable(result, entities) {
  const r = result.rows;
  const { patients, priceLists, patientPriceList, patientBonusCents } = entities;
  // Per-row lookups for the visible rows; whole columns only when sorted by them.
  const priceListOf = (i) => patientPriceList[r.patient[i]];
  const bonusOf = (i) => patientBonusCents[r.patient[i]];
  const perRow = (Type, f) => () => {
    const out = new Type(result.count);
    for (let i = 0; i < out.length; ++i) out[i] = f(i);
    return out;
  };
  const priceListRank = (i) => {
    const list = priceListOf(i);
    return list < 0 ? NaN : collatedRanks(priceLists.names)[list];
  };
  const columns = [
    { header: 'rank', label: '#', type: TYPES.rank, get: (i) => r.rank[i], key: numberKey(r.rank) },
    ...entityColumns('patient', 'Patient', r.patient, patients, ''),
    { header: 'price_list', label: 'Price list', type: TYPES.text, get: (i) => nameOf(priceLists, priceListOf(i), ''), key: perRow(Float64Array, priceListRank) },
    { header: 'bonus_balance', label: 'Bonus balance', type: TYPES.money, get: (i) => orNull(bonusOf(i)), key: perRow(Float64Array, bonusOf) },
    { header: 'visits', label: 'Visits', type: TYPES.count, get: (i) => r.visits[i], key: numberKey(r.visits) },
    { header: 'amount', label: 'Amount', type: TYPES.money, get: (i) => r.amount[i], key: numberKey(r.amount) },
    { header: 'share_pct', label: 'Share', type: TYPES.percent, get: (i) => orNull(r.share[i]), key: numberKey(r.share) },
    { header: 'cumulative_pct', label: 'Cumulative', type: TYPES.percent, get: (i) => orNull(r.cumulative[i]), key: numberKey(r.cumulative) },
    { header: 'abc', label: 'ABC', type: TYPES.abc, get: (i) => (r.abc[i] ? String.fromCharCode(r.abc[i]) : null), key: perRow(Float64Array, (i) => (r.abc[i] === 0 ? NaN : r.abc[i])) },
  ];
  // The page shows a totals row; the CSV contract has none for this report.
  const total = [null, null, 'TOTAL', null, null, result.total.visits, result.total.amount, null, null, null];
  return makeTable('rating', columns, result.count, total, { totalInCsv: false });
}

function divisionsTable(result, entities) {
  const { patients, divisions } = entities;
  const r = result.rows;
  const m = result.columns.length;
  const columns = [
    ...entityColumns('patient', 'Patient', r.patient, patients, ''),
  ];
  // Sparse cells: row i's are [begin[i], begin[i + 1]) of column / amount, in column order.
  const { begin, column, amount } = result.cells;
  const cellOf = (i, j) => {
    for (let k = begin[i]; k < begin[i + 1]; ++k) {
      if (column[k] === j) return amount[k];
      if (column[k] > j) break;
    }
    return null;
  };
  for (let j = 0; j < m; ++j) {
    const name = nameOf(divisions, result.columns[j], NO_DIVISION);
    columns.push({
      header: name,
      label: name,
      type: TYPES.money,
      division: result.columns[j],
      get: (i) => cellOf(i, j),
      key: () => {
        const key = new Float64Array(result.count).fill(NaN);
        for (let i = 0; i < key.length; ++i) {
          for (let k = begin[i]; k < begin[i + 1]; ++k) if (column[k] === j) key[i] = amount[k];
        }
        return key;
      },
    });
  }
  columns.push({ header: 'total', label: 'Total', type: TYPES.money, get: (i) => r.total[i], key: numberKey(r.total) });
  const total = [null, 'TOTAL', ...Array.from(result.total.columns, orNull), result.total.amount];
  return makeTable('divisions', columns, result.count, total);
}

function loyaltyTable(result, entities) {
  const { employees } = entities;
  const r = result.rows;
  const t = result.total;
  const columns = [
    ...entityColumns('employee', 'Employee', r.employee, employees, UNASSIGNED),
    { header: 'primary', label: 'Primary', type: TYPES.count, get: (i) => r.primary[i], key: numberKey(r.primary) },
    { header: 'returned', label: 'Returned', type: TYPES.count, get: (i) => r.returned[i], key: numberKey(r.returned) },
    { header: 'retention_pct', label: 'Retention', type: TYPES.percent, get: (i) => orNull(r.retention[i]), key: numberKey(r.retention) },
    { header: 'returned_to_clinic', label: 'Returned to clinic', type: TYPES.count, get: (i) => r.returnedToClinic[i], key: numberKey(r.returnedToClinic) },
    { header: 'old', label: 'Old patients', type: TYPES.count, get: (i) => r.old[i], key: numberKey(r.old) },
    { header: 'pending', label: 'Pending', type: TYPES.count, get: (i) => orNull(r.pending[i]), key: numberKey(r.pending) },
  ];
  const total = ['', 'TOTAL', t.primary, t.returned, orNull(t.retention), t.returnedToClinic, t.old, orNull(t.pending)];
  return makeTable('loyalty', columns, result.count, total);
}

function revenueTable(result, entities) {
  const { employees } = entities;
  const r = result.rows;
  const t = result.total;
  const columns = [
    ...entityColumns('employee', 'Employee', r.employee, employees, UNASSIGNED),
    { header: 'services_amount', label: 'Services', type: TYPES.money, get: (i) => r.services[i], key: numberKey(r.services) },
    { header: 'goods_amount', label: 'Goods', type: TYPES.money, get: (i) => r.goods[i], key: numberKey(r.goods) },
    { header: 'total', label: 'Total', type: TYPES.money, get: (i) => r.total[i], key: numberKey(r.total) },
    { header: 'share_pct', label: 'Share', type: TYPES.percent, get: (i) => orNull(r.share[i]), key: numberKey(r.share) },
    { header: 'lines', label: 'Lines', type: TYPES.count, get: (i) => r.lines[i], key: numberKey(r.lines) },
    { header: 'visits', label: 'Visits', type: TYPES.count, get: (i) => r.visits[i], key: numberKey(r.visits) },
    { header: 'patients', label: 'Patients', type: TYPES.count, get: (i) => r.patients[i], key: numberKey(r.patients) },
    { header: 'avg_visit', label: 'Avg. visit', type: TYPES.money, get: (i) => orNull(r.avgVisit[i]), key: numberKey(r.avgVisit) },
  ];
  const total = ['', 'TOTAL', t.services, t.goods, t.total, orNull(t.share), t.lines, t.visits, t.patients, orNull(t.avgVisit)];
  return makeTable('revenue', columns, result.count, total);
}

const BUILDERS = { rating: ratingTable, divisions: divisionsTable, loyalty: loyaltyTable, revenue: revenueTable };

/**
 * Builds the table of one report.
 * @param {object} result what engine.report(name, options) returned
 * @param {object} entities what engine.entities() returned
 */
export function buildTable(result, entities) {
  const build = BUILDERS[result.report];
  if (!build) throw new Error(`unknown report ${result.report}`);
  return build(result, entities);
}

// ---------------------------------------------------------------------------
// CSV.

const NEEDS_QUOTES = /[",\r\n]/;

function quoteRfc4180(cell) {
  return NEEDS_QUOTES.test(cell) ? `"${cell.replaceAll('"', '""')}"` : cell;
}

/** Rows per piece of csvPieces(): a few milliseconds of work each. */
export const CSV_PIECE_ROWS = 4096;

/**
 * The CSV text of a table in pieces of CSV_PIECE_ROWS rows: header, body in
 * `order` (engine order by default), then totals, each line ended by `eol`.
 * A row's cells go into one reused array and out as one joined line, and
 * only text cells are checked for quotes and passed to `textCell` (numbers
 * never need either): an array of cells kept per row made a 1M-line export's
 * rating (188,000 rows) take 0.5-0.8 s, most of it collecting garbage.
 */
function* csvPieces(table, order, withTotal, textCell, eol) {
  const { columns } = table;
  const text = columns.map((c) => c.type === TYPES.text || c.type === TYPES.abc);
  let lines = [columns.map((c) => quoteRfc4180(textCell(c.header))).join(',')];
  const cells = new Array(columns.length);
  const n = table.rowCount;
  for (let k = 0; k < n; ++k) {
    const i = order ? order[k] : k;
    for (let j = 0; j < columns.length; ++j) {
      const value = plainText(columns[j], columns[j].get(i));
      cells[j] = text[j] ? quoteRfc4180(textCell(value)) : value;
    }
    lines.push(cells.join(','));
    if (lines.length === CSV_PIECE_ROWS) {
      yield `${lines.join(eol)}${eol}`;
      lines = [];
    }
  }
  if (withTotal && table.total) {
    // A string in the totals row is text ('TOTAL'); a number is written as its column's.
    const total = table.total;
    lines.push(columns.map((c, j) => quoteRfc4180(typeof total[j] === 'string'
      ? textCell(total[j])
      : plainText(c, total[j]))).join(','));
  }
  if (lines.length > 0) yield `${lines.join(eol)}${eol}`;
}

/**
 * The CSV contract of docs/reports.md, byte for byte what `clinic-report
 * <report> --format csv` prints: LF line ends, RFC 4180 quoting only where needed.
 * @param {Uint32Array} [order] row order; the engine's when absent
 */
export function toContractCsv(table, order) {
  return [...csvPieces(table, order, table.totalInCsv, (s) => s, '\n')].join('');
}

/**
 * Text that a spreadsheet would run as a formula (= + - @, or a leading tab
 * or CR) gets a leading apostrophe. Only text cells: numbers stay numbers.
 */
export function neutraliseFormula(text) {
  return /^[=+\-@\t\r]/.test(text) ? `'${text}` : text;
}

/**
 * The CSV a manager saves: the contract's cells in the on-screen order, as
 * UTF-8 with a byte order mark and CRLF line ends so Excel reads names and
 * line breaks correctly, with formula injection neutralised in text cells.
 * The totals row is always included.
 * @param {Uint32Array} [order]
 * @returns {string} starts with U+FEFF; encode as UTF-8
 */
export function toExcelCsv(table, order) {
  return `\uFEFF${[...csvPieces(table, order, true, neutraliseFormula, '\r\n')].join('')}`;
}

/**
 * toExcelCsv() as pieces for a Blob, made CSV_PIECE_ROWS rows at a time with
 * `pause()` awaited between them, so that saving a report of 100,000s of
 * rows never holds the page's main thread for long.
 * @param {() => Promise<void>} pause e.g. a zero-delay timeout
 * @returns {Promise<string[]>} their concatenation is toExcelCsv(table, order)
 */
export async function toExcelCsvPieces(table, order, pause) {
  const pieces = ['\uFEFF'];
  for (const piece of csvPieces(table, order, true, neutraliseFormula, '\r\n')) {
    pieces.push(piece);
    await pause();
  }
  return pieces;
}
