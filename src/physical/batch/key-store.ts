/**
 * Growable columnar storage of hash-table keys (one stored row per group), laid out like a
 * `ColumnView` so that `equalsRow` compares a batch row with a stored row directly, bytes for
 * strings. `columns()` turns the stored keys into Arrow columns once the table is complete.
 */
import type * as arrow from 'apache-arrow';
import { nullColumn, type DataType } from '../../common/index.ts';
import { allocNumeric, bytesColumn, numericColumn, wordsColumn } from './build-column.ts';
import { layoutOf, type ColumnView, type Layout } from './column-view.ts';

/** One stored key column; structurally a `ColumnView` with bit offset 0. */
export class StoredKeyColumn {
  readonly type: DataType;
  readonly layout: Layout;
  readonly stride: number;
  readonly bitOffset = 0;
  readonly allNull: boolean;
  length = 0;
  capacity: number;
  validity: Uint8Array | null = null;
  ints: Int32Array = new Int32Array(0);
  floats: Float64Array = new Float64Array(0);
  words: Int32Array = new Int32Array(0);
  bits: Uint8Array = new Uint8Array(0);
  bytes: Uint8Array = new Uint8Array(0);
  offsets: Int32Array = new Int32Array(1);
  private byteLength = 0;

  constructor(type: DataType, capacity = 1024) {
    const { layout, stride } = layoutOf(type);
    this.type = type;
    this.layout = layout;
    this.stride = stride;
    this.allNull = layout === 'null';
    this.capacity = 0;
    this.grow(capacity);
  }

  private grow(capacity: number): void {
    const old = this.capacity;
    this.capacity = capacity;
    const copy = <A extends Int32Array | Float64Array | Uint8Array>(
      a: A,
      make: (n: number) => A,
      n: number,
    ): A => {
      const b = make(n);
      b.set(a.subarray(0, Math.min(a.length, n)));
      return b;
    };
    if (this.validity !== null)
      this.validity = copy(this.validity, (n) => new Uint8Array(n), (capacity + 7) >> 3);
    switch (this.layout) {
      case 'null':
        break;
      case 'bool':
        this.bits = copy(this.bits, (n) => new Uint8Array(n), (capacity + 7) >> 3);
        break;
      case 'int':
        this.ints = copy(this.ints, (n) => new Int32Array(n), capacity);
        break;
      case 'float':
        this.floats = copy(this.floats, (n) => new Float64Array(n), capacity);
        break;
      case 'words':
        this.words = copy(this.words, (n) => new Int32Array(n), capacity * this.stride);
        break;
      case 'bytes':
        this.offsets = copy(this.offsets, (n) => new Int32Array(n), capacity + 1);
        if (old === 0) this.bytes = new Uint8Array(capacity * 8);
        break;
    }
  }

  isNull(i: number): boolean {
    if (this.allNull) return true;
    const v = this.validity;
    return v !== null && ((v[i >> 3]! >> (i & 7)) & 1) === 0;
  }

  bit(i: number): number {
    return (this.bits[i >> 3]! >> (i & 7)) & 1;
  }

  /** Appends row `i` of `view` (a column of the same type). */
  append(view: ColumnView, i: number): void {
    const g = this.length;
    if (g === this.capacity) this.grow(this.capacity * 2);
    this.length = g + 1;
    if (view.isNull(i)) {
      if (this.validity === null) {
        this.validity = new Uint8Array((this.capacity + 7) >> 3);
        for (let k = 0; k < g; k++) this.validity[k >> 3]! |= 1 << (k & 7);
      }
      if (this.layout === 'bytes') this.offsets[g + 1] = this.byteLength;
      return;
    }
    if (this.validity !== null) this.validity[g >> 3]! |= 1 << (g & 7);
    switch (this.layout) {
      case 'null':
        break;
      case 'bool':
        if (view.bit(i) === 1) this.bits[g >> 3]! |= 1 << (g & 7);
        break;
      case 'int':
        this.ints[g] = view.ints[i]!;
        break;
      case 'float':
        this.floats[g] = view.floats[i]!;
        break;
      case 'words': {
        const s = this.stride;
        for (let k = 0; k < s; k++) this.words[g * s + k] = view.words[i * s + k]!;
        break;
      }
      case 'bytes': {
        const start = view.offsets[i]!;
        const len = view.offsets[i + 1]! - start;
        const end = this.byteLength + len;
        if (end > this.bytes.length) {
          const b = new Uint8Array(Math.max(end, this.bytes.length * 2));
          b.set(this.bytes.subarray(0, this.byteLength));
          this.bytes = b;
        }
        const dst = this.bytes;
        const src = view.bytes;
        for (let k = 0; k < len; k++) dst[this.byteLength + k] = src[start + k]!;
        this.byteLength = end;
        this.offsets[g + 1] = end;
        break;
      }
    }
  }

  /**
   * True when stored row `g` equals row `i` of `view` (same type): NULL equals NULL, doubles with
   * -0.0 = 0.0 and NaN = NaN, strings by bytes. Reads both sides' arrays directly (one shape each,
   * so the property reads stay monomorphic).
   */
  equalsRow(g: number, view: ColumnView, i: number): boolean {
    const sn = this.isNull(g);
    const vn = view.isNull(i);
    if (sn || vn) return sn && vn;
    switch (this.layout) {
      case 'null':
        return true;
      case 'bool':
        return this.bit(g) === view.bit(i);
      case 'int':
        return this.ints[g] === view.ints[i];
      case 'float': {
        const x = this.floats[g]!;
        const y = view.floats[i]!;
        return x === y || (x !== x && y !== y);
      }
      case 'words': {
        const s = this.stride;
        const a = this.words;
        const b = view.words;
        for (let k = 0; k < s; k++) if (a[g * s + k] !== b[i * s + k]) return false;
        return true;
      }
      case 'bytes': {
        const as = this.offsets[g]!;
        const len = this.offsets[g + 1]! - as;
        const bs = view.offsets[i]!;
        if (view.offsets[i + 1]! - bs !== len) return false;
        const a = this.bytes;
        const b = view.bytes;
        for (let k = 0; k < len; k++) if (a[as + k] !== b[bs + k]) return false;
        return true;
      }
    }
  }

  /** The stored keys as an Arrow column. */
  toColumn(): arrow.Data {
    const n = this.length;
    let valid: Uint8Array | null = null;
    if (this.validity !== null) {
      valid = new Uint8Array(n);
      for (let i = 0; i < n; i++) valid[i] = (this.validity[i >> 3]! >> (i & 7)) & 1;
    }
    switch (this.layout) {
      case 'null':
        return nullColumn(this.type, n);
      case 'bool': {
        const out = new Uint8Array(n);
        for (let i = 0; i < n; i++) out[i] = this.bit(i);
        return numericColumn(this.type, out, n, valid);
      }
      case 'int': {
        const out = allocNumeric(this.type, n);
        (out as Int32Array).set(this.ints.subarray(0, n));
        return numericColumn(this.type, out, n, valid);
      }
      case 'float': {
        const out = allocNumeric(this.type, n);
        (out as Float64Array).set(this.floats.subarray(0, n));
        return numericColumn(this.type, out, n, valid);
      }
      case 'words':
        return wordsColumn(this.type, this.words.slice(0, n * this.stride), n, valid);
      case 'bytes':
        return bytesColumn(
          this.type,
          this.offsets.slice(0, n + 1),
          this.bytes.slice(0, this.byteLength),
          n,
          valid,
        );
    }
  }

  /** Approximate bytes held. */
  size(): number {
    return (
      this.ints.byteLength +
      this.floats.byteLength +
      this.words.byteLength +
      this.bits.byteLength +
      this.bytes.byteLength +
      this.offsets.byteLength
    );
  }
}

/** Key columns stored row by row, compared against batch rows. */
export class KeyStore {
  readonly columns: StoredKeyColumn[];

  constructor(types: readonly DataType[]) {
    this.columns = types.map((t) => new StoredKeyColumn(t));
  }

  get length(): number {
    return this.columns[0]?.length ?? 0;
  }

  append(views: readonly ColumnView[], i: number): void {
    for (let c = 0; c < this.columns.length; c++) this.columns[c]!.append(views[c]!, i);
  }

  /** True when stored row `g` equals row `i` of `views` (NULL equals NULL). */
  equals(g: number, views: readonly ColumnView[], i: number): boolean {
    const cols = this.columns;
    for (let c = 0; c < cols.length; c++) if (!cols[c]!.equalsRow(g, views[c]!, i)) return false;
    return true;
  }

  toColumns(): arrow.Data[] {
    return this.columns.map((c) => c.toColumn());
  }

  size(): number {
    let s = 0;
    for (const c of this.columns) s += c.size();
    return s;
  }
}
