// A semantic <table> that renders only the rows in view: fixed-height rows
// between two spacer rows inside a scroller, a sticky header of sort buttons
// (aria-sort), and a sticky totals row (and, for the cross report, a sticky
// total column). Every cell is set with textContent: export text is never markup.
//
// Rendering never reads a size from the DOM: the scroller's and the header's
// heights come from a ResizeObserver and the scroll position from the scroll
// event, because reading them after the table changed forces a synchronous
// layout of the page (tens of ms for a wide table on a slow machine). A new
// table first gets only the rows in view, and the rows just outside it
// (OVERSCAN) once that frame is painted and the thread is idle; scrolling and
// resizing keep the rows already built and only add or drop those at the edges.

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

function spacer() {
  return el('tr', { className: 'spacer', 'aria-hidden': 'true' });
}

// Heights go through the CSSOM: a style attribute would need 'unsafe-inline' in
// the CSP. Written only when they change: a render that changes nothing
// (a resize of a few pixels) then leaves nothing to restyle.
function setSpacer(tr, height) {
  if (tr.spacerHeight === height) return;
  tr.spacerHeight = height;
  tr.hidden = height <= 0;
  tr.style.height = `${height}px`;
}

/**
 * Runs `fn` once the next frame is painted and the thread is idle: not in the
 * way of what the user does next (another tab, another report).
 */
function whenIdleAfterPaint(fn) {
  requestAnimationFrame(() => {
    if (window.requestIdleCallback) requestIdleCallback(fn, { timeout: 500 });
    else setTimeout(fn, 50);
  });
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
    /** Row order (indexes into the report's rows); null is the report's own order. */
    this.order = null;
    this.sort = { column: -1, descending: false };
    this.rowHeight = 32;
    this.printing = false;
    // Sizes as the ResizeObserver and the scroll event last gave them (0: not yet known).
    this.viewportHeight = 0;
    this.headHeight = 0;
    this.scrollTop = 0;
    // The rows in the DOM: rows[k - first] shows position k of the order, for k in [first, end).
    this.rows = [];
    this.first = 0;
    this.end = 0;
    this.overscan = false;
    this.replacing = false;
    this.scroller = el('div', { className: 'table-scroller', tabindex: '0', role: 'region' });
    this.host.replaceChildren(this.scroller);
    this.scheduled = false;
    this.scroller.addEventListener('scroll', () => {
      // Layout is up to date when scroll events run, so this read is cheap.
      this.scrollTop = this.scroller.scrollTop;
      this.overscan = true;
      this.schedule();
    }, { passive: true });
    this.observer = new ResizeObserver((entries) => this.resized(entries));
    this.observer.observe(this.scroller);
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
    this.order = column >= 0 ? sortOrder(table, column, this.sort.descending) : null;
    this.resetScroll();
    this.build();
    this.overscan = false;
    this.replacing = false;
    this.render();
    whenIdleAfterPaint(() => {
      if (this.table !== table || this.overscan || this.replacing) return;
      this.overscan = true;
      this.render();
    });
  }

  /** A new table is on its way: rows just outside the view are not worth building for this one. */
  willReplace() {
    this.replacing = true;
  }

  /** Replaces the table by a message (an empty period, an error). */
  showMessage(text) {
    this.table = null;
    this.rows = [];
    this.first = 0;
    this.end = 0;
    this.scroller.setAttribute('aria-label', text);
    this.scroller.replaceChildren(el('p', { className: 'table-message', text }));
    this.scroller.dataset.rows = '0';
  }

  /** The current row order (indexes into the report's rows); undefined is the report's own order. */
  currentOrder() {
    return this.order || undefined;
  }

  /** Back to the top, written only when not there already: the write forces a layout. */
  resetScroll() {
    if (this.scrollTop !== 0) this.scroller.scrollTop = 0;
    this.scrollTop = 0;
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
    this.order = this.sort.column >= 0 ? sortOrder(this.table, this.sort.column, this.sort.descending) : null;
    this.updateHeader();
    this.resetScroll(); // the top of the new order
    this.clearRows();
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
    if (this.thead) this.observer.unobserve(this.thead);
    this.thead = el('thead', {}, [el('tr', { 'aria-rowindex': '1' }, this.headerCells)]);
    this.observer.observe(this.thead);
    this.tbody = el('tbody');
    this.topSpacer = spacer();
    this.bottomSpacer = spacer();
    this.clearRows();
    this.tableEl.append(this.thead, this.tbody);
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

  /** The row at position k of the current order. */
  makeRow(k) {
    const { table } = this;
    const i = this.order ? this.order[k] : k;
    const tr = document.createElement('tr');
    tr.setAttribute('aria-rowindex', String(k + 2));
    // Stripes by position in the whole table, so that they stay put while rows
    // come and go at the edges (and no :nth-child restyles every sibling).
    if (k % 2 === 1) tr.className = 'alt';
    const columns = table.columns.length;
    for (let j = 0; j < columns; ++j) tr.append(this.makeCell(j, table.value(i, j), false));
    return tr;
  }

  /** Forgets the rows built (a new order, printing): the next render builds them afresh. */
  clearRows() {
    this.rows = [];
    this.first = 0;
    this.end = 0;
    this.tbody.replaceChildren(this.topSpacer, this.bottomSpacer);
  }

  resized(entries) {
    for (const entry of entries) {
      const box = entry.borderBoxSize && entry.borderBoxSize[0];
      const height = box ? box.blockSize : entry.contentRect.height;
      if (entry.target === this.scroller) {
        this.viewportHeight = entry.contentRect.height;
      } else if (entry.target === this.thead) {
        this.headHeight = height;
      } else if (entry.target === this.sampleRow) {
        // Rows must be exactly rowHeight tall for the spacers to be right.
        this.observer.unobserve(this.sampleRow);
        this.sampleRow = null;
        if (height > 0 && Math.abs(height - this.rowHeight) > 0.5) this.rowHeight = height;
      }
    }
    this.schedule();
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
    if (!this.table || this.table.rowCount === 0) return;
    this.clearRows();
    this.render();
  }

  render() {
    const { table } = this;
    if (!table || table.rowCount === 0) return;
    const n = table.rowCount;
    if (this.printing) {
      if (this.end === 0) this.renderForPrint(n);
      return;
    }
    const top = Math.max(0, this.scrollTop - this.headHeight);
    // Before the observer's first report: the window's height is an upper bound, read without a layout.
    const height = this.viewportHeight || window.innerHeight;
    const extra = this.overscan ? OVERSCAN : 0;
    const first = Math.max(0, Math.floor(top / this.rowHeight) - extra);
    const end = Math.min(n, Math.ceil((top + height) / this.rowHeight) + extra);
    this.showRows(first, end, n);
  }

  /** Makes rows [first, end) the ones in the DOM, keeping those already there. */
  showRows(first, end, n) {
    if (first >= this.end || end <= this.first) {
      this.rows = [];
      for (let k = first; k < end; ++k) this.rows.push(this.makeRow(k));
      this.tbody.replaceChildren(this.topSpacer, ...this.rows, this.bottomSpacer);
    } else {
      for (; this.first < first; ++this.first) this.rows.shift().remove();
      for (; this.end > end; --this.end) this.rows.pop().remove();
      if (first < this.first) {
        const added = [];
        for (let k = first; k < this.first; ++k) added.push(this.makeRow(k));
        this.topSpacer.after(...added);
        this.rows.unshift(...added);
      }
      if (end > this.end) {
        const added = [];
        for (let k = this.end; k < end; ++k) added.push(this.makeRow(k));
        this.bottomSpacer.before(...added);
        this.rows.push(...added);
      }
    }
    this.first = first;
    this.end = end;
    setSpacer(this.topSpacer, first * this.rowHeight);
    setSpacer(this.bottomSpacer, (n - end) * this.rowHeight);
    if (!this.rowHeightMeasured && this.rows.length > 0) {
      this.rowHeightMeasured = true;
      this.sampleRow = this.rows[0];
      this.observer.observe(this.sampleRow);
    }
  }

  renderForPrint(n) {
    const end = Math.min(n, PRINT_ROW_LIMIT);
    const rows = [];
    for (let k = 0; k < end; ++k) rows.push(this.makeRow(k));
    if (end < n) {
      rows.push(el('tr', {}, [el('td', { colspan: String(this.table.columns.length), className: 'empty-note', text: `Only the first ${this.fmt.count(end)} of ${this.fmt.count(n)} rows are printed; save as CSV for all of them.` })]));
    }
    this.tbody.replaceChildren(...rows);
    // Not the window's rows: the next render after printing builds afresh.
    this.rows = [];
    this.first = 0;
    this.end = end;
  }
}
