// Tests of the reference implementation (tests/reference/reports.mjs) itself,
// on tiny exports whose reports were computed by hand from docs/reports.md, so
// the oracle used against the C++ engine can be trusted.
// Run: node --test tests/node/

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

import {
  computeReport, divRoundHalfAway, formatMoney, formatPercent, parseAmount, parseCsv, parseExportText, toCsv,
} from '../reference/reports.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const cli = path.join(here, '..', 'reference', 'reports.mjs');

const exp = (visits, tables = {}) => ({ format: 'clinic-export', version: 1, ...tables, visits });
const csv = (e, report, options) => toCsv(computeReport(e, report, options));
const lines = (...rows) => rows.map((r) => `${r}\n`).join('');

// ------------------------------------------------------------------ money and formatting

test('amounts parse exactly to 1/10000 units', () => {
  assert.equal(parseAmount('12.3456'), 123456n);
  assert.equal(parseAmount('-0.5'), -5000n);
  assert.equal(parseAmount('+3'), 30000n);
  assert.throws(() => parseAmount('7.'));
  assert.throws(() => parseAmount('.5'));
  assert.equal(parseAmount(12.34), 123400n);
  assert.equal(parseAmount(0.1), 1000n);
  assert.equal(parseAmount(-99999999999.9999), -999999999999999n); // 15 significant digits
  assert.equal(parseAmount('123456789012345.6789'), 1234567890123456789n);
  assert.throws(() => parseAmount('1.23456'), /4 decimals/);
  assert.throws(() => parseAmount(0.00001), /4 decimals/);
  assert.throws(() => parseAmount('1e3'));
  assert.throws(() => parseAmount('12,5'));
  assert.throws(() => parseAmount(''));
  assert.throws(() => parseAmount(1e12), /string/);
});

test('parseExportText keeps amount numbers as their exact text', () => {
  const e = parseExportText('\ufeff{"version": 1, "patients": [{"id": "P1", "bonusBalance": 0.1}],'
    + ' "visits": [{"amount": 123456789012.3456, "x": [1.5, true, null, "a\\"b"]}]}');
  assert.equal(e.version, 1);
  assert.equal(e.visits[0].amount, '123456789012.3456');
  assert.equal(e.patients[0].bonusBalance, '0.1');
  assert.deepEqual(e.visits[0].x, [1.5, true, null, 'a"b']);
  assert.throws(() => parseExportText('{"a": 1,}'), /syntax/);
  assert.throws(() => parseExportText('{"a": 1} x'), /syntax/);
});

test('money and percentages round half away from zero', () => {
  assert.equal(formatMoney(-50n), '-0.01'); // -0.005
  assert.equal(formatMoney(50n), '0.01');
  assert.equal(formatMoney(-49n), '0.00'); // never "-0.00"
  assert.equal(formatMoney(123450n), '12.35');
  assert.equal(formatMoney(-123449n), '-12.34');
  assert.equal(formatMoney(0n), '0.00');
  assert.equal(formatPercent(1n, 8n), '12.5');
  assert.equal(formatPercent(1n, 16n), '6.3'); // 6.25
  assert.equal(formatPercent(-1n, 16n), '-6.3');
  assert.equal(formatPercent(1n, -16n), '-6.3');
  assert.equal(formatPercent(1n, 3n), '33.3');
  assert.equal(formatPercent(2n, 3n), '66.7');
  assert.equal(formatPercent(5n, 0n), '');
  assert.equal(formatPercent(-1n, 20000n), '0.0'); // -0.005 % -> 0.0, not -0.0
  assert.equal(divRoundHalfAway(5n, 2n), 3n);
  assert.equal(divRoundHalfAway(-5n, 2n), -3n);
});

test('toCsv quotes only where needed and ends every line with LF', () => {
  const text = toCsv({ header: ['a', 'b'], rows: [['x,y', 'say "hi"'], ['line\nbreak', 'cr\r'], ['', 'plain']] });
  assert.equal(text, 'a,b\n"x,y","say ""hi"""\n"line\nbreak","cr\r"\n,plain\n');
  assert.deepEqual(parseCsv(text), [['a', 'b'], ['x,y', 'say "hi"'], ['line\nbreak', 'cr\r'], ['', 'plain']]);
});

// ------------------------------------------------------------------ rating

const ratingExport = exp([
  { date: '2024-01-01', patient: 'P1', employee: 'E1', division: 'D1', amount: 100 },
  { date: '2024-01-01T09:30:00', patient: 'P1', employee: 'E1', division: 'D1', amount: '50.00' }, // same visit
  { date: '2024-01-02', patient: 'P1', employee: 'E1', division: 'D1', amount: '-20.00' }, // refund
  { date: '2024-01-01', patient: 'P2', employee: 'E2', division: 'D1', amount: 300 },
  { date: '2024-01-03', patient: 'P2', employee: 'E2', division: 'D1', amount: 999, status: 'cancelled' },
  { date: '2024-01-06', patient: 'P2', employee: 'E2', division: 'D1', amount: 999, status: 'no-show' },
  { date: '2024-01-05', patient: 'P3', employee: 'E1', division: 'D2', amount: 130 },
  { date: '2024-01-05', patient: 'P4', amount: 40 }, // unknown patient, no employee, no division
], {
  priceLists: [{ id: 'PL1', name: 'Standard' }],
  employees: [{ id: 'E1', name: 'Eva' }, { id: 'E2', name: 'Ole' }],
  patients: [
    { id: 'P1', name: 'Anna', priceList: 'PL1', bonusBalance: '12.345' },
    { id: 'P2', name: 'Bjørn' },
    { id: 'P3', name: 'Anna', priceList: 'PLX', bonusBalance: 0 },
    { id: 'P4', name: '', priceList: '', bonusBalance: '' }, // empty = absent
  ],
});

test('rating: ties, refunds, cancelled and no-show lines, multi-line visits, ABC', () => {
  assert.equal(csv(ratingExport, 'rating'), lines(
    'rank,patient_id,patient,price_list,bonus_balance,visits,amount,share_pct,cumulative_pct,abc',
    '1,P2,Bjørn,,,1,300.00,50.0,50.0,A',
    '2,P1,Anna,Standard,12.35,2,130.00,21.7,71.7,A',
    '3,P3,Anna,PLX,0.00,1,130.00,21.7,93.3,A',
    '4,P4,P4,,,1,40.00,6.7,100.0,B',
  ));
});

test('rating: top keeps shares against the full total; period filters', () => {
  assert.equal(csv(ratingExport, 'rating', { top: 2 }), lines(
    'rank,patient_id,patient,price_list,bonus_balance,visits,amount,share_pct,cumulative_pct,abc',
    '1,P2,Bjørn,,,1,300.00,50.0,50.0,A',
    '2,P1,Anna,Standard,12.35,2,130.00,21.7,71.7,A',
  ));
  assert.equal(csv(ratingExport, 'rating', { from: '2024-01-02', to: '2024-01-05' }), lines(
    'rank,patient_id,patient,price_list,bonus_balance,visits,amount,share_pct,cumulative_pct,abc',
    '1,P3,Anna,PLX,0.00,1,130.00,86.7,86.7,A',
    '2,P4,P4,,,1,40.00,26.7,113.3,B',
    '3,P1,Anna,Standard,12.35,1,-20.00,-13.3,100.0,C',
  ));
  assert.equal(csv(ratingExport, 'rating', { employee: 'E1', division: 'D1' }), lines(
    'rank,patient_id,patient,price_list,bonus_balance,visits,amount,share_pct,cumulative_pct,abc',
    '1,P1,Anna,Standard,12.35,2,130.00,100.0,100.0,A',
  ));
  assert.equal(csv(ratingExport, 'rating', { from: '2024-02-01' }),
    'rank,patient_id,patient,price_list,bonus_balance,visits,amount,share_pct,cumulative_pct,abc\n');
});

test('rating: ABC thresholds are exact comparisons', () => {
  const e = exp([
    { date: '2024-01-01', patient: 'A', amount: 80 },
    { date: '2024-01-01', patient: 'B', amount: 15 },
    { date: '2024-01-01', patient: 'C', amount: 5 },
  ]);
  assert.deepEqual(computeReport(e, 'rating').rows.map((r) => r[9]), ['A', 'B', 'C']);
  const f = exp([
    { date: '2024-01-01', patient: 'A', amount: '79.9999' },
    { date: '2024-01-01', patient: 'B', amount: '15.0001' },
    { date: '2024-01-01', patient: 'C', amount: 5 },
  ]);
  // cumulative before B is 79.9999 % (< 80) -> A; before C exactly 95 % -> C
  assert.deepEqual(computeReport(f, 'rating').rows.map((r) => r.slice(6)), [
    ['80.00', '80.0', '80.0', 'A'], ['15.00', '15.0', '95.0', 'A'], ['5.00', '5.0', '100.0', 'C']]);
});

test('rating: non-positive totals give signed shares and no classes; byte order of names', () => {
  const neg = exp([
    { date: '2024-01-01', patient: 'P1', amount: -50 },
    { date: '2024-01-01', patient: 'P2', amount: 10 },
  ]);
  assert.deepEqual(computeReport(neg, 'rating').rows, [
    ['1', 'P2', 'P2', '', '', '1', '10.00', '-25.0', '-25.0', ''],
    ['2', 'P1', 'P1', '', '', '1', '-50.00', '125.0', '100.0', ''],
  ]);
  const zero = exp([
    { date: '2024-01-01', patient: 'Z', amount: 10 },
    { date: '2024-01-01', patient: 'Y', amount: -10 },
  ]);
  assert.deepEqual(computeReport(zero, 'rating').rows.map((r) => r.slice(6)), [
    ['10.00', '', '', ''], ['-10.00', '', '', '']]);
  // "Zed" < "Åse" < "éa" in UTF-8 bytes (not in a locale order); equal names by id.
  const names = exp(['p3', 'p1', 'p2', 'p4'].map((p) => ({ date: '2024-01-01', patient: p, amount: 1 })), {
    patients: [{ id: 'p1', name: 'Åse' }, { id: 'p2', name: 'Zed' }, { id: 'p3', name: 'éa' }, { id: 'p4', name: 'Zed' }],
  });
  assert.deepEqual(computeReport(names, 'rating').rows.map((r) => r[1]), ['p2', 'p4', 'p1', 'p3']);
});

test('kinds and statuses: case, aliases, empty means default', () => {
  const e = exp([
    { date: '2024-01-01', patient: 'P1', employee: 'E1', amount: 10, kind: 'GOODS', status: '' },
    { date: '2024-01-01', patient: 'P1', employee: 'E1', amount: 20, kind: '', status: 'Completed' },
    { date: '2024-01-01', patient: 'P1', employee: 'E1', amount: 40, kind: null, status: 'canceled' },
    { date: '2024-01-01', patient: 'P1', employee: 'E1', amount: 80, status: 'NO_SHOW' },
    { date: '2024-01-01', patient: 'P1', employee: '', division: null, amount: 160, status: 'No-Show' },
  ]);
  assert.deepEqual(computeReport(e, 'revenue').rows.map((r) => r.slice(0, 7)), [
    ['E1', 'E1', '20.00', '10.00', '30.00', '100.0', '2'],
    ['', 'TOTAL', '20.00', '10.00', '30.00', '100.0', '2'],
  ]);
  assert.throws(() => computeReport(exp([{ date: '2024-01-01', patient: 'P', amount: 1, status: 'done' }]), 'rating'),
    (err) => err.code === 'json.bad_value');
});

test('options are validated', () => {
  assert.throws(() => computeReport(ratingExport, 'rating', { from: '2024-02-01', to: '2024-01-01' }),
    (e) => e.code === 'options.bad_period');
  assert.throws(() => computeReport(ratingExport, 'rating', { division: 'NOPE' }),
    (e) => e.code === 'options.unknown_division');
  assert.throws(() => computeReport(ratingExport, 'revenue', { employee: 'NOPE' }),
    (e) => e.code === 'options.unknown_employee');
  assert.throws(() => computeReport(ratingExport, 'rating', { from: '2024-02-30' }), (e) => e.code === 'options.bad_value');
  // an id referenced only by a line is in the export
  assert.doesNotThrow(() => computeReport(ratingExport, 'rating', { division: 'D2' }));
  assert.doesNotThrow(() => computeReport(ratingExport, 'rating', { from: '2024-01-03', to: '2024-01-03' }));
});

// ------------------------------------------------------------------ divisions

const divisionsExport = exp([
  { date: '2024-01-01', patient: 'P1', division: 'D1', amount: 10 },
  { date: '2024-01-02', patient: 'P1', division: 'D1', amount: -10 }, // cancels out: 0.00, not empty
  { date: '2024-01-02', patient: 'P1', division: 'D2', amount: 5 },
  { date: '2024-01-02', patient: 'P2', division: 'D2', amount: 20 },
  { date: '2024-01-03', patient: 'P2', amount: 7 },
  { date: '2024-01-03', patient: 'P2', division: 'D3', amount: 50, status: 'cancelled' },
  { date: '2024-01-03', patient: 'P3', division: 'DZ', amount: 1 }, // division not in the table
], {
  divisions: [{ id: 'D1', name: 'Lab' }, { id: 'D2', name: 'Dental' }, { id: 'D3', name: 'X-ray' },
    { id: 'D4', name: 'Allergy' }],
  patients: [{ id: 'P1', name: 'Per' }, { id: 'P2', name: 'Pål' }],
});

test('divisions: empty cells vs 0.00, unknown division, (no division) last, TOTAL row', () => {
  assert.equal(csv(divisionsExport, 'divisions'), lines(
    'patient_id,patient,DZ,Dental,Lab,(no division),total',
    'P2,Pål,,20.00,,7.00,27.00',
    'P1,Per,,5.00,0.00,,5.00',
    'P3,P3,1.00,,,,1.00',
    ',TOTAL,1.00,25.00,0.00,7.00,33.00',
  ));
});

test('divisions: all divisions, top, filters', () => {
  assert.equal(csv(divisionsExport, 'divisions', { allDivisions: true, top: 1 }), lines(
    'patient_id,patient,Allergy,DZ,Dental,Lab,X-ray,(no division),total',
    'P2,Pål,,,20.00,,,7.00,27.00',
    ',TOTAL,,1.00,25.00,0.00,,7.00,33.00',
  ));
  assert.equal(csv(divisionsExport, 'divisions', { division: 'D2' }), lines(
    'patient_id,patient,Dental,total',
    'P2,Pål,20.00,20.00',
    'P1,Per,5.00,5.00',
    ',TOTAL,25.00,25.00',
  ));
  assert.equal(csv(divisionsExport, 'divisions', { to: '2024-01-01' }), lines(
    'patient_id,patient,Lab,total',
    'P1,Per,10.00,10.00',
    ',TOTAL,10.00,10.00',
  ));
  assert.equal(csv(divisionsExport, 'divisions', { from: '2025-01-01' }), lines(
    'patient_id,patient,total',
    ',TOTAL,0.00',
  ));
  assert.equal(csv(divisionsExport, 'divisions', { from: '2025-01-01', allDivisions: true }), lines(
    'patient_id,patient,Allergy,DZ,Dental,Lab,X-ray,total',
    ',TOTAL,,,,,,0.00',
  ));
});

// ------------------------------------------------------------------ loyalty

const L = (patient, date, employee, extra = {}) => ({ patient, date, employee, division: 'D1', amount: 100, ...extra });
const loyaltyExport = exp([
  // P1: two employees on the first day, returns to E1 later
  L('P1', '2024-01-10', 'E1'), L('P1', '2024-01-10', 'E2'), L('P1', '2024-01-20', 'E1', { division: 'D2' }),
  // P2: first line cancelled, first completed visit with E2, comes back to E1 after `to`
  L('P2', '2024-01-05', 'E1', { status: 'cancelled' }), L('P2', '2024-01-12', 'E2'), L('P2', '2024-02-15', 'E1'),
  // P3: an old patient of E1
  L('P3', '2023-12-01', 'E1'), L('P3', '2024-01-15', 'E1'),
  // P4: returns to E3 after `to`, inside a 60-day window
  L('P4', '2024-01-25', 'E3'), L('P4', '2024-03-10', 'E3'),
  // P5: never returns; a cancelled line sets the last date of the export to 2024-03-20
  L('P5', '2024-01-30', 'E3'), L('P5', '2024-03-20', 'E3', { status: 'no-show' }),
  // P6: first visit without an employee
  L('P6', '2024-01-20', undefined), L('P6', '2024-01-22', 'E1'),
], { employees: [{ id: 'E1', name: 'Eva' }, { id: 'E2', name: 'Ole' }, { id: 'E3', name: 'Kari' }] });
const jan = { from: '2024-01-01', to: '2024-01-31' };
const loyaltyHeader = 'employee_id,employee,primary,returned,retention_pct,returned_to_clinic,old,pending';

test('loyalty: primary, returned, returned to clinic, old; returns after `to` do not count', () => {
  assert.equal(csv(loyaltyExport, 'loyalty', jan), lines(
    loyaltyHeader,
    'E1,Eva,1,1,100.0,1,1,',
    'E3,Kari,2,0,0.0,0,0,',
    'E2,Ole,2,0,0.0,1,0,',
    ',TOTAL,4,1,25.0,1,1,',
  ));
});

test('loyalty: a return window crosses `to`; pending', () => {
  assert.equal(csv(loyaltyExport, 'loyalty', { ...jan, returnWindow: 60 }), lines(
    loyaltyHeader,
    'E1,Eva,1,1,100.0,1,1,0',
    'E3,Kari,2,1,50.0,1,0,1',
    'E2,Ole,2,0,0.0,2,0,0',
    ',TOTAL,4,2,50.0,3,1,1',
  ));
  // a 5-day window: P1 returns on day 10 -> too late; nobody is pending (every limit is before 2024-03-20)
  assert.equal(csv(loyaltyExport, 'loyalty', { ...jan, returnWindow: 5 }), lines(
    loyaltyHeader,
    'E1,Eva,1,0,0.0,0,1,0',
    'E3,Kari,2,0,0.0,0,0,0',
    'E2,Ole,2,0,0.0,0,0,0',
    ',TOTAL,4,0,0.0,0,1,0',
  ));
});

test('loyalty: without a period every first visit is in it and nobody is old', () => {
  assert.equal(csv(loyaltyExport, 'loyalty'), lines(
    loyaltyHeader,
    'E1,Eva,2,2,100.0,2,0,',
    'E3,Kari,2,1,50.0,1,0,',
    'E2,Ole,2,0,0.0,2,0,',
    ',TOTAL,5,3,60.0,4,0,',
  ));
});

test('loyalty: division and employee filters', () => {
  assert.equal(csv(loyaltyExport, 'loyalty', { ...jan, division: 'D1' }), lines(
    loyaltyHeader,
    'E1,Eva,1,0,0.0,0,1,',
    'E3,Kari,2,0,0.0,0,0,',
    'E2,Ole,2,0,0.0,0,0,',
    ',TOTAL,4,0,0.0,0,1,',
  ));
  assert.equal(csv(loyaltyExport, 'loyalty', { ...jan, employee: 'E2' }), lines(
    loyaltyHeader,
    'E2,Ole,2,0,0.0,1,0,',
    ',TOTAL,2,0,0.0,1,0,',
  ));
  assert.equal(csv(loyaltyExport, 'loyalty', { from: '2024-06-01' }), lines(
    loyaltyHeader,
    ',TOTAL,0,0,,0,0,',
  ));
});

test('loyalty: new per employee', () => {
  assert.equal(csv(loyaltyExport, 'loyalty', { ...jan, newPerEmployee: true }), lines(
    loyaltyHeader,
    'E1,Eva,2,1,50.0,1,1,',
    'E3,Kari,2,0,0.0,0,0,',
    'E2,Ole,2,0,0.0,1,0,',
    ',TOTAL,5,1,20.0,1,1,',
  ));
  // February: P2's first line with E1 is 2024-02-15 -> primary for E1 although not new to the clinic
  assert.equal(csv(loyaltyExport, 'loyalty', { from: '2024-02-01', to: '2024-02-29', newPerEmployee: true }), lines(
    loyaltyHeader,
    'E1,Eva,1,0,0.0,0,0,',
    ',TOTAL,1,0,0.0,0,0,',
  ));
  assert.equal(csv(loyaltyExport, 'loyalty', { from: '2024-02-01', to: '2024-02-29' }), lines(
    loyaltyHeader,
    'E1,Eva,0,0,,0,1,',
    ',TOTAL,0,0,,0,1,',
  ));
});

// ------------------------------------------------------------------ revenue

const revenueExport = exp([
  { date: '2024-01-01', patient: 'P1', employee: 'E1', amount: '100.00' },
  { date: '2024-01-01', patient: 'P1', employee: 'E1', amount: '25.50', kind: 'goods' },
  { date: '2024-01-02', patient: 'P1', employee: 'E1', amount: '-10.00' },
  { date: '2024-01-02', patient: 'P2', employee: 'E1', amount: '50.00' },
  { date: '2024-01-02', patient: 'P2', employee: 'E2', amount: '165.50' },
  { date: '2024-01-02', patient: 'P2', employee: 'E2', amount: '1000', status: 'cancelled' },
  { date: '2024-01-03', patient: 'P3', amount: '20.00', kind: 'goods' },
  { date: '2024-01-03', patient: 'P3', amount: '5.00', kind: 'goods' },
], { employees: [{ id: 'E1', name: 'Eva' }, { id: 'E2', name: 'Ole' }] });
const revenueHeader = 'employee_id,employee,services_amount,goods_amount,total,share_pct,lines,visits,patients,avg_visit';

test('revenue: services, goods, refunds, ties, (unassigned), TOTAL', () => {
  assert.equal(csv(revenueExport, 'revenue'), lines(
    revenueHeader,
    'E1,Eva,140.00,25.50,165.50,46.5,4,3,2,55.17',
    'E2,Ole,165.50,0.00,165.50,46.5,1,1,1,165.50',
    ',(unassigned),0.00,25.00,25.00,7.0,2,1,1,25.00',
    ',TOTAL,305.50,50.50,356.00,100.0,7,5,3,71.20',
  ));
  assert.equal(csv(revenueExport, 'revenue', { employee: 'E2' }), lines(
    revenueHeader,
    'E2,Ole,165.50,0.00,165.50,100.0,1,1,1,165.50',
    ',TOTAL,165.50,0.00,165.50,100.0,1,1,1,165.50',
  ));
  assert.equal(csv(revenueExport, 'revenue', { from: '2024-05-01' }), lines(
    revenueHeader,
    ',TOTAL,0.00,0.00,0.00,,0,0,0,',
  ));
});

test('revenue: average per visit rounds half away from zero; unknown employee named by id', () => {
  const e = exp([
    { date: '2024-01-01', patient: 'P1', employee: 'EX', amount: '0.05' },
    { date: '2024-01-02', patient: 'P1', employee: 'EX', amount: 0 },
    { date: '2024-01-01', patient: 'P1', employee: 'EY', amount: '-0.05' },
    { date: '2024-01-02', patient: 'P2', employee: 'EY', amount: 0 },
  ]);
  assert.equal(csv(e, 'revenue'), lines(
    revenueHeader,
    'EX,EX,0.05,0.00,0.05,,2,2,1,0.03',
    'EY,EY,-0.05,0.00,-0.05,,2,2,2,-0.03',
    ',TOTAL,0.00,0.00,0.00,,4,4,2,0.00',
  ));
});

// ------------------------------------------------------------------ CLI

test('CLI reads JSON and CSV folders and prints CSV', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'reference-'));
  const json = path.join(dir, 'export.json');
  fs.writeFileSync(json, JSON.stringify(revenueExport));
  const run = (...args) => execFileSync(process.execPath, [cli, ...args], { encoding: 'utf8' });
  const expected = csv(revenueExport, 'revenue', { from: '2024-01-02' });
  assert.equal(run('revenue', json, '--from', '2024-01-02'), expected);

  const folder = path.join(dir, 'csv');
  fs.mkdirSync(folder);
  fs.writeFileSync(path.join(folder, 'employees.csv'), 'id,name,division\nE1,Eva,\nE2,Ole,\n');
  fs.writeFileSync(path.join(folder, 'visits.csv'), 'id,date,patient,employee,division,amount,kind,status,service\r\n'
    + revenueExport.visits.map((v, k) => [k, v.date, v.patient, v.employee ?? '', '', v.amount, v.kind ?? '',
      v.status ?? '', `"service, ${k}"`].join(',')).join('\r\n'));
  assert.equal(run('revenue', folder, '--from', '2024-01-02'), expected);
  fs.rmSync(dir, { recursive: true });
});
