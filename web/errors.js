// The engine's error codes (wasm/core/status.h, plus the few raised by
// wasm/bindings/api.cpp), each with a short hint in plain words for a clinic
// manager. The engine's own message says where (file, line, field, value);
// the hint says what to do about it.

/** @type {Readonly<Record<string, string>>} */
export const ERROR_HINTS = Object.freeze({
  // Input as a whole.
  'input.empty': 'The file is empty. Export the data again from the clinic system.',
  'input.utf16': 'The file is saved as UTF-16 ("Unicode text"). Save it as "CSV UTF-8" or export it again.',
  'input.bad_utf8': 'The file is not UTF-8 text, so names would be garbled. Save it as UTF-8 ("CSV UTF-8" in Excel).',
  'input.nul_byte': 'The file contains binary data. Is it really the clinic export?',
  'input.too_large': 'The export is too large for the memory of this browser tab. Close other tabs and try again, or export a shorter period.',
  'input.no_files': 'No file was given. Choose one JSON export or the CSV files of one export.',
  'input.mixed_files': 'Choose either one JSON file or the CSV files of one export, not both.',
  'input.incomplete': 'The file changed while it was read, or could not be read to its end. Open it again.',
  // JSON.
  'json.syntax': 'The JSON file is damaged or incomplete at the place shown. Export it again.',
  'json.too_deep': 'The JSON file is nested too deeply to be a clinic export.',
  'json.type': 'A value in the JSON file has the wrong type (for example text where a list is expected).',
  'json.format': 'This JSON file is not a clinic export ("format": "clinic-export" is missing).',
  'json.version': 'This export was written in a version of the format this page does not know.',
  'json.missing_field': 'A required value is missing in the JSON file.',
  'json.bad_amount': 'An amount is not a plain number like 12.50 (no currency signs or thousands separators).',
  'json.bad_date': 'A date is not a real date written YYYY-MM-DD.',
  'json.bad_value': 'A value in the JSON file is not one of those allowed.',
  'json.duplicate_id': 'The same id is used twice in one table of the JSON file.',
  'json.no_visits': 'The JSON file has no "visits" list, so there is nothing to report.',
  // CSV.
  'csv.unclosed_quote': 'A quoted cell in the CSV file is never closed; the file may be cut off.',
  'csv.bad_quote': 'A quote character is misplaced in the CSV file.',
  'csv.cell_count': 'A line of the CSV file has more or fewer cells than the header.',
  'csv.missing_column': 'A required column is missing from the CSV file\'s header.',
  'csv.duplicate_column': 'The CSV header names the same column twice.',
  'csv.no_header': 'The CSV file has no header line.',
  'csv.unknown_file': 'This CSV file is not one of visits.csv, patients.csv, employees.csv, divisions.csv, price_lists.csv.',
  'csv.duplicate_file': 'The same CSV table was chosen twice.',
  'csv.no_visits': 'visits.csv is required: choose it together with the other CSV files.',
  'csv.missing_field': 'A required cell is empty in the CSV file.',
  'csv.bad_amount': 'An amount is not a plain number like 12.50 (no currency signs or thousands separators).',
  'csv.bad_date': 'A date is not a real date written YYYY-MM-DD.',
  'csv.bad_value': 'A cell of the CSV file holds a value that is not allowed.',
  'csv.duplicate_id': 'The same id is used twice in one CSV table.',
  // Engine limits and report options.
  'limit.rows': 'The export has more rows than the engine can hold.',
  'limit.ids': 'One table of the export has more different ids than the engine can hold.',
  'limit.amount_total': 'The amounts add up to more than the engine can sum exactly.',
  'options.bad_period': 'The period ends before it starts: check the "from" and "to" dates.',
  'options.bad_value': 'A report option is not valid.',
  'options.unknown_division': 'That division is not in this export.',
  'options.unknown_employee': 'That employee is not in this export.',
  // Raised by the bindings and the page.
  'api.no_export': 'No export is loaded yet.',
  'api.bad_argument': 'The page passed the engine something it cannot use (a bug in the page).',
  'internal': 'Something went wrong inside the report engine. Your data is unchanged; try again or reload the page.',
  'page.read_failed': 'The browser could not read the file. Check that it is still there and try again.',
  'page.worker_failed': 'The report engine could not start in this browser.',
  'page.browser_too_old': 'This browser is too old for the report engine: open the page in a current Chrome, Edge, Firefox or Safari (Safari 16.4 or later).',
  'page.too_large': 'The files are too large to open in a browser tab (about 1.3 GB at most). Export a shorter period, or use the command-line program.',
});

/** A failure of the engine or the page, with a stable code and the engine's details. */
export class ClinicError extends Error {
  /**
   * @param {string} code stable dotted code, e.g. "json.syntax"
   * @param {string} message the engine's sentence (file, line, field, value)
   * @param {{file?: string, line?: number, column?: number, field?: string, value?: string}} [details]
   */
  constructor(code, message, details = {}) {
    super(message);
    this.name = 'ClinicError';
    this.code = code;
    this.details = {
      file: details.file || '',
      line: details.line || 0,
      column: details.column || 0,
      field: details.field || '',
      value: details.value || '',
    };
  }

  /** The hint for this error's code, in plain words. */
  get hint() {
    return hintFor(this.code);
  }

  /** A structured-clone-safe copy, to cross postMessage. */
  toJSON() {
    return { code: this.code, message: this.message, details: this.details };
  }

  /** Rebuilds an error sent by toJSON(). */
  static from(data) {
    return new ClinicError(data.code, data.message, data.details);
  }
}

/** The plain-language hint for a code; the family's hint for an unknown one. */
export function hintFor(code) {
  if (Object.prototype.hasOwnProperty.call(ERROR_HINTS, code)) return ERROR_HINTS[code];
  if (typeof code === 'string' && code.startsWith('options.')) return ERROR_HINTS['options.bad_value'];
  return ERROR_HINTS.internal;
}
