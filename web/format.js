// Display formatting in the browser's locale: money in the export's currency,
// percentages with one decimal, counts with grouping, dates in words.
// Values arrive as integers (cents, tenths of a percent), so formatting is exact.

import { TYPES } from './report-table.js';

function currencyFormat(locale, currency) {
  if (currency) {
    try {
      // The narrow symbol (kr, €, $) keeps wide tables readable; the code is in the header.
      return new Intl.NumberFormat(locale, { style: 'currency', currency, currencyDisplay: 'narrowSymbol', minimumFractionDigits: 2, maximumFractionDigits: 2 });
    } catch {
      // Not an ISO 4217 code: plain decimals, the code shown in the summary.
    }
  }
  return new Intl.NumberFormat(locale, { minimumFractionDigits: 2, maximumFractionDigits: 2 });
}

/**
 * Formatters for one export.
 * @param {string} currency ISO 4217 code or ''
 * @param {string|undefined} [locale] the browser's by default
 */
export function makeFormatters(currency, locale = undefined) {
  const money = currencyFormat(locale, currency);
  const percent = new Intl.NumberFormat(locale, { style: 'percent', minimumFractionDigits: 1, maximumFractionDigits: 1 });
  const count = new Intl.NumberFormat(locale, { maximumFractionDigits: 0 });
  const date = new Intl.DateTimeFormat(locale, { year: 'numeric', month: 'short', day: 'numeric', timeZone: 'UTC' });
  return {
    /** Integer cents; division by 100 is exact to the printed 2 decimals. */
    money: (cents) => money.format(cents / 100),
    /** Tenths of a percent. */
    percent: (tenths) => percent.format(tenths / 1000),
    count: (n) => count.format(n),
    /** 'YYYY-MM-DD' as "15 Mar 2024" in the user's locale. */
    date: (iso) => (iso ? date.format(new Date(`${iso}T00:00:00Z`)) : ''),
    /**
     * A cell as {text, negative}; null or NaN is an empty cell.
     * @param {{type: string}} column
     */
    cell(column, value) {
      if (value === null || value === undefined || (typeof value === 'number' && Number.isNaN(value))) {
        return { text: '', negative: false };
      }
      switch (column.type) {
        case TYPES.money:
          return { text: this.money(value), negative: value < 0 };
        case TYPES.percent:
          return { text: this.percent(value), negative: value < 0 };
        case TYPES.count:
          return { text: this.count(value), negative: value < 0 };
        case TYPES.rank:
          return { text: String(value), negative: false };
        default:
          return { text: String(value), negative: false };
      }
    },
  };
}
