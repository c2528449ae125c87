/**
 * An open-addressing hash table from key rows to dense group ids (0, 1, 2, … in order of first
 * appearance), for hash aggregation, DISTINCT and the hash join's build side. Group ids for a
 * whole batch are resolved in one call (`findOrInsert`, or `find` which never inserts).
 *
 * The table is one Int32Array of slots (power-of-two count, linear probing, at most half full);
 * each slot holds `group id + 1` (0 = empty) followed inline by what a probe compares first:
 * - one fixed-width key (int, date, boolean, bigint, decimal(p ≤ 18), timestamps, float, double):
 *   the key itself as 1 or 2 Int32 words, so a probe never leaves the slot array. A 64-bit integer
 *   key (bigint, decimal(p ≤ 18), timestamps) takes one word while every key seen fits in 32 bits
 *   (TPC-H's keys do), and the table widens to two words at the first that does not: smaller
 *   slots, half the words to hash and compare (a 1.5M-group table: 65 → 34 ns a row). Doubles are
 *   compared by their bits with -0.0 made 0.0 and every NaN made one NaN; the group keeps its
 *   first value for output.
 * A row whose key equals the row before it takes that row's group without probing: rows sorted or
 * clustered on the key (lineitem on l_orderkey) touch the table once per run.
 * - two keys that each fit one word (integers within 32 bits, strings of at most 3 bytes: Q1's
 *   l_returnflag, l_linestatus): both words inline, as a 64-bit key's two; the first batch with a
 *   key that does not fit (or a NULL) turns the table generic, keeping its group ids.
 * - anything else (several keys, strings, decimal(38), …): the row's 32-bit hash (`hashRows`); the
 *   keys live in a `KeyStore` and are compared only when the hash matches.
 * NULL keys are equal to each other (one NULL group).
 * A one-word integer key whose groups are dense — at most `DIRECT_ENTER_SPREAD` values of the
 * key's range a group when the table grows — leaves hashing for a direct index: an Int32Array
 * with `group id + 1` at `key - base` (TPC-H's orderkeys, partkeys, custkeys). Keys arriving in
 * order then touch memory in order instead of at random (1.5M ascending orderkeys: 107 → 28 ns a
 * row; in random order 110 → 80; a hash partition of two ascending streams 65 → 30). The index grows to take a key beyond its ends while the range stays within
 * `DIRECT_KEEP_SPREAD` values a group and `DIRECT_MAX_ENTRIES`; past that the table hashes again.
 */
import type * as arrow from 'apache-arrow';
import type { DataType } from '../../common/index.ts';
import { ColumnView, layoutOf } from './column-view.ts';
import { KeyStore } from './key-store.ts';
import { fmix32, hashRows } from './row-hash.ts';
import { allocNumeric, bytesColumn, numericColumn, wordsColumn } from './build-column.ts';

/**
 * How a single fixed-width key is turned into Int32 words per batch; 'pair': two keys of one word
 * each (see `packPair`).
 */
type InlineSource = 'int' | 'bool' | 'words' | 'float' | 'pair';

const NAN_HIGH_WORD = 0x7ff80000;

/** Groups up to which a table beyond the caches is probed through a Bloom filter (256 KiB). */
const BLOOM_MAX_GROUPS = 1 << 18;
/** Slot words (128 KiB) up to which a table is taken to be in cache: no touching pass. */
const CACHED_SLOT_WORDS = 1 << 15;
/** Groups a table holds before it considers a direct index (smaller tables stay in cache). */
const DIRECT_MIN_GROUPS = 4096;
/**
 * Key values a group, at most, for a table to take a direct index when it grows; halved each time
 * the table has gone back to hashing, so that a table does not flip between the two.
 */
const DIRECT_ENTER_SPREAD = 16;
/**
 * Key values a group, at most, for a direct index to grow rather than go back to hashing: keys
 * that arrive as a few ascending streams over one range (a hash partition of sorted inputs) are
 * sparse until the streams have covered it.
 */
const DIRECT_KEEP_SPREAD = 32;
/** The largest direct index, in entries (128 MiB). */
const DIRECT_MAX_ENTRIES = 1 << 25;
/** A direct index this large touches each batch's entries before resolving them (see `touched`). */
const DIRECT_TOUCH_ENTRIES = 1 << 18;

export class GroupHashTable {
  readonly types: readonly DataType[];
  numGroups = 0;
  /** Int32 words per slot: 1 + key words (inline keys) or 1 + hash (generic). */
  private stride: number;
  /** Key words per row for inline keys (1 or 2); 0 for the generic path. */
  private keyWords: number;
  private source: InlineSource | null;
  private slots: Int32Array;
  private mask: number;
  /** Groups allowed before the slot array doubles. */
  private limit: number;
  private store: KeyStore | null;
  /** Inline keys: each group's first key as `keyWords` words, in group order. */
  private groupKeys: Int32Array;
  private nullGroup = -1;
  private hashes = new Uint32Array(0);
  private scratchWords = new Int32Array(0);
  private home = new Int32Array(0);
  /** Sink of the slot-touching loops (keeps their loads alive). */
  private touched = 0;
  private scratchFloats = new Float64Array(0);
  private scratchOriginal = new Float64Array(0);
  /** Direct index (one-word integer keys): `group id + 1` at `key - directBase`, or null. */
  private direct: Int32Array | null = null;
  private directBase = 0;
  /** The smallest and largest key in the direct index. */
  private directMin = 0;
  private directMax = 0;
  /** How many times the table has left a direct index. */
  private directLeft = 0;
  /** See `resolveOneWord`: the Bloom filter of the keys, and the group count it was made for. */
  private bloom: Int32Array | null = null;
  private bloomGroups = -1;

  constructor(types: readonly DataType[], initialCapacity = 1024) {
    this.types = types;
    let cap = 16;
    while (cap < initialCapacity * 2) cap *= 2;
    this.source =
      types.length === 1
        ? inlineSource(types[0]!)
        : types.length === 2 && types.every(packable)
          ? 'pair'
          : null;
    // 64-bit integers ('words') start narrow: one word while every key fits in 32 bits.
    this.keyWords = this.source === null ? 0 : this.source === 'float' || this.source === 'pair' ? 2 : 1;
    this.stride = this.source === null ? 2 : 1 + this.keyWords;
    this.slots = new Int32Array(cap * this.stride);
    this.mask = cap - 1;
    this.limit = cap >> 1;
    this.groupKeys = new Int32Array(this.source === null ? 0 : 64 * this.keyWords);
    this.store = this.source === null ? new KeyStore(types) : null;
  }

  /**
   * Resolves the group id of rows `0..n-1` of `keys` into `out`, adding new groups as needed.
   * Rows where `mask` (one byte a row) is 0 are skipped: they get -1 and add no group.
   */
  findOrInsert(
    keys: readonly arrow.Data[],
    n: number,
    out: Int32Array,
    mask: Uint8Array | null = null,
  ): void {
    this.resolve(keys, n, out, true, mask);
  }

  /** Like `findOrInsert` but never adds a group: rows whose key is not in the table get -1. */
  find(keys: readonly arrow.Data[], n: number, out: Int32Array): void {
    this.resolve(keys, n, out, false, null);
  }

  private resolve(
    keys: readonly arrow.Data[],
    n: number,
    out: Int32Array,
    insert: boolean,
    mask: Uint8Array | null,
  ): void {
    if (n === 0) return;
    if (this.source === null) {
      const views = keys.map((k, c) => new ColumnView(k, this.types[c]!));
      this.resolveGeneric(views, n, out, insert, mask);
      return;
    }
    if (this.source === 'pair') {
      this.resolvePair(keys, n, out, insert, mask);
      return;
    }
    const view = new ColumnView(keys[0]!, this.types[0]!);
    if (view.allNull) {
      if (insert && this.nullGroup < 0 && firstKept(mask, 0, n) >= 0) this.nullGroup = this.addNullGroup();
      out.fill(this.nullGroup, 0, n);
      if (mask !== null) for (let i = 0; i < n; i++) if (mask[i] === 0) out[i] = -1;
      return;
    }
    let kw: Int32Array;
    let misfits: Int32Array | null = null;
    if (this.source === 'words' && this.keyWords === 1) {
      const narrowed = this.narrowWords(view.words, n, false);
      if (narrowed !== null) kw = narrowed;
      else if (insert) {
        this.widen();
        kw = view.words;
      } else {
        // Probing a narrow table: a key beyond 32 bits is in no group.
        kw = this.narrowWords(view.words, n, true)!;
        misfits = this.misfitScratch;
      }
    } else kw = this.keyWordsOf(view, n);
    if (insert) this.ensureGroupKeys(this.numGroups + n + 1);
    const ow = this.source === 'float' ? new Int32Array(this.scratchOriginal.buffer, 0, 2 * n) : kw;
    if (view.validity !== null && insert && this.nullGroup < 0) {
      // Reserve the NULL group at the first NULL row so that ids follow first appearance.
      const first = firstNull(view, n, mask);
      if (first >= 0) {
        if (first > 0) this.resolveInline(kw, ow, null, mask, 0, first, out, true);
        this.nullGroup = this.addNullGroup();
        out[first] = this.nullGroup;
        this.resolveInline(kw, ow, view, mask, first + 1, n, out, true);
        return;
      }
    }
    this.resolveInline(kw, ow, view.validity === null ? null : view, mask, 0, n, out, insert);
    if (misfits !== null) {
      for (let i = 0; i < n; i++) if (misfits[i] !== 0) out[i] = -1;
    }
  }

  private misfitScratch = new Int32Array(0);

  /**
   * Two keys of one word each, while every key fits one: a 32-bit integer, a 64-bit one within
   * 32 bits, a string of at most 3 bytes (its length and bytes); a NULL does not. The first batch
   * with a key that does not fit turns the table generic (`toGeneric`), for good; a probe key that
   * does not fit is in no group. TPC-H: partsupp's (ps_partkey, ps_suppkey), Q1's flags.
   */
  private resolvePair(
    keys: readonly arrow.Data[],
    n: number,
    out: Int32Array,
    insert: boolean,
    mask: Uint8Array | null,
  ): void {
    const views = keys.map((k, c) => new ColumnView(k, this.types[c]!));
    if (this.pairWords.length < 2 * n)
      this.pairWords = new Int32Array(Math.max(2 * n, 2 * this.pairWords.length));
    if (!insert && this.misfitScratch.length < n)
      this.misfitScratch = new Int32Array(Math.max(n, this.misfitScratch.length * 2));
    const kw = this.pairWords;
    const misfits = insert ? null : this.misfitScratch;
    if (misfits !== null) misfits.fill(0, 0, n);
    let fits = true;
    for (let c = 0; c < 2 && fits; c++) fits = packPair(views[c]!, n, kw, c, misfits);
    if (!fits) {
      this.toGeneric();
      this.resolveGeneric(views, n, out, true, mask);
      return;
    }
    if (insert) this.ensureGroupKeys(this.numGroups + n + 1);
    this.resolveTwoWords(kw, kw, null, mask, 0, n, out, insert);
    if (misfits !== null) for (let i = 0; i < n; i++) if (misfits[i] !== 0) out[i] = -1;
  }

  private pairWords = new Int32Array(0);

  /** A 'pair' table from now on keyed generically: its groups re-inserted in id order. */
  private toGeneric(): void {
    const columns = this.pairColumns();
    const groups = this.numGroups;
    const cap = this.mask + 1;
    this.source = null;
    this.keyWords = 0;
    this.stride = 2;
    this.slots = new Int32Array(cap * 2);
    this.groupKeys = new Int32Array(0);
    this.store = new KeyStore(this.types);
    this.numGroups = 0;
    if (groups === 0) return;
    const views = columns.map((k, c) => new ColumnView(k, this.types[c]!));
    this.resolveGeneric(views, groups, new Int32Array(groups), true, null);
  }

  /** The key columns of a 'pair' table, one row per group. */
  private pairColumns(): arrow.Data[] {
    const n = this.numGroups;
    const keys = this.groupKeys;
    return this.types.map((type, c) => {
      const layout = layoutOf(type).layout;
      if (layout === 'int') {
        const out = allocNumeric(type, n);
        for (let g = 0; g < n; g++) out[g] = keys[2 * g + c]!;
        return numericColumn(type, out, n, null);
      }
      if (layout === 'words') return wordsColumn(type, signExtend(keys, n, 2, c), n, null);
      const offsets = new Int32Array(n + 1);
      const bytes = new Uint8Array(3 * n);
      let at = 0;
      for (let g = 0; g < n; g++) {
        const w = keys[2 * g + c]!;
        const len = w & 0xff;
        for (let b = 0; b < len; b++) bytes[at++] = (w >>> (8 * (b + 1))) & 0xff;
        offsets[g + 1] = at;
      }
      return bytesColumn(type, offsets, bytes.subarray(0, at), n, null);
    });
  }

  /**
   * The low words of 64-bit keys `0..n-1`. A key beyond 32 bits makes it null — or, with
   * `markMisfits` (probing: such a key is in no group), is marked in `misfitScratch` instead.
   */
  private narrowWords(words: Int32Array, n: number, markMisfits: boolean): Int32Array | null {
    const w = this.wordScratch(n);
    if (markMisfits && this.misfitScratch.length < n)
      this.misfitScratch = new Int32Array(Math.max(n, this.misfitScratch.length * 2));
    const misfit = this.misfitScratch;
    for (let i = 0; i < n; i++) {
      const lo = words[2 * i]!;
      const fits = words[2 * i + 1] === lo >> 31;
      if (markMisfits) misfit[i] = fits ? 0 : 1;
      else if (!fits) return null;
      w[i] = lo;
    }
    return w;
  }

  /** A narrow 64-bit key table takes two words a key from now on: slots and group keys re-laid. */
  private widen(): void {
    if (this.direct !== null) this.leaveDirect();
    const old = this.slots;
    const cap = this.mask + 1;
    const slots = new Int32Array(cap * 3);
    for (let p = 0; p < old.length; p += 2) {
      const s = old[p]!;
      if (s === 0) continue;
      const lo = old[p + 1]!;
      placeTwoWords(slots, this.mask, s, lo, lo >> 31);
    }
    const keys = new Int32Array(Math.max(64, this.groupKeys.length) * 2);
    for (let g = 0; g < this.numGroups; g++) {
      const lo = this.groupKeys[g]!;
      keys[2 * g] = lo;
      keys[2 * g + 1] = lo >> 31;
    }
    this.slots = slots;
    this.groupKeys = keys;
    this.keyWords = 2;
    this.stride = 3;
  }

  /** The batch's keys as Int32 words (`keyWords` per row), normalized for equality. */
  private keyWordsOf(view: ColumnView, n: number): Int32Array {
    switch (this.source) {
      case 'int': {
        const ints = view.ints;
        if (ints instanceof Int32Array) return ints;
        const w = this.wordScratch(n);
        for (let i = 0; i < n; i++) w[i] = ints[i]!;
        return w;
      }
      case 'bool': {
        const w = this.wordScratch(n);
        for (let i = 0; i < n; i++) w[i] = view.bit(i);
        return w;
      }
      case 'words':
        return view.words;
      case 'pair':
        return this.wordScratch(0);
      case 'float': {
        if (this.scratchFloats.length < n) {
          const cap = Math.max(n, this.scratchFloats.length * 2);
          this.scratchFloats = new Float64Array(cap);
          this.scratchOriginal = new Float64Array(cap);
        }
        const src = view.floats;
        const norm = this.scratchFloats;
        const words = new Int32Array(norm.buffer, 0, 2 * n);
        this.scratchOriginal.set(src.subarray(0, n));
        for (let i = 0; i < n; i++) {
          const v = src[i]!;
          if (v !== v) {
            words[2 * i] = 0;
            words[2 * i + 1] = NAN_HIGH_WORD;
          } else norm[i] = v === 0 ? 0 : v;
        }
        return words;
      }
      case null:
        return this.wordScratch(0);
    }
  }

  private homeScratch(n: number): Int32Array {
    if (this.home.length < n) this.home = new Int32Array(Math.max(n, this.home.length * 2));
    return this.home;
  }

  private wordScratch(n: number): Int32Array {
    if (this.scratchWords.length < n)
      this.scratchWords = new Int32Array(Math.max(n, this.scratchWords.length * 2));
    return this.scratchWords;
  }

  private ensureGroupKeys(groups: number): void {
    const need = groups * this.keyWords;
    if (need <= this.groupKeys.length) return;
    const k = new Int32Array(Math.max(need, this.groupKeys.length * 2));
    k.set(this.groupKeys);
    this.groupKeys = k;
  }

  private addNullGroup(): number {
    this.ensureGroupKeys(this.numGroups + 1);
    return this.numGroups++;
  }

  /**
   * Rows `from..to-1` of one inline key: `kw` holds the words compared, `ow` the words kept as the
   * group's key; `nulls` (when not null) is the key column's view, for its validity.
   */
  private resolveInline(
    kw: Int32Array,
    ow: Int32Array,
    nulls: ColumnView | null,
    rowMask: Uint8Array | null,
    from: number,
    to: number,
    out: Int32Array,
    insert: boolean,
  ): void {
    if (this.keyWords === 1) this.resolveOneWord(kw, nulls, rowMask, from, to, out, insert);
    else this.resolveTwoWords(kw, ow, nulls, rowMask, from, to, out, insert);
  }

  private resolveOneWord(
    kw: Int32Array,
    nulls: ColumnView | null,
    rowMask: Uint8Array | null,
    from: number,
    to: number,
    out: Int32Array,
    insert: boolean,
  ): void {
    if (this.direct === null && insert && this.numGroups === 0 && to - from >= DIRECT_MIN_GROUPS)
      this.startDirect(kw, from, to);
    if (this.direct !== null) {
      this.resolveDirect(kw, nulls, rowMask, from, to, out, insert);
      return;
    }
    const validity = nulls === null ? null : nulls.validity;
    const bitOffset = nulls === null ? 0 : nulls.bitOffset;
    const nullGroup = this.nullGroup;
    const groupKeys = this.groupKeys;
    let slots = this.slots;
    let mask = this.mask;
    let limit = this.limit;
    let numGroups = this.numGroups;
    const home = this.homeScratch(to);
    const beyondCaches = slots.length > CACHED_SLOT_WORDS;
    // Lookups in a table beyond the caches: a Bloom filter of its keys (8 bits a key, two set, in
    // cache) turns most absent keys away before their slot is read — a join key step where most
    // probe rows have no match (Q12's orders against 31k lineitem keys).
    const bloom = !insert && beyondCaches && numGroups <= BLOOM_MAX_GROUPS ? this.bloomFilter() : null;
    const bits = bloom === null ? 0 : bloom.length * 32 - 1;
    // Otherwise, beyond the caches: hash every row first and touch its home slot, so that
    // independent loads overlap their misses (-1: not done, rows hash as they go).
    const homeMask = beyondCaches && bloom === null ? mask : -1;
    if (homeMask !== -1) {
      let touched = 0;
      for (let i = from; i < to; i++) {
        const pos = fmix32(kw[i]!) & mask;
        home[i] = pos;
        touched ^= slots[pos << 1]!;
      }
      this.touched = touched;
    }
    // The previous non-NULL row's key and its group (-1: not found; -2: no row yet).
    let prevKey = 0;
    let prevGroup = -2;
    for (let i = from; i < to; i++) {
      if (rowMask !== null && rowMask[i] === 0) {
        out[i] = -1;
        continue;
      }
      if (validity !== null) {
        const j = bitOffset + i;
        if (((validity[j >> 3]! >> (j & 7)) & 1) === 0) {
          out[i] = nullGroup;
          continue;
        }
      }
      const v = kw[i]!;
      if (v === prevKey && prevGroup !== -2) {
        out[i] = prevGroup;
        continue;
      }
      prevKey = v;
      let pos: number;
      if (mask === homeMask) pos = home[i]!;
      else {
        const h = fmix32(v);
        if (bloom !== null && !bloomHas(bloom, bits, h)) {
          out[i] = prevGroup = -1;
          continue;
        }
        pos = h & mask;
      }
      for (;;) {
        const p = pos << 1;
        const s = slots[p]!;
        if (s === 0) {
          if (!insert) {
            out[i] = prevGroup = -1;
            break;
          }
          const g = numGroups++;
          slots[p] = g + 1;
          slots[p + 1] = v;
          groupKeys[g] = v;
          out[i] = prevGroup = g;
          if (numGroups > limit) {
            this.numGroups = numGroups;
            this.rehash();
            if (this.direct !== null) {
              this.resolveDirect(kw, nulls, rowMask, i + 1, to, out, insert);
              return;
            }
            slots = this.slots;
            mask = this.mask;
            limit = this.limit;
          }
          break;
        }
        if (slots[p + 1] === v) {
          out[i] = prevGroup = s - 1;
          break;
        }
        pos = (pos + 1) & mask;
      }
    }
    this.numGroups = numGroups;
  }

  /** The Bloom filter of `resolveOneWord`'s lookups, made again when groups were added since. */
  private bloomFilter(): Int32Array {
    if (this.bloom !== null && this.bloomGroups === this.numGroups) return this.bloom;
    const n = this.numGroups;
    let size = 1024;
    while (size < n * 8) size *= 2;
    const bloom = new Int32Array(size / 32);
    const bits = size - 1;
    const keys = this.groupKeys;
    for (let g = 0; g < n; g++) {
      if (g === this.nullGroup) continue;
      const h = fmix32(keys[g]!);
      const b1 = h & bits;
      const b2 = bloomSecond(h) & bits;
      bloom[b1 >>> 5]! |= 1 << (b1 & 31);
      bloom[b2 >>> 5]! |= 1 << (b2 & 31);
    }
    this.bloom = bloom;
    this.bloomGroups = n;
    return bloom;
  }

  /** `resolveOneWord` over the direct index. */
  private resolveDirect(
    kw: Int32Array,
    nulls: ColumnView | null,
    rowMask: Uint8Array | null,
    from: number,
    to: number,
    out: Int32Array,
    insert: boolean,
  ): void {
    const validity = nulls === null ? null : nulls.validity;
    const bitOffset = nulls === null ? 0 : nulls.bitOffset;
    const nullGroup = this.nullGroup;
    const groupKeys = this.groupKeys;
    let direct = this.direct!;
    let base = this.directBase;
    let size = direct.length;
    let numGroups = this.numGroups;
    let min = this.directMin;
    let max = this.directMax;
    if (size >= DIRECT_TOUCH_ENTRIES) {
      let touched = 0;
      for (let i = from; i < to; i++) {
        const off = kw[i]! - base;
        if (off >= 0 && off < size) touched ^= direct[off]!;
      }
      this.touched = touched;
    }
    for (let i = from; i < to; i++) {
      if (rowMask !== null && rowMask[i] === 0) {
        out[i] = -1;
        continue;
      }
      if (validity !== null) {
        const j = bitOffset + i;
        if (((validity[j >> 3]! >> (j & 7)) & 1) === 0) {
          out[i] = nullGroup;
          continue;
        }
      }
      const v = kw[i]!;
      let off = v - base;
      if (off < 0 || off >= size) {
        if (!insert) {
          out[i] = -1;
          continue;
        }
        this.numGroups = numGroups;
        this.directMin = min;
        this.directMax = max;
        if (!this.growDirect(v)) {
          // Too sparse now: hash the rest.
          this.resolveOneWord(kw, nulls, rowMask, i, to, out, insert);
          return;
        }
        direct = this.direct!;
        base = this.directBase;
        size = direct.length;
        min = this.directMin;
        max = this.directMax;
        off = v - base;
      }
      const s = direct[off]!;
      if (s !== 0) out[i] = s - 1;
      else if (insert) {
        const g = numGroups++;
        direct[off] = g + 1;
        groupKeys[g] = v;
        out[i] = g;
        if (v < min) min = v;
        if (v > max) max = v;
      } else out[i] = -1;
    }
    this.numGroups = numGroups;
    this.directMin = min;
    this.directMax = max;
  }

  /** Whether the keys' range is dense enough for a direct index (`spread` values a group). */
  private static denseRange(range: number, groups: number, spread: number): boolean {
    return range <= DIRECT_MAX_ENTRIES && range <= spread * Math.max(groups, DIRECT_MIN_GROUPS);
  }

  /**
   * Switches a growing one-word integer table to a direct index when its groups' keys are dense.
   * True when it did.
   */
  private enterDirect(): boolean {
    if (this.keyWords !== 1 || (this.source !== 'int' && this.source !== 'words')) return false;
    const n = this.numGroups;
    if (n < DIRECT_MIN_GROUPS) return false;
    const keys = this.groupKeys;
    let min = Infinity;
    let max = -Infinity;
    for (let g = 0; g < n; g++) {
      if (g === this.nullGroup) continue;
      const k = keys[g]!;
      if (k < min) min = k;
      if (k > max) max = k;
    }
    const range = max - min + 1;
    if (!GroupHashTable.denseRange(range, n, DIRECT_ENTER_SPREAD >> this.directLeft)) return false;
    // Room to grow upward: keys sorted on arrival keep extending the top.
    const size = Math.min(DIRECT_MAX_ENTRIES, range * 2);
    const direct = new Int32Array(size);
    for (let g = 0; g < n; g++) if (g !== this.nullGroup) direct[keys[g]! - min] = g + 1;
    this.direct = direct;
    this.directBase = min;
    this.directMin = min;
    this.directMax = max;
    this.slots = new Int32Array(0);
    return true;
  }

  /**
   * An empty table given a large first batch (a join's build side, sized for it up front, never
   * grows and so never reaches `enterDirect`): a direct index from the start when the batch's keys
   * are dense over its rows.
   */
  private startDirect(kw: Int32Array, from: number, to: number): void {
    if (this.keyWords !== 1 || (this.source !== 'int' && this.source !== 'words') || this.directLeft > 0)
      return;
    let min = Infinity;
    let max = -Infinity;
    for (let i = from; i < to; i++) {
      const k = kw[i]!;
      if (k < min) min = k;
      if (k > max) max = k;
    }
    const range = max - min + 1;
    if (!GroupHashTable.denseRange(range, to - from, DIRECT_ENTER_SPREAD)) return;
    this.direct = new Int32Array(Math.min(DIRECT_MAX_ENTRIES, range));
    this.directBase = min;
    this.directMin = min;
    this.directMax = min;
    this.slots = new Int32Array(0);
  }

  /**
   * Makes the direct index reach key `v` — with as much room again beyond `v`, for keys arriving
   * in order — or, when the keys' range would be too sparse or too large, hashes the table again
   * and answers false.
   */
  private growDirect(v: number): boolean {
    const lo = Math.min(this.directMin, v);
    const hi = Math.max(this.directMax, v);
    const need = hi - lo + 1;
    if (!GroupHashTable.denseRange(need, this.numGroups + 1, DIRECT_KEEP_SPREAD)) {
      this.leaveDirect();
      return false;
    }
    const size = Math.min(DIRECT_MAX_ENTRIES, 2 * need);
    const newBase = v < this.directMin ? hi - size + 1 : lo;
    const direct = new Int32Array(size);
    const old = this.direct!;
    const from = this.directMin - this.directBase;
    direct.set(old.subarray(from, this.directMax - this.directBase + 1), this.directMin - newBase);
    this.direct = direct;
    this.directBase = newBase;
    this.directMin = lo;
    this.directMax = hi;
    return true;
  }

  /** A direct-index table hashes again: its groups placed in slots sized for them. */
  private leaveDirect(): void {
    const n = this.numGroups;
    let cap = 16;
    while (cap < 4 * (n + 1)) cap *= 2;
    const mask = cap - 1;
    const slots = new Int32Array(cap * 2);
    const keys = this.groupKeys;
    for (let g = 0; g < n; g++) {
      if (g === this.nullGroup) continue;
      const w = keys[g]!;
      let pos = fmix32(w) & mask;
      while (slots[pos << 1] !== 0) pos = (pos + 1) & mask;
      slots[pos << 1] = g + 1;
      slots[(pos << 1) + 1] = w;
    }
    this.slots = slots;
    this.mask = mask;
    this.limit = cap >> 1;
    this.direct = null;
    this.directLeft++;
  }

  private resolveTwoWords(
    kw: Int32Array,
    ow: Int32Array,
    nulls: ColumnView | null,
    rowMask: Uint8Array | null,
    from: number,
    to: number,
    out: Int32Array,
    insert: boolean,
  ): void {
    const validity = nulls === null ? null : nulls.validity;
    const bitOffset = nulls === null ? 0 : nulls.bitOffset;
    const nullGroup = this.nullGroup;
    const groupKeys = this.groupKeys;
    let slots = this.slots;
    let mask = this.mask;
    let limit = this.limit;
    let numGroups = this.numGroups;
    const home = this.homeScratch(to);
    const homeMask = slots.length > CACHED_SLOT_WORDS ? mask : -1;
    if (homeMask !== -1) {
      let touched = 0;
      for (let i = from; i < to; i++) {
        const pos = hashTwo(kw[2 * i]!, kw[2 * i + 1]!) & mask;
        home[i] = pos;
        touched ^= slots[pos * 3]!;
      }
      this.touched = touched;
    }
    let prevLo = 0;
    let prevHi = 0;
    let prevGroup = -2;
    for (let i = from; i < to; i++) {
      if (rowMask !== null && rowMask[i] === 0) {
        out[i] = -1;
        continue;
      }
      if (validity !== null) {
        const j = bitOffset + i;
        if (((validity[j >> 3]! >> (j & 7)) & 1) === 0) {
          out[i] = nullGroup;
          continue;
        }
      }
      const lo = kw[2 * i]!;
      const hi = kw[2 * i + 1]!;
      if (lo === prevLo && hi === prevHi && prevGroup !== -2) {
        out[i] = prevGroup;
        continue;
      }
      prevLo = lo;
      prevHi = hi;
      let pos = mask === homeMask ? home[i]! : hashTwo(lo, hi) & mask;
      for (;;) {
        const p = pos * 3;
        const s = slots[p]!;
        if (s === 0) {
          if (!insert) {
            out[i] = prevGroup = -1;
            break;
          }
          const g = numGroups++;
          slots[p] = g + 1;
          slots[p + 1] = lo;
          slots[p + 2] = hi;
          groupKeys[2 * g] = ow[2 * i]!;
          groupKeys[2 * g + 1] = ow[2 * i + 1]!;
          out[i] = prevGroup = g;
          if (numGroups > limit) {
            this.numGroups = numGroups;
            this.rehash();
            slots = this.slots;
            mask = this.mask;
            limit = this.limit;
          }
          break;
        }
        if (slots[p + 1] === lo && slots[p + 2] === hi) {
          out[i] = prevGroup = s - 1;
          break;
        }
        pos = (pos + 1) & mask;
      }
    }
    this.numGroups = numGroups;
  }

  private resolveGeneric(
    views: ColumnView[],
    n: number,
    out: Int32Array,
    insert: boolean,
    rowMask: Uint8Array | null,
  ): void {
    if (this.hashes.length < n) this.hashes = new Uint32Array(Math.max(n, this.hashes.length * 2));
    const hashes = hashRows(views, n, this.hashes);
    const store = this.store!;
    const only = views.length === 1 ? views[0]! : null;
    if (only !== null && only.layout === 'bytes' && only.validity === null && !only.allNull) {
      this.resolveBytes(only, hashes, n, out, insert, rowMask);
      return;
    }
    let slots = this.slots;
    let mask = this.mask;
    let limit = this.limit;
    let touched = 0;
    if (slots.length > CACHED_SLOT_WORDS)
      for (let i = 0; i < n; i++) touched ^= slots[(hashes[i]! & mask) << 1]!;
    this.touched = touched;
    for (let i = 0; i < n; i++) {
      if (rowMask !== null && rowMask[i] === 0) {
        out[i] = -1;
        continue;
      }
      const h = hashes[i]! | 0;
      let pos = h & mask;
      for (;;) {
        const p = pos << 1;
        const s = slots[p]!;
        if (s === 0) {
          if (!insert) {
            out[i] = -1;
            break;
          }
          const g = this.numGroups++;
          store.append(views, i);
          slots[p] = g + 1;
          slots[p + 1] = h;
          out[i] = g;
          if (this.numGroups > limit) {
            this.rehash();
            slots = this.slots;
            mask = this.mask;
            limit = this.limit;
          }
          break;
        }
        if (slots[p + 1] === h && store.equals(s - 1, views, i)) {
          out[i] = s - 1;
          break;
        }
        pos = (pos + 1) & mask;
      }
    }
  }

  /** `resolveGeneric` for one string/binary key without NULLs in the batch: bytes compared inline. */
  private resolveBytes(
    view: ColumnView,
    hashes: Uint32Array,
    n: number,
    out: Int32Array,
    insert: boolean,
    rowMask: Uint8Array | null,
  ): void {
    const store = this.store!;
    const stored = store.columns[0]!;
    const offsets = view.offsets;
    const bytes = view.bytes;
    let slots = this.slots;
    let mask = this.mask;
    let limit = this.limit;
    let touched = 0;
    if (slots.length > CACHED_SLOT_WORDS)
      for (let i = 0; i < n; i++) touched ^= slots[(hashes[i]! & mask) << 1]!;
    this.touched = touched;
    const views = [view];
    for (let i = 0; i < n; i++) {
      if (rowMask !== null && rowMask[i] === 0) {
        out[i] = -1;
        continue;
      }
      const h = hashes[i]! | 0;
      const start = offsets[i]!;
      const len = offsets[i + 1]! - start;
      let pos = h & mask;
      for (;;) {
        const p = pos << 1;
        const s = slots[p]!;
        if (s === 0) {
          if (!insert) {
            out[i] = -1;
            break;
          }
          const g = this.numGroups++;
          store.append(views, i);
          slots[p] = g + 1;
          slots[p + 1] = h;
          out[i] = g;
          if (this.numGroups > limit) {
            this.rehash();
            slots = this.slots;
            mask = this.mask;
            limit = this.limit;
          }
          break;
        }
        if (slots[p + 1] === h) {
          const g = s - 1;
          const so = stored.offsets;
          const ss = so[g]!;
          if (so[g + 1]! - ss === len && !stored.isNull(g)) {
            const sb = stored.bytes;
            let k = 0;
            while (k < len && sb[ss + k] === bytes[start + k]) k++;
            if (k === len) {
              out[i] = g;
              break;
            }
          }
        }
        pos = (pos + 1) & mask;
      }
    }
  }

  /** Doubles the slot count, re-placing every group from what its slot holds. */
  private rehash(): void {
    if (this.enterDirect()) return;
    const old = this.slots;
    const cap = (this.mask + 1) * 2;
    const mask = cap - 1;
    const slots = new Int32Array(cap * this.stride);
    if (this.stride === 3) {
      for (let p = 0; p < old.length; p += 3) {
        const s = old[p]!;
        if (s !== 0) placeTwoWords(slots, mask, s, old[p + 1]!, old[p + 2]!);
      }
    } else {
      // Two words per slot: the second is the hash itself (generic) or the key (one-word key).
      const mix = this.source !== null;
      for (let p = 0; p < old.length; p += 2) {
        const s = old[p]!;
        if (s === 0) continue;
        const w = old[p + 1]!;
        let pos = (mix ? fmix32(w) : w) & mask;
        while (slots[pos << 1] !== 0) pos = (pos + 1) & mask;
        slots[pos << 1] = s;
        slots[(pos << 1) + 1] = w;
      }
    }
    this.slots = slots;
    this.mask = mask;
    this.limit = cap >> 1;
  }

  /** The key columns, one row per group in group-id order. */
  keyColumns(): arrow.Data[] {
    if (this.store !== null) return this.store.toColumns();
    if (this.source === 'pair') return this.pairColumns();
    const type = this.types[0]!;
    const n = this.numGroups;
    let valid: Uint8Array | null = null;
    if (this.nullGroup >= 0) {
      valid = new Uint8Array(n).fill(1);
      valid[this.nullGroup] = 0;
    }
    switch (this.source) {
      case 'int':
      case 'bool': {
        const out = type.kind === 'boolean' ? new Uint8Array(n) : allocNumeric(type, n);
        out.set(this.groupKeys.subarray(0, n));
        return [numericColumn(type, out, n, valid)];
      }
      case 'words': {
        if (this.keyWords === 2) return [wordsColumn(type, this.groupKeys.slice(0, 2 * n), n, valid)];
        return [wordsColumn(type, signExtend(this.groupKeys, n, 1, 0), n, valid)];
      }
      case 'float': {
        const out = allocNumeric(type, n);
        out.set(new Float64Array(this.groupKeys.slice(0, 2 * n).buffer));
        return [numericColumn(type, out, n, valid)];
      }
      case null:
        return [];
    }
  }

  /** Approximate bytes held. */
  size(): number {
    return (
      this.slots.byteLength +
      (this.direct?.byteLength ?? 0) +
      (this.bloom?.byteLength ?? 0) +
      this.groupKeys.byteLength +
      this.hashes.byteLength +
      this.scratchWords.byteLength +
      this.scratchFloats.byteLength +
      this.scratchOriginal.byteLength +
      (this.store?.size() ?? 0)
    );
  }
}

/** 64-bit words of `n` 32-bit keys `keys[stride * g + at]`, sign-extended. */
function signExtend(keys: Int32Array, n: number, stride: number, at: number): Int32Array {
  const words = new Int32Array(2 * n);
  for (let g = 0; g < n; g++) {
    const lo = keys[stride * g + at]!;
    words[2 * g] = lo;
    words[2 * g + 1] = lo >> 31;
  }
  return words;
}

/** Whether a key of `type` can be one word of a 'pair' (an integer, a date, a string). */
function packable(type: DataType): boolean {
  const { layout, stride } = layoutOf(type);
  return layout === 'int' || (layout === 'words' && stride === 2) || layout === 'bytes';
}

/**
 * Key column `view`'s rows as word `c` of each row's two in `kw`. False when one does not fit
 * (NULL, beyond 32 bits, over 3 bytes) — unless `misfits` is given: then such rows are marked.
 */
function packPair(
  view: ColumnView,
  n: number,
  kw: Int32Array,
  c: number,
  misfits: Int32Array | null,
): boolean {
  const validity = view.allNull ? null : view.validity;
  if (view.allNull || (validity !== null && misfits === null)) return false;
  switch (view.layout) {
    case 'int': {
      const ints = view.ints;
      for (let i = 0; i < n; i++) kw[2 * i + c] = ints[i]!;
      break;
    }
    case 'words': {
      const words = view.words;
      for (let i = 0; i < n; i++) {
        const lo = words[2 * i]!;
        if (words[2 * i + 1] !== lo >> 31) {
          if (misfits === null) return false;
          misfits[i] = 1;
        }
        kw[2 * i + c] = lo;
      }
      break;
    }
    default: {
      const offsets = view.offsets;
      const bytes = view.bytes;
      for (let i = 0; i < n; i++) {
        const start = offsets[i]!;
        const len = offsets[i + 1]! - start;
        if (len > 3) {
          if (misfits === null) return false;
          misfits[i] = 1;
          continue;
        }
        // The length, then up to three bytes (unrolled: most keys are one byte, Q1's flags).
        let w = len;
        if (len > 0) {
          w |= bytes[start]! << 8;
          if (len > 1) {
            w |= bytes[start + 1]! << 16;
            if (len > 2) w |= bytes[start + 2]! << 24;
          }
        }
        kw[2 * i + c] = w;
      }
    }
  }
  if (validity !== null) for (let i = 0; i < n; i++) if (view.isNull(i)) misfits![i] = 1;
  return true;
}

/** The inline source of a single key of `type`, or null when it takes the generic path. */
function inlineSource(type: DataType): InlineSource | null {
  const { layout, stride } = layoutOf(type);
  switch (layout) {
    case 'int':
      return 'int';
    case 'bool':
      return 'bool';
    case 'float':
      return 'float';
    case 'words':
      return stride === 2 ? 'words' : null;
    case 'null':
    case 'bytes':
      return null;
  }
}

/** A second hash from a key's `fmix32` for the Bloom filter's second bit. */
function bloomSecond(h: number): number {
  return Math.imul(h ^ (h >>> 15), 0x2c1b3c6d) >>> 7;
}

/** Whether both Bloom bits of the key hashed to `h` are set (`bits`: the filter's size - 1). */
function bloomHas(bloom: Int32Array, bits: number, h: number): boolean {
  const b1 = h & bits;
  const b2 = bloomSecond(h) & bits;
  return ((bloom[b1 >>> 5]! >>> (b1 & 31)) & (bloom[b2 >>> 5]! >>> (b2 & 31)) & 1) === 1;
}

/** The hash of a two-word key. */
function hashTwo(lo: number, hi: number): number {
  return fmix32(lo ^ Math.imul(hi, 0x9e3779b1));
}

/** Puts slot value `s` with key (`lo`, `hi`) in the first free three-word slot from its home. */
function placeTwoWords(slots: Int32Array, mask: number, s: number, lo: number, hi: number): void {
  let pos = hashTwo(lo, hi) & mask;
  while (slots[pos * 3] !== 0) pos = (pos + 1) & mask;
  slots[pos * 3] = s;
  slots[pos * 3 + 1] = lo;
  slots[pos * 3 + 2] = hi;
}

/** The first NULL row of `view` below `n` that `mask` keeps, or -1. */
function firstNull(view: ColumnView, n: number, mask: Uint8Array | null): number {
  const v = view.validity;
  if (v === null) return -1;
  const off = view.bitOffset;
  for (let i = 0; i < n; i++) {
    const j = off + i;
    if (((v[j >> 3]! >> (j & 7)) & 1) === 0 && (mask === null || mask[i] !== 0)) return i;
  }
  return -1;
}

/** The first row in `from..to-1` that `mask` keeps, or -1. */
function firstKept(mask: Uint8Array | null, from: number, to: number): number {
  if (mask === null) return from < to ? from : -1;
  for (let i = from; i < to; i++) if (mask[i] !== 0) return i;
  return -1;
}
