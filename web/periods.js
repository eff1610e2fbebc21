// Period presets, relative to today's date (not to the export's last date:
// "this month" means the calendar month the manager is in).

export const PRESETS = Object.freeze([
  { id: 'all', label: 'All data' },
  { id: 'this-month', label: 'This month' },
  { id: 'last-month', label: 'Last month' },
  { id: 'this-quarter', label: 'This quarter' },
  { id: 'last-quarter', label: 'Last quarter' },
  { id: 'this-year', label: 'This year' },
  { id: 'last-year', label: 'Last year' },
  { id: 'custom', label: 'Custom dates' },
]);

function iso(year, month0, day) {
  const d = new Date(Date.UTC(year, month0, day));
  return d.toISOString().slice(0, 10);
}

/** [first, last] day of the month `month0` (may be out of 0..11) of `year`. */
function monthSpan(year, month0, months) {
  return { from: iso(year, month0, 1), to: iso(year, month0 + months, 0) };
}

/**
 * The period of a preset as {from, to} ('YYYY-MM-DD' or '' for open ends).
 * @param {string} id a PRESETS id other than 'custom'
 * @param {Date} [today] local date; now by default
 */
export function presetPeriod(id, today = new Date()) {
  const y = today.getFullYear();
  const m = today.getMonth();
  const q = Math.floor(m / 3) * 3;
  switch (id) {
    case 'this-month':
      return monthSpan(y, m, 1);
    case 'last-month':
      return monthSpan(y, m - 1, 1);
    case 'this-quarter':
      return monthSpan(y, q, 3);
    case 'last-quarter':
      return monthSpan(y, q - 3, 3);
    case 'this-year':
      return { from: iso(y, 0, 1), to: iso(y, 11, 31) };
    case 'last-year':
      return { from: iso(y - 1, 0, 1), to: iso(y - 1, 11, 31) };
    default:
      return { from: '', to: '' };
  }
}
