// Shared helpers of the benchmark: exact money text, the normalised report
// totals every engine returns for the equality check, the seeded periods, and
// the slicing of the export's top-level arrays for the peers (which cannot
// read the nested clinic-export JSON themselves).

import fs from 'node:fs';
import path from 'node:path';

// ---------------------------------------------------------------- money

/** Integer cents (number or BigInt) -> "-12.34". */
export function centsText(cents) {
  const n = BigInt(cents);
  const neg = n < 0n;
  const a = neg ? -n : n;
  const s = `${a / 100n}.${String(a % 100n).padStart(2, '0')}`;
  return neg ? `-${s}` : s;
}

/** n / d rounded half away from zero (BigInt). */
export function divRoundHalfAway(n, d) {
  const neg = (n < 0n) !== (d < 0n);
  const an = n < 0n ? -n : n;
  const ad = d < 0n ? -d : d;
  const q = (an + ad / 2n) / ad;
  return neg ? -q : q;
}

/** 1/10000 units (BigInt) -> cents text, rounded half away from zero like the engine's API. */
export function unitsToCentsText(units) {
  return centsText(divRoundHalfAway(BigInt(units), 100n));
}

/** A float64 amount (Perspective) -> cents text, rounded half away from zero. */
export function floatToCentsText(x) {
  if (x === null || x === undefined || Number.isNaN(x)) return centsText(0);
  const sign = x < 0 ? -1 : 1;
  return centsText(sign * Math.round(Math.abs(x) * 100));
}

// ---------------------------------------------------------------- totals

/*
 * The normalised totals (all amounts as exact cents text, ids as the export's ids,
 * '' for "(no division)" / "(unassigned)"):
 *
 *   rating:    { patients, amount, visits? }
 *   divisions: { grand, columns: {divisionId: amount} }
 *   revenue:   { total, employees: {employeeId: amount}, lines?, visits?, patients? }
 *   loyalty:   { total: [primary, returned, returnedToClinic, old],
 *                employees: {employeeId: [primary, returned, returnedToClinic, old]} }
 *
 * A field an engine cannot compute is left out and is not compared.
 */

/** Compares two totals objects; returns a list of differences (empty when equal). */
export function compareTotals(expected, actual, { centsTolerance = 0 } = {}) {
  const diffs = [];
  const isMoney = (v) => typeof v === 'string' && /^-?\d+\.\d\d$/.test(v);
  const toCents = (v) => BigInt(v.replace('.', ''));
  const zero = (v) => (isMoney(v) ? toCents(v) === 0n : Array.isArray(v) ? v.every((y) => y === 0) : v === 0);
  const walk = (a, b, where, depth) => {
    if (a !== null && typeof a === 'object' && b !== null && typeof b === 'object') {
      const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
      for (const k of keys) {
        if (!(k in a) || !(k in b)) {
          // A field of the totals that one side does not compute is not compared;
          // an entry of a map (an employee, a division) on one side only is a
          // difference unless it is all zeros.
          if (depth === 0 && !Array.isArray(a)) continue;
          const v = k in a ? a[k] : b[k];
          if (!zero(v)) diffs.push(`${where}.${k}: ${k in a ? 'missing in peer' : 'extra in peer'} (${JSON.stringify(v)})`);
          continue;
        }
        walk(a[k], b[k], `${where}.${k}`, depth + 1);
      }
      return;
    }
    if (isMoney(a) && isMoney(b)) {
      const d = toCents(a) - toCents(b);
      if ((d < 0n ? -d : d) > BigInt(centsTolerance)) diffs.push(`${where}: ${a} != ${b}`);
      return;
    }
    if (a !== b) diffs.push(`${where}: ${JSON.stringify(a)} != ${JSON.stringify(b)}`);
  };
  if (expected === undefined || actual === undefined) return diffs;
  walk(expected, actual, '', 0);
  return diffs;
}

// ---------------------------------------------------------------- periods

/** mulberry32: a small seeded PRNG, so every engine gets the same periods. */
export function mulberry32(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const DAY = 86400000;
const iso = (ms) => new Date(ms).toISOString().slice(0, 10);

/**
 * `count` random periods inside [first, last] (YYYY-MM-DD): a random start and
 * a length of 1 to 400 days, as a user picking months, quarters, years or a
 * custom range would.
 */
export function randomPeriods(seed, count, first, last) {
  const rnd = mulberry32(seed);
  const a = Date.parse(`${first}T00:00:00Z`);
  const b = Date.parse(`${last}T00:00:00Z`);
  const span = Math.round((b - a) / DAY);
  const out = [];
  for (let i = 0; i < count; ++i) {
    const from = Math.floor(rnd() * (span + 1));
    const len = 1 + Math.floor(rnd() * 400);
    const to = Math.min(span, from + len - 1);
    out.push({ from: iso(a + from * DAY), to: iso(a + to * DAY) });
  }
  return out;
}

// ---------------------------------------------------------------- statistics

/** a[i] / b[i] for each pair of runs timed side by side. */
export function pairRatios(a, b) {
  return a.map((v, i) => v / b[i]);
}

export function median(xs) {
  if (!xs.length) return null;
  const s = [...xs].sort((x, y) => x - y);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** Nearest-rank percentile. */
export function percentile(xs, p) {
  if (!xs.length) return null;
  const s = [...xs].sort((x, y) => x - y);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))];
}

// ---------------------------------------------------------------- data sets

/** The files of one data set, read into memory: [{name, bytes: Uint8Array}]. */
export function readDataset(dataset) {
  const paths = dataset.format === 'json'
    ? [dataset.path]
    : fs.readdirSync(dataset.path).filter((f) => f.endsWith('.csv')).sort().map((f) => path.join(dataset.path, f));
  return paths.map((p) => ({ name: path.basename(p), bytes: fs.readFileSync(p) }));
}

/**
 * The top-level arrays of a clinic-export JSON file, as byte ranges of the
 * file: {visits: Uint8Array, patients: ..., ...} (subarrays, no copy). The
 * peers get these, each a plain JSON array of row objects.
 *
 * This is a byte search for `"<key>":[` at the start of a line, as the demo
 * generator writes the export (one top-level key per line); each array ends at
 * the last `]` before the next top-level key. It is exact for the generator's
 * files and is checked (first byte `[`, last `]`); it is not a general JSON
 * parser, which is why it is cheap (Buffer.indexOf) and is timed as part of
 * the peers' load.
 */
export function sliceTopLevelArrays(bytes) {
  const buf = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const keys = ['divisions', 'employees', 'priceLists', 'patients', 'visits'];
  const found = [];
  for (const key of keys) {
    let at = buf.indexOf(`\n"${key}":[`);
    if (at < 0 && buf.indexOf(`{"${key}":[`) === 0) at = 0;
    if (at >= 0) found.push({ key, start: buf.indexOf('[', at) });
  }
  // All top-level keys (to know where each array ends): any line starting with `"`.
  found.sort((x, y) => x.start - y.start);
  const out = {};
  for (let i = 0; i < found.length; ++i) {
    const { key, start } = found[i];
    let limit = buf.length;
    const next = buf.indexOf('\n"', start);
    if (next >= 0) limit = next;
    if (i + 1 < found.length) limit = Math.min(limit, found[i + 1].start);
    const end = buf.lastIndexOf(']', limit);
    if (buf[start] !== 0x5b || end <= start) throw new Error(`cannot slice the ${key} array of the export`);
    out[key] = buf.subarray(start, end + 1);
  }
  if (!out.visits) throw new Error('the export has no "visits" array at the start of a line');
  return out;
}

/** Fresh ArrayBuffer copy of a byte view (for APIs that take whole ArrayBuffers). */
export function toArrayBuffer(view) {
  return view.buffer.slice(view.byteOffset, view.byteOffset + view.byteLength);
}
