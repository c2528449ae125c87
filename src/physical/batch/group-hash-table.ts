/**
 * An open-addressing hash table from key rows to dense group ids (0, 1, 2, … in order of first
 * appearance), for hash aggregation and DISTINCT. Group ids for a whole batch are resolved in one
 * call; slots are an Int32Array (group id + 1, 0 = empty) probed linearly, each group's hash is
 * kept to skip most key comparisons and to rehash without touching keys. NULL keys are equal to
 * each other (one NULL group). A single integer key (int, date, …) takes a fast path with the keys
 * held inline.
 */
import type * as arrow from 'apache-arrow';
import type { DataType } from '../../common/index.ts';
import { ColumnView, layoutOf } from './column-view.ts';
import { KeyStore } from './key-store.ts';
import { fmix32, hashRows } from './row-hash.ts';
import { allocNumeric, numericColumn } from './build-column.ts';

export class GroupHashTable {
  readonly types: readonly DataType[];
  numGroups = 0;
  private slots: Int32Array;
  private mask: number;
  private groupHashes: Uint32Array;
  private readonly store: KeyStore | null;
  /** Fast path: one `int`-layout key. */
  private readonly intKey: boolean;
  private intKeys: Int32Array;
  private intValid: Uint8Array;
  private nullGroup = -1;
  private hashes = new Uint32Array(0);

  constructor(types: readonly DataType[], initialCapacity = 1024) {
    this.types = types;
    let cap = 16;
    while (cap < initialCapacity * 2) cap *= 2;
    this.slots = new Int32Array(cap);
    this.mask = cap - 1;
    this.groupHashes = new Uint32Array(cap >> 1);
    this.intKey = types.length === 1 && layoutOf(types[0]!).layout === 'int';
    this.intKeys = new Int32Array(this.intKey ? cap >> 1 : 0);
    this.intValid = new Uint8Array(this.intKey ? cap >> 1 : 0);
    this.store = this.intKey ? null : new KeyStore(types);
  }

  /** Resolves the group id of rows `0..n-1` of `keys` into `out`, adding new groups as needed. */
  findOrInsert(keys: readonly arrow.Data[], n: number, out: Int32Array): void {
    const views = keys.map((k, c) => new ColumnView(k, this.types[c]!));
    if (this.intKey) this.findOrInsertInt(views[0]!, n, out);
    else this.findOrInsertGeneric(views, n, out);
  }

  private findOrInsertInt(view: ColumnView, n: number, out: Int32Array): void {
    const ints = view.ints;
    const hasNulls = view.validity !== null || view.allNull;
    for (let i = 0; i < n; i++) {
      if (hasNulls && view.isNull(i)) {
        if (this.nullGroup < 0) {
          this.nullGroup = this.addIntGroup(0, 0, false);
        }
        out[i] = this.nullGroup;
        continue;
      }
      const v = ints[i]!;
      const h = fmix32(v);
      let pos = h & this.mask;
      for (;;) {
        const s = this.slots[pos]!;
        if (s === 0) {
          const g = this.addIntGroup(v, h, true);
          this.slots[pos] = g + 1;
          out[i] = g;
          if (this.numGroups * 2 > this.mask) this.rehash();
          break;
        }
        const g = s - 1;
        if (this.intKeys[g] === v && this.intValid[g] === 1) {
          out[i] = g;
          break;
        }
        pos = (pos + 1) & this.mask;
      }
    }
  }

  private addIntGroup(v: number, h: number, valid: boolean): number {
    const g = this.numGroups++;
    if (g >= this.intKeys.length) {
      const k = new Int32Array(this.intKeys.length * 2);
      k.set(this.intKeys);
      this.intKeys = k;
      const vv = new Uint8Array(this.intValid.length * 2);
      vv.set(this.intValid);
      this.intValid = vv;
      this.growHashes();
    }
    this.intKeys[g] = v;
    this.intValid[g] = valid ? 1 : 0;
    this.groupHashes[g] = h;
    return g;
  }

  private findOrInsertGeneric(views: ColumnView[], n: number, out: Int32Array): void {
    if (this.hashes.length < n) this.hashes = new Uint32Array(n);
    const hashes = hashRows(views, n, this.hashes);
    const store = this.store!;
    for (let i = 0; i < n; i++) {
      const h = hashes[i]!;
      let pos = h & this.mask;
      for (;;) {
        const s = this.slots[pos]!;
        if (s === 0) {
          const g = this.numGroups++;
          if (g >= this.groupHashes.length) this.growHashes();
          this.groupHashes[g] = h;
          store.append(views, i);
          this.slots[pos] = g + 1;
          out[i] = g;
          if (this.numGroups * 2 > this.mask) this.rehash();
          break;
        }
        const g = s - 1;
        if (this.groupHashes[g] === h && store.equals(g, views, i)) {
          out[i] = g;
          break;
        }
        pos = (pos + 1) & this.mask;
      }
    }
  }

  private growHashes(): void {
    const h = new Uint32Array(Math.max(16, this.groupHashes.length * 2));
    h.set(this.groupHashes);
    this.groupHashes = h;
  }

  private rehash(): void {
    const cap = this.slots.length * 2;
    const slots = new Int32Array(cap);
    const mask = cap - 1;
    const gh = this.groupHashes;
    for (let g = 0; g < this.numGroups; g++) {
      if (this.intKey && g === this.nullGroup) continue;
      let pos = gh[g]! & mask;
      while (slots[pos] !== 0) pos = (pos + 1) & mask;
      slots[pos] = g + 1;
    }
    this.slots = slots;
    this.mask = mask;
  }

  /** The key columns, one row per group in group-id order. */
  keyColumns(): arrow.Data[] {
    if (this.store !== null) return this.store.toColumns();
    const type = this.types[0]!;
    const n = this.numGroups;
    const out = allocNumeric(type, n) as Int32Array;
    out.set(this.intKeys.subarray(0, n));
    return [numericColumn(type, out, n, this.nullGroup >= 0 ? this.intValid.slice(0, n) : null)];
  }

  /** Approximate bytes held. */
  size(): number {
    return (
      this.slots.byteLength +
      this.groupHashes.byteLength +
      this.intKeys.byteLength +
      this.intValid.byteLength +
      (this.store?.size() ?? 0)
    );
  }
}
