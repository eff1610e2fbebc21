// The export's ids and names as the engine hands them out: one UTF-8 byte
// array per column plus offsets, decoded only when a string is shown. A 1M-line
// export has ~200,000 patients; turning all their ids and names into JS
// strings up front (and copying them from the worker to the page) took about
// a second, while a table shows a few dozen rows at a time.
// Plain data crosses postMessage; wrapEntities() gives it its methods back.

const utf8 = new TextDecoder('utf-8');

export class PackedStrings {
  /**
   * @param {Uint8Array} bytes the strings' UTF-8 bytes, one after the other
   * @param {Uint32Array} offsets string i is bytes[offsets[i], offsets[i + 1])
   */
  constructor(bytes, offsets) {
    this.bytes = bytes;
    this.offsets = offsets;
    this.length = Math.max(0, offsets.length - 1);
    this.decoded = new Array(this.length);
    this.all = null;
  }

  /** String i (decoded once, then kept). */
  get(i) {
    let s = this.decoded[i];
    if (s === undefined) {
      s = utf8.decode(this.bytes.subarray(this.offsets[i], this.offsets[i + 1]));
      this.decoded[i] = s;
    }
    return s;
  }

  /** Every string, as an array (for sorting a whole column or filling a list). */
  toArray() {
    if (!this.all) {
      this.all = new Array(this.length);
      for (let i = 0; i < this.length; ++i) this.all[i] = this.get(i);
    }
    return this.all;
  }
}

function wrapTable(table) {
  return {
    ids: new PackedStrings(table.ids.bytes, table.ids.offsets),
    names: new PackedStrings(table.names.bytes, table.names.offsets),
    declared: table.declared,
  };
}

/**
 * The entity tables with PackedStrings ids and names, from the engine's packed
 * form (as it comes out of wasm, or after a postMessage).
 */
export function wrapEntities(packed) {
  return {
    patients: wrapTable(packed.patients),
    employees: wrapTable(packed.employees),
    divisions: wrapTable(packed.divisions),
    priceLists: wrapTable(packed.priceLists),
    patientPriceList: packed.patientPriceList,
    patientBonusCents: packed.patientBonusCents,
    employeeDivision: packed.employeeDivision,
  };
}
