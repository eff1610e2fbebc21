// A semantic <table> that renders only the rows in view: fixed-height rows
// between two spacer rows inside a scroller, a sticky header of sort buttons
// (aria-sort), and a sticky totals row (and, for the cross report, a sticky
// total column). Every cell is set with textContent: export text is never markup.

import { isNumeric, sortOrder, TYPES } from './report-table.js';

const OVERSCAN = 8;
const PRINT_ROW_LIMIT = 20000;

function el(tag, props = {}, children = []) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (key === 'className') node.className = value;
    else if (key === 'text') node.textContent = value;
    else if (value !== undefined && value !== null && value !== false) node.setAttribute(key, value === true ? '' : value);
  }
  for (const child of children) node.append(child);
  return node;
}

// Heights go through the CSSOM: a style attribute would need 'unsafe-inline' in the CSP.
function spacer(height) {
  const tr = el('tr', { className: 'spacer', 'aria-hidden': 'true' });
  tr.style.height = `${height}px`;
  return tr;
}

export class TableView {
  /**
   * @param {HTMLElement} host where the scroller goes
   * @param {{onSortChange?: (sort: {column: string|null, descending: boolean}) => void}} [hooks]
   */
  constructor(host, hooks = {}) {
    this.host = host;
    this.hooks = hooks;
    this.table = null;
    this.order = null;
    this.sort = { column: -1, descending: false };
    this.rowHeight = 32;
    this.printing = false;
    this.scroller = el('div', { className: 'table-scroller', tabindex: '0', role: 'region' });
    this.host.replaceChildren(this.scroller);
    this.scheduled = false;
    this.scroller.addEventListener('scroll', () => this.schedule(), { passive: true });
    new ResizeObserver(() => this.schedule()).observe(this.scroller);
  }

  /**
   * Shows a table.
   * @param {object} table from buildTable()
   * @param {object} fmt from makeFormatters()
   * @param {{label: string, stickyLastColumn?: boolean, rowHeaderColumn?: number, sortKey?: string|null, sortDescending?: boolean, empty?: string}} options
   */
  show(table, fmt, options) {
    this.table = table;
    this.fmt = fmt;
    this.options = options;
    const column = options.sortKey ? table.columns.findIndex((c) => (c.header === options.sortKey)) : -1;
    this.sort = { column, descending: column >= 0 && Boolean(options.sortDescending) };
    this.order = sortOrder(table, this.sort.column, this.sort.descending);
    this.build();
    this.scroller.scrollTop = 0;
    this.render();
  }

  /** Replaces the table by a message (an empty period, an error). */
  showMessage(text) {
    this.table = null;
    this.scroller.setAttribute('aria-label', text);
    this.scroller.replaceChildren(el('p', { className: 'table-message', text }));
    this.scroller.dataset.rows = '0';
  }

  /** The current row order (indexes into the report's rows). */
  currentOrder() {
    return this.order;
  }

  toggleSort(column) {
    const numeric = isNumeric(this.table.columns[column]);
    if (this.sort.column !== column) {
      this.sort = { column, descending: numeric };
    } else if (this.sort.descending === numeric) {
      this.sort = { column, descending: !numeric };
    } else {
      this.sort = { column: -1, descending: false }; // third click: the report's own order
    }
    this.order = sortOrder(this.table, this.sort.column, this.sort.descending);
    this.updateHeader();
    this.scroller.scrollTop = 0; // the top of the new order
    this.render();
    if (this.hooks.onSortChange) {
      this.hooks.onSortChange({
        column: this.sort.column >= 0 ? this.table.columns[this.sort.column].header : null,
        descending: this.sort.descending,
      });
    }
  }

  build() {
    const { table, options } = this;
    const last = table.columns.length - 1;
    const classes = (j) => {
      const c = table.columns[j];
      const list = [isNumeric(c) ? 'num' : 'text'];
      if (c.type === TYPES.abc) list.push('abc');
      if (options.stickyLastColumn && j === last) list.push('sticky-right');
      if (j === options.rowHeaderColumn) list.push(options.stickyLastColumn ? 'row-head sticky-left' : 'row-head');
      return list.join(' ');
    };
    this.cellClasses = table.columns.map((_, j) => classes(j));

    this.headerCells = table.columns.map((c, j) => {
      const button = el('button', { type: 'button', className: 'sort-button' }, [
        el('span', { className: 'label', text: c.label }),
        el('span', { className: 'sort-icon', 'aria-hidden': 'true' }),
      ]);
      button.addEventListener('click', () => this.toggleSort(j));
      return el('th', { scope: 'col', className: this.cellClasses[j] }, [button]);
    });
    const rowCount = table.rowCount + 2;
    this.tableEl = el('table', { 'aria-rowcount': String(rowCount) }, [
      el('caption', { className: 'visually-hidden', text: options.label }),
    ]);
    const thead = el('thead', {}, [el('tr', { 'aria-rowindex': '1' }, this.headerCells)]);
    this.tbody = el('tbody');
    this.tableEl.append(thead, this.tbody);
    if (table.total) {
      const cells = table.columns.map((c, j) => this.makeCell(j, table.total[j], true));
      this.tableEl.append(el('tfoot', {}, [el('tr', { 'aria-rowindex': String(rowCount), className: 'total-row' }, cells)]));
    }
    this.scroller.setAttribute('aria-label', options.label);
    this.scroller.replaceChildren(this.tableEl);
    if (table.rowCount === 0) {
      this.tbody.append(el('tr', {}, [el('td', { colspan: String(table.columns.length), className: 'empty-note', text: options.empty || 'No rows.' })]));
    }
    this.scroller.dataset.rows = String(table.rowCount);
    this.updateHeader();
  }

  updateHeader() {
    this.headerCells.forEach((th, j) => {
      const active = j === this.sort.column;
      const dir = this.sort.descending ? 'descending' : 'ascending';
      th.setAttribute('aria-sort', active ? dir : 'none');
      th.querySelector('.sort-icon').textContent = active ? (this.sort.descending ? '▼' : '▲') : '';
      const label = this.table.columns[j].label;
      th.querySelector('button').title = active
        ? `Sorted ${dir} by ${label}; click to ${this.sort.descending === isNumeric(this.table.columns[j]) ? 'reverse' : 'restore the report order'}`
        : `Sort by ${label}`;
    });
  }

  makeCell(column, value, isTotal) {
    const c = this.table.columns[column];
    const { text, negative } = this.fmt.cell(c, value);
    const rowHead = column === this.options.rowHeaderColumn;
    const td = document.createElement(rowHead ? 'th' : 'td');
    if (rowHead) td.scope = 'row';
    td.className = this.cellClasses[column] + (negative ? ' negative' : '') + (isTotal ? ' total' : '');
    td.textContent = text;
    if (!isNumeric(c) && text.length > 24) td.title = text;
    return td;
  }

  schedule() {
    if (this.scheduled || !this.table) return;
    this.scheduled = true;
    requestAnimationFrame(() => {
      this.scheduled = false;
      this.render();
    });
  }

  /** Renders every row (up to a limit) for printing, or back to the window. */
  setPrinting(printing) {
    this.printing = printing;
    this.render();
  }

  render() {
    const { table } = this;
    if (!table || table.rowCount === 0) return;
    const n = table.rowCount;
    let first;
    let end;
    if (this.printing) {
      first = 0;
      end = Math.min(n, PRINT_ROW_LIMIT);
    } else {
      const headHeight = this.tableEl.tHead ? this.tableEl.tHead.offsetHeight : 0;
      const top = Math.max(0, this.scroller.scrollTop - headHeight);
      const visible = Math.ceil((this.scroller.clientHeight || 600) / this.rowHeight);
      first = Math.max(0, Math.floor(top / this.rowHeight) - OVERSCAN);
      end = Math.min(n, first + visible + 2 * OVERSCAN);
    }
    const rows = [];
    if (first > 0) rows.push(spacer(first * this.rowHeight));
    const columns = table.columns.length;
    for (let k = first; k < end; ++k) {
      const i = this.order[k];
      const tr = document.createElement('tr');
      tr.setAttribute('aria-rowindex', String(k + 2));
      for (let j = 0; j < columns; ++j) tr.append(this.makeCell(j, table.value(i, j), false));
      rows.push(tr);
    }
    if (end < n && !this.printing) rows.push(spacer((n - end) * this.rowHeight));
    if (end < n && this.printing) {
      rows.push(el('tr', {}, [el('td', { colspan: String(columns), className: 'empty-note', text: `Only the first ${end} of ${n} rows are printed; save as CSV for all of them.` })]));
    }
    this.tbody.replaceChildren(...rows);
    // Rows must be exactly rowHeight tall for the spacers to be right. Measured
    // once (reading a size forces a layout of the table, ~50 ms on a big one,
    // which would otherwise run on every scroll step).
    const sample = this.rowHeightMeasured ? null : this.tbody.querySelector('tr:not(.spacer)');
    if (sample && !this.printing) {
      this.rowHeightMeasured = true;
      const h = sample.getBoundingClientRect().height;
      if (h > 0 && Math.abs(h - this.rowHeight) > 0.5) {
        this.rowHeight = h;
        this.schedule();
      }
    }
  }
}
