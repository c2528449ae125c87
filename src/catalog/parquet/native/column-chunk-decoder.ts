/**
 * Decodes one flat column chunk (all pages of one column in one row group) into typed arrays:
 * dictionary page, data pages v1 and v2, PLAIN and dictionary (RLE_DICTIONARY / PLAIN_DICTIONARY)
 * values, RLE booleans, and RLE definition levels of max level 1. Values land at their row in
 * preallocated outputs (fixed-width bytes, boolean bits, or Utf8-style offsets + bytes) with a
 * validity bitmap; NULL rows hold zeros / empty strings. No per-value allocation.
 *
 * With a selection (ascending row indices of the chunk), only those rows are produced, compacted:
 * a page none of whose rows is selected is not even decompressed, and of the others only the
 * selected values are gathered or copied (a dictionary page's indices are still all unpacked, the
 * lengths of a PLAIN byte-array page all walked). A scan that has already filtered on other
 * columns decodes this one for the surviving rows alone (late materialization).
 */
import { decompressPage, type NativeCodec } from './decompress.ts';
import { CorruptPageError, NativeUnsupportedError } from './native-errors.ts';
import { Encoding, PageType, readPageHeader, type PageHeader } from './page-header.ts';
import { decodeHybrid, decodeHybridAt } from './rle-hybrid-decoder.ts';

export type NativePhysicalType =
  'BOOLEAN' | 'INT32' | 'INT64' | 'FLOAT' | 'DOUBLE' | 'BYTE_ARRAY' | 'FIXED_LEN_BYTE_ARRAY';

export interface ChunkSpec {
  readonly physical: NativePhysicalType;
  /** Bytes per value of FIXED_LEN_BYTE_ARRAY. */
  readonly typeLength: number;
  /** 0 for REQUIRED columns, 1 for OPTIONAL ones. */
  readonly maxDefinitionLevel: 0 | 1;
  readonly codec: NativeCodec;
  readonly rows: number;
  /** Pages are decoded until at least this many rows are (a LIMIT); the result may hold more. */
  readonly rowLimit: number;
}

export type DecodedValues =
  | { readonly kind: 'fixed'; readonly width: number; readonly bytes: Uint8Array }
  | { readonly kind: 'bits'; readonly bits: Uint8Array }
  | { readonly kind: 'bytes'; readonly offsets: Int32Array; readonly data: Uint8Array };

/** A dictionary-encoded chunk as its dictionary and each row's entry. */
export interface DictionaryIndices {
  /** The entries, then one NULL (at index `rows - 1`). */
  readonly dictionary: DecodedChunk;
  /** Per row, its entry's index; -1 for NULL. */
  readonly indices: Int32Array;
}

export interface DecodedChunk {
  readonly rows: number;
  /** Bit set = valid; null when no row is NULL. */
  readonly validity: Uint8Array | null;
  readonly nullCount: number;
  readonly values: DecodedValues;
}

type Dictionary =
  | { readonly kind: 'fixed'; readonly size: number; readonly words: Int32Array; readonly bytes: Uint8Array }
  | {
      readonly kind: 'bytes';
      readonly size: number;
      readonly offsets: Int32Array;
      readonly data: Uint8Array;
      readonly maxLength: number;
    };

function widthOf(spec: ChunkSpec): number {
  switch (spec.physical) {
    case 'INT32':
    case 'FLOAT':
      return 4;
    case 'INT64':
    case 'DOUBLE':
      return 8;
    case 'FIXED_LEN_BYTE_ARRAY':
      return spec.typeLength;
    case 'BOOLEAN':
    case 'BYTE_ARRAY':
      return 0;
  }
}

/** An Int32Array over `bytes[start, start + 4·words)`, copied when the start is not 4-aligned. */
function int32View(bytes: Uint8Array, start: number, words: number): Int32Array {
  const at = bytes.byteOffset + start;
  if (at % 4 === 0) return new Int32Array(bytes.buffer, at, words);
  return new Int32Array(bytes.slice(start, start + 4 * words).buffer);
}

/** A data page opened for its values: decompressed bytes, where the values start, how many. */
interface OpenPage {
  readonly page: Uint8Array;
  readonly p: number;
  readonly nonNull: number;
}

function readInt32LE(b: Uint8Array, p: number): number {
  return b[p]! | (b[p + 1]! << 8) | (b[p + 2]! << 16) | (b[p + 3]! << 24);
}

/**
 * Scratch arrays (unpacked indices, definition levels, value positions) shared by the decoders of
 * a thread: a chunk's decoding runs to its end before another starts, so one set serves them all,
 * grown as pages need, instead of a fresh set of page-sized arrays for every column chunk.
 */
const scratchPool = {
  scratch: new Int32Array(0),
  levels: new Int32Array(0),
  valueIndexes: new Int32Array(0),
  ranks: new Int32Array(0),
  selected: new Int32Array(0),
};

class ChunkDecoder {
  private readonly spec: ChunkSpec;
  private readonly width: number;
  private readonly validity: Uint8Array | null;
  private nullCount = 0;
  private readonly fixed: Uint8Array | null;
  private readonly fixed32: Int32Array | null;
  private readonly bits: Uint8Array | null;
  private readonly offsets: Int32Array | null;
  private data: Uint8Array;
  private dataLength = 0;
  private dictionary: Dictionary | null = null;
  // Scratch arrays, taken from the thread's pool and handed back grown (see `scratchPool`).
  private scratch = scratchPool.scratch;
  private levels = scratchPool.levels;

  /** `chunk` is only the start of the column chunk: running out of it asks for the rest. */
  private readonly prefix: boolean;
  /** The rows to produce (ascending), or null for all. */
  private readonly selection: Int32Array | null;
  /** Selected rows' value indexes within their page (-1: NULL), and a page's value ranks. */
  private valueIndexes = scratchPool.valueIndexes;
  private ranks = scratchPool.ranks;

  constructor(
    spec: ChunkSpec,
    byteHint: number,
    prefix: boolean,
    selection: Int32Array | null,
    outputs = true,
  ) {
    this.spec = spec;
    this.prefix = prefix;
    this.selection = selection;
    this.width = widthOf(spec);
    const rows = !outputs ? 0 : selection === null ? spec.rows : selection.length;
    this.validity = spec.maxDefinitionLevel === 1 ? new Uint8Array((rows + 7) >> 3) : null;
    this.fixed = this.width > 0 ? new Uint8Array(rows * this.width) : null;
    this.fixed32 =
      this.fixed !== null && this.width % 4 === 0
        ? new Int32Array(this.fixed.buffer, 0, (rows * this.width) / 4)
        : null;
    this.bits = spec.physical === 'BOOLEAN' ? new Uint8Array((rows + 7) >> 3) : null;
    this.offsets = spec.physical === 'BYTE_ARRAY' ? new Int32Array(rows + 1) : null;
    this.data = new Uint8Array(spec.physical === 'BYTE_ARRAY' ? Math.max(64, byteHint) : 0);
  }

  decode(chunk: Uint8Array): DecodedChunk {
    const selection = this.selection;
    try {
      this.walkPages(chunk, (h, body, row, n, from, to) => {
        if (selection === null) this.readDataPage(h, body, row, n);
        else this.readSelectedPage(h, body, row, n, from, to);
      });
    } finally {
      this.releaseScratch();
    }
    const produced = selection === null ? this.rowsRead : selection.length;
    if (this.offsets !== null) this.offsets[produced] = this.dataLength;
    const validity = this.nullCount > 0 ? this.validity : null;
    const values: DecodedValues =
      this.fixed !== null
        ? { kind: 'fixed', width: this.width, bytes: this.fixed }
        : this.bits !== null
          ? { kind: 'bits', bits: this.bits }
          : { kind: 'bytes', offsets: this.offsets!, data: this.data.subarray(0, this.dataLength) };
    return { rows: produced, validity, nullCount: this.nullCount, values };
  }

  /**
   * The dictionary and, per (selected) row, its entry's index (-1: NULL); null when a data page is
   * not dictionary-encoded (a writer that fell back to PLAIN) or the column has no dictionary.
   */
  decodeIndices(chunk: Uint8Array): DictionaryIndices | null {
    const selection = this.selection;
    const out = new Int32Array(selection === null ? this.spec.rows : selection.length);
    let dictionaryPages = true;
    try {
      this.walkPages(chunk, (h, body, row, n, from, to) => {
        if (!dictionaryPages) return;
        if (h.encoding !== Encoding.plainDictionary && h.encoding !== Encoding.rleDictionary) {
          dictionaryPages = false;
          return;
        }
        const { page, p, nonNull } = this.openDataPage(h, body, n);
        if (selection === null && nonNull === n) {
          this.readIndicesInto(page, p, n, out, from);
          return;
        }
        const vi = this.valueIndexesOf(row, n, nonNull, from, to, false);
        out.set(this.selectedIndices(page, p, nonNull, vi, to - from).subarray(0, to - from), from);
      });
    } finally {
      this.releaseScratch();
    }
    const dict = this.dictionary;
    if (!dictionaryPages || dict === null) return null;
    const size = dict.size;
    // The entries and one NULL after them (the entry of index -1 once shifted by the caller).
    const validity = new Uint8Array((size + 8) >> 3).fill(0xff);
    validity[size >> 3]! &= ~(1 << (size & 7));
    let values: DecodedValues;
    if (dict.kind === 'bytes') {
      const offsets = new Int32Array(size + 2);
      offsets.set(dict.offsets.subarray(0, size + 1));
      offsets[size + 1] = offsets[size]!;
      values = { kind: 'bytes', offsets, data: dict.data };
    } else {
      const bytes = new Uint8Array((size + 1) * this.width);
      bytes.set(dict.bytes.subarray(0, size * this.width));
      values = { kind: 'fixed', width: this.width, bytes };
    }
    return { dictionary: { rows: size + 1, validity, nullCount: 1, values }, indices: out };
  }

  /** Rows decoded so far (after `walkPages`: all of them, or up to the LIMIT's page). */
  private rowsRead = 0;

  /**
   * Walks the chunk's pages: reads the dictionary page, and hands each data page that holds
   * wanted rows to `dataPage` with its first row, the values it decodes (`n`, fewer under a
   * LIMIT) and the output rows `[from, to)` it fills (all of them without a selection).
   */
  private walkPages(
    chunk: Uint8Array,
    dataPage: (h: PageHeader, body: Uint8Array, row: number, n: number, from: number, to: number) => void,
  ): void {
    const rows = this.spec.rows;
    const selection = this.selection;
    const wanted = selection === null ? Math.min(rows, Math.max(0, this.spec.rowLimit)) : rows;
    let pos = 0;
    let row = 0;
    // Selected rows before the current page.
    let selected = 0;
    while (row < wanted) {
      if (pos >= chunk.length) {
        if (this.prefix) throw new NeedMoreBytes();
        throw new CorruptPageError(`column chunk ends after ${row} of ${rows} rows`);
      }
      let h: PageHeader;
      try {
        h = readPageHeader(chunk, pos, chunk.length);
      } catch (err) {
        if (this.prefix && err instanceof CorruptPageError) throw new NeedMoreBytes();
        throw err;
      }
      const bodyEnd = h.bodyStart + h.compressedSize;
      if (bodyEnd > chunk.length) {
        if (this.prefix) throw new NeedMoreBytes();
        throw new CorruptPageError('page runs past the end of the column chunk');
      }
      pos = bodyEnd;
      switch (h.type) {
        case PageType.dictionary:
          this.readDictionary(h, chunk.subarray(h.bodyStart, bodyEnd));
          break;
        case PageType.data:
        case PageType.dataV2: {
          if (h.numValues > rows - row) {
            throw new CorruptPageError(`page holds ${h.numValues} values, only ${rows - row} rows are left`);
          }
          // Under a LIMIT, only the page's first values that are wanted.
          const take = Math.min(h.numValues, wanted - row);
          const body = chunk.subarray(h.bodyStart, bodyEnd);
          if (selection === null) {
            dataPage(h, body, row, take, row, row + take);
          } else {
            let end = selected;
            while (end < selection.length && selection[end]! < row + take) end++;
            if (end > selected) dataPage(h, body, row, take, selected, end);
            selected = end;
          }
          row += take;
          break;
        }
        default:
          break; // index pages and unknown page types carry nothing we need
      }
    }
    this.rowsRead = row;
  }

  private scratchOf(n: number): Int32Array {
    if (this.scratch.length < n) this.scratch = new Int32Array(Math.max(n, this.scratch.length * 2));
    return this.scratch;
  }

  private readDictionary(h: PageHeader, body: Uint8Array): void {
    if (h.encoding !== Encoding.plain && h.encoding !== Encoding.plainDictionary) {
      throw new NativeUnsupportedError(`dictionary page encoding ${h.encoding}`);
    }
    const page = decompressPage(this.spec.codec, body, h.uncompressedSize);
    const n = h.numValues;
    if (this.spec.physical === 'BYTE_ARRAY') {
      const offsets = new Int32Array(n + 1);
      let p = 0;
      let total = 0;
      let maxLength = 0;
      for (let i = 0; i < n; i++) {
        if (p + 4 > page.length) throw new CorruptPageError('dictionary page ends early');
        const len = readInt32LE(page, p);
        if (len < 0 || p + 4 + len > page.length) throw new CorruptPageError('dictionary page ends early');
        p += 4 + len;
        total += len;
        if (len > maxLength) maxLength = len;
        offsets[i + 1] = total;
      }
      const data = new Uint8Array(total);
      p = 0;
      for (let i = 0; i < n; i++) {
        const len = offsets[i + 1]! - offsets[i]!;
        data.set(page.subarray(p + 4, p + 4 + len), offsets[i]);
        p += 4 + len;
      }
      this.dictionary = { kind: 'bytes', size: n, offsets, data, maxLength };
      return;
    }
    if (this.spec.physical === 'BOOLEAN') throw new NativeUnsupportedError('dictionary-encoded booleans');
    const w = this.width;
    if (n * w > page.length) throw new CorruptPageError('dictionary page ends early');
    const bytes = page.slice(0, n * w);
    const words = w % 4 === 0 ? new Int32Array(bytes.buffer, 0, (n * w) / 4) : new Int32Array(0);
    this.dictionary = { kind: 'fixed', size: n, words, bytes };
  }

  /**
   * A data page's values, decompressed, and where they start; its first `n` definition levels are
   * decoded into `levels` (when the column is nullable).
   */
  private openDataPage(h: PageHeader, body: Uint8Array, n: number): OpenPage {
    let page: Uint8Array;
    let p = 0;
    let nonNull = n;
    const maxDef = this.spec.maxDefinitionLevel;
    if (h.type === PageType.dataV2) {
      if (h.repLevelsByteLength !== 0) throw new NativeUnsupportedError('repetition levels');
      const levelBytes = h.defLevelsByteLength;
      if (levelBytes < 0 || levelBytes > body.length)
        throw new CorruptPageError('definition levels run past the page');
      if (maxDef === 1) {
        nonNull = this.readLevels(body, 0, levelBytes, n);
      } else if (levelBytes !== 0) {
        throw new CorruptPageError('definition levels in a required column');
      }
      const rest = body.subarray(levelBytes);
      const restSize = h.uncompressedSize - levelBytes;
      page = h.isCompressed ? decompressPage(this.spec.codec, rest, restSize) : rest;
    } else {
      page = decompressPage(this.spec.codec, body, h.uncompressedSize);
      if (maxDef === 1) {
        if (h.defLevelEncoding !== Encoding.rle)
          throw new NativeUnsupportedError('BIT_PACKED definition levels');
        if (page.length < 4) throw new CorruptPageError('definition levels run past the page');
        const len = readInt32LE(page, 0);
        if (len < 0 || 4 + len > page.length)
          throw new CorruptPageError('definition levels run past the page');
        nonNull = this.readLevels(page, 4, 4 + len, n);
        p = 4 + len;
      }
    }
    switch (h.encoding) {
      case Encoding.plain:
      case Encoding.plainDictionary:
      case Encoding.rleDictionary:
        break;
      case Encoding.rle:
        if (this.spec.physical !== 'BOOLEAN') throw new NativeUnsupportedError('RLE-encoded values');
        break;
      default:
        throw new NativeUnsupportedError(`value encoding ${h.encoding}`);
    }
    return { page, p, nonNull };
  }

  /** Decodes the first `n` values of a data page into rows `row…`. */
  private readDataPage(h: PageHeader, body: Uint8Array, row: number, n: number): void {
    const { page, p, nonNull } = this.openDataPage(h, body, n);
    if (this.spec.maxDefinitionLevel === 1) this.setValidity(n, row);
    switch (h.encoding) {
      case Encoding.plain:
        this.readPlain(page, p, n, nonNull, row);
        return;
      case Encoding.plainDictionary:
      case Encoding.rleDictionary:
        this.readDictionaryIndices(page, p, n, nonNull, row);
        return;
      default:
        this.readRleBooleans(page, p, n, nonNull, row);
    }
  }

  /**
   * Decodes the selected rows `selection[from, to)` of a data page holding rows `row…row + n` into
   * output rows `from…to`.
   */
  private readSelectedPage(
    h: PageHeader,
    body: Uint8Array,
    row: number,
    n: number,
    from: number,
    to: number,
  ): void {
    const { page, p, nonNull } = this.openDataPage(h, body, n);
    const m = to - from;
    const vi = this.valueIndexesOf(row, n, nonNull, from, to, true);
    switch (h.encoding) {
      case Encoding.plain:
        this.gatherPlain(page, p, nonNull, vi, m, from);
        return;
      case Encoding.plainDictionary:
      case Encoding.rleDictionary:
        this.gatherDictionary(this.selectedIndices(page, p, nonNull, vi, m), m, from);
        return;
      default: {
        const values = this.rleBooleans(page, p, nonNull);
        const bits = this.bits!;
        for (let j = 0; j < m; j++) {
          const v = vi[j]!;
          const o = from + j;
          if (v >= 0 && values[v] !== 0) bits[o >> 3]! |= 1 << (o & 7);
        }
      }
    }
  }

  /**
   * For output rows `[from, to)` (selected rows, or with no selection rows `from…to` themselves)
   * of a page holding rows `row…row + n` with `nonNull` values: each one's value index in the page,
   * -1 for NULL (its validity bit set when `setValidity`).
   */
  private valueIndexesOf(
    row: number,
    n: number,
    nonNull: number,
    from: number,
    to: number,
    setValidity: boolean,
  ): Int32Array {
    const selection = this.selection;
    const m = to - from;
    if (this.valueIndexes.length < m)
      this.valueIndexes = new Int32Array(Math.max(m, 2 * this.valueIndexes.length));
    const vi = this.valueIndexes;
    const localOf = (j: number): number => (selection === null ? from + j : selection[from + j]!) - row;
    if (nonNull === n) {
      for (let j = 0; j < m; j++) vi[j] = localOf(j);
      if (setValidity && this.spec.maxDefinitionLevel === 1) {
        const validity = this.validity!;
        for (let o = from; o < to; o++) validity[o >> 3]! |= 1 << (o & 7);
      }
      return vi;
    }
    if (this.ranks.length < n) this.ranks = new Int32Array(Math.max(n, 2 * this.ranks.length));
    const ranks = this.ranks;
    const levels = this.levels;
    let valid = 0;
    for (let i = 0; i < n; i++) {
      ranks[i] = valid;
      valid += levels[i]!;
    }
    const validity = this.validity;
    for (let j = 0; j < m; j++) {
      const local = localOf(j);
      if (levels[local] === 1) {
        vi[j] = ranks[local]!;
        if (setValidity) {
          const o = from + j;
          validity![o >> 3]! |= 1 << (o & 7);
        }
      } else {
        vi[j] = -1;
        if (setValidity) this.nullCount++;
      }
    }
    return vi;
  }

  /** PLAIN values `vi[j]` (of the page's `k`) → output rows `out + j`; -1 leaves a NULL row. */
  private gatherPlain(page: Uint8Array, p: number, k: number, vi: Int32Array, m: number, out: number): void {
    switch (this.spec.physical) {
      case 'BOOLEAN': {
        if (p + ((k + 7) >> 3) > page.length) throw new CorruptPageError('page values end early');
        const bits = this.bits!;
        for (let j = 0; j < m; j++) {
          const v = vi[j]!;
          const o = out + j;
          if (v >= 0 && (page[p + (v >> 3)]! >> (v & 7)) & 1) bits[o >> 3]! |= 1 << (o & 7);
        }
        return;
      }
      case 'BYTE_ARRAY': {
        // Where each value starts (all lengths are walked and checked), then the selected copied.
        const starts = this.scratchOf(k + 1);
        let q = p;
        for (let j = 0; j < k; j++) {
          if (q + 4 > page.length) throw new CorruptPageError('page values end early');
          const len = readInt32LE(page, q);
          if (len < 0 || q + 4 + len > page.length) throw new CorruptPageError('page values end early');
          starts[j] = q + 4;
          q += 4 + len;
        }
        starts[k] = q + 4;
        // Value v lies at starts[v] … starts[v + 1] - 4 (the next value's length comes between).
        this.gatherByteValues(page, starts, 4, vi, m, out);
        return;
      }
      default: {
        const w = this.width;
        if (p + k * w > page.length) throw new CorruptPageError('page values end early');
        if (w === 4 || w === 8) {
          const src = int32View(page, p, (k * w) >> 2);
          const dst = this.fixed32!;
          if (w === 4) {
            for (let j = 0; j < m; j++) {
              const v = vi[j]!;
              if (v >= 0) dst[out + j] = src[v]!;
            }
          } else {
            for (let j = 0; j < m; j++) {
              const v = vi[j]!;
              if (v < 0) continue;
              const r = 2 * (out + j);
              dst[r] = src[2 * v]!;
              dst[r + 1] = src[2 * v + 1]!;
            }
          }
          return;
        }
        const dst = this.fixed!;
        for (let j = 0; j < m; j++) {
          const v = vi[j]!;
          if (v < 0) continue;
          dst.set(page.subarray(p + v * w, p + (v + 1) * w), (out + j) * w);
        }
      }
    }
  }

  /**
   * Byte values `idx[j]` of `src` → output rows `out + j` (-1 leaves a NULL row): value x is
   * `src[startOf[x] … startOf[x + 1] - gap)`.
   */
  private gatherByteValues(
    src: Uint8Array,
    startOf: Int32Array,
    gap: number,
    idx: Int32Array,
    m: number,
    out: number,
  ): void {
    let room = 0;
    for (let j = 0; j < m; j++) {
      const x = idx[j]!;
      if (x >= 0) room += startOf[x + 1]! - gap - startOf[x]!;
    }
    this.ensureData(room);
    const offsets = this.offsets!;
    const data = this.data;
    let at = this.dataLength;
    for (let j = 0; j < m; j++) {
      offsets[out + j] = at;
      const x = idx[j]!;
      if (x < 0) continue;
      const from = startOf[x]!;
      const end = startOf[x + 1]! - gap;
      if (end - from < 32) {
        for (let b = from; b < end; b++) data[at++] = src[b]!;
      } else {
        data.set(src.subarray(from, end), at);
        at += end - from;
      }
    }
    this.dataLength = at;
  }

  /** Dictionary entries `ix[j]` → output rows `out + j`; -1 leaves a NULL row. */
  private gatherDictionary(ix: Int32Array, m: number, out: number): void {
    const dict = this.dictionary!;
    if (dict.kind === 'bytes') {
      this.gatherByteValues(dict.data, dict.offsets, 0, ix, m, out);
      return;
    }
    const w = this.width;
    if (w === 4 || w === 8) {
      const words = dict.words;
      const dst = this.fixed32!;
      if (w === 4) {
        for (let j = 0; j < m; j++) {
          const x = ix[j]!;
          if (x >= 0) dst[out + j] = words[x]!;
        }
      } else {
        for (let j = 0; j < m; j++) {
          if (ix[j]! < 0) continue;
          const x = 2 * ix[j]!;
          const r = 2 * (out + j);
          dst[r] = words[x]!;
          dst[r + 1] = words[x + 1]!;
        }
      }
      return;
    }
    const dst = this.fixed!;
    const src = dict.bytes;
    for (let j = 0; j < m; j++) {
      const x = ix[j]!;
      if (x < 0) continue;
      dst.set(src.subarray(x * w, (x + 1) * w), (out + j) * w);
    }
  }

  /** Decodes `n` definition levels into `levels` (0 or 1 each); returns the non-NULL count. */
  private readLevels(bytes: Uint8Array, start: number, end: number, n: number): number {
    if (this.levels.length < n) this.levels = new Int32Array(Math.max(n, this.levels.length * 2));
    const levels = this.levels;
    decodeHybrid(bytes, start, end, 1, levels, 0, n);
    let nonNull = 0;
    for (let i = 0; i < n; i++) {
      const l = levels[i]!;
      if (l === 1) nonNull++;
      else if (l !== 0) throw new CorruptPageError(`definition level ${l} above the maximum 1`);
    }
    return nonNull;
  }

  /** Sets the validity bits of rows `row…row + n` from the page's decoded levels. */
  private setValidity(n: number, row: number): void {
    const levels = this.levels;
    const validity = this.validity!;
    for (let i = 0; i < n; i++) {
      if (levels[i] === 1) {
        const r = row + i;
        validity[r >> 3]! |= 1 << (r & 7);
      } else this.nullCount++;
    }
  }

  private isValid(r: number): boolean {
    return ((this.validity![r >> 3]! >> (r & 7)) & 1) === 1;
  }

  private readPlain(page: Uint8Array, p: number, n: number, k: number, row: number): void {
    switch (this.spec.physical) {
      case 'BOOLEAN': {
        if (p + ((k + 7) >> 3) > page.length) throw new CorruptPageError('page values end early');
        const bits = this.bits!;
        let j = 0;
        for (let i = 0; i < n; i++) {
          const r = row + i;
          if (k !== n && !this.isValid(r)) continue;
          const b = p + (j >> 3);
          if ((page[b]! >> (j & 7)) & 1) bits[r >> 3]! |= 1 << (r & 7);
          j++;
        }
        return;
      }
      case 'BYTE_ARRAY':
        this.readPlainBytes(page, p, n, k, row);
        return;
      case 'INT32':
      case 'INT64':
      case 'FLOAT':
      case 'DOUBLE':
      case 'FIXED_LEN_BYTE_ARRAY': {
        const w = this.width;
        if (p + k * w > page.length) throw new CorruptPageError('page values end early');
        const out = this.fixed!;
        if (k === n) {
          out.set(page.subarray(p, p + n * w), row * w);
          return;
        }
        if (w === 4 || w === 8) {
          const wordsPer = w >> 2;
          const src = int32View(page, p, k * wordsPer);
          const dst = this.fixed32!;
          let j = 0;
          for (let i = 0; i < n; i++) {
            const r = row + i;
            if (!this.isValid(r)) continue;
            if (wordsPer === 1) dst[r] = src[j++]!;
            else {
              dst[2 * r] = src[2 * j]!;
              dst[2 * r + 1] = src[2 * j + 1]!;
              j++;
            }
          }
          return;
        }
        let j = 0;
        for (let i = 0; i < n; i++) {
          const r = row + i;
          if (!this.isValid(r)) continue;
          for (let b = 0; b < w; b++) out[r * w + b] = page[p + j * w + b]!;
          j++;
        }
        return;
      }
    }
  }

  private ensureData(extra: number): void {
    const need = this.dataLength + extra;
    if (need <= this.data.length) return;
    if (need > 0x7fffffff) throw new CorruptPageError('column chunk holds more than 2 GB of bytes');
    const grown = new Uint8Array(Math.min(0x7fffffff, Math.max(need, this.data.length * 2)));
    grown.set(this.data.subarray(0, this.dataLength));
    this.data = grown;
  }

  private readPlainBytes(page: Uint8Array, p: number, n: number, k: number, row: number): void {
    // First pass: validate lengths and size the output.
    let q = p;
    for (let j = 0; j < k; j++) {
      if (q + 4 > page.length) throw new CorruptPageError('page values end early');
      const len = readInt32LE(page, q);
      if (len < 0 || q + 4 + len > page.length) throw new CorruptPageError('page values end early');
      q += 4 + len;
    }
    this.ensureData(q - p - 4 * k);
    const offsets = this.offsets!;
    const data = this.data;
    let at = this.dataLength;
    q = p;
    for (let i = 0; i < n; i++) {
      const r = row + i;
      offsets[r] = at;
      if (k !== n && !this.isValid(r)) continue;
      const len = readInt32LE(page, q);
      q += 4;
      if (len < 32) {
        for (let b = 0; b < len; b++) data[at + b] = page[q + b]!;
      } else {
        data.set(page.subarray(q, q + len), at);
      }
      q += len;
      at += len;
    }
    this.dataLength = at;
  }

  /**
   * The dictionary index of each value `vi[0…m)` of a page of `k` values (-1 stays -1): a few
   * values are read where they lie, many by unpacking the page's indices.
   */
  private selectedIndices(page: Uint8Array, p: number, k: number, vi: Int32Array, m: number): Int32Array {
    if (this.selectedScratch.length < m)
      this.selectedScratch = new Int32Array(Math.max(m, 2 * this.selectedScratch.length));
    const out = this.selectedScratch;
    const dict = this.dictionary;
    if (dict === null) throw new CorruptPageError('dictionary-encoded page without a dictionary page');
    const bitWidth = k === 0 || p >= page.length ? -1 : page[p]!;
    if (m * 4 < k && bitWidth >= 0 && bitWidth <= 24) {
      decodeHybridAt(page, p + 1, page.length, bitWidth, vi, m, out);
      const size = dict.size;
      for (let j = 0; j < m; j++) {
        const x = out[j]!;
        if (x >= size) throw new CorruptPageError(`dictionary index ${x} out of range (${size} entries)`);
      }
      return out;
    }
    const indices = this.readIndices(page, p, k);
    for (let j = 0; j < m; j++) {
      const v = vi[j]!;
      out[j] = v < 0 ? -1 : indices[v]!;
    }
    return out;
  }

  private selectedScratch = scratchPool.selected;

  /** Hands the (possibly grown) scratch arrays back to the pool for the next chunk. */
  private releaseScratch(): void {
    scratchPool.scratch = this.scratch;
    scratchPool.levels = this.levels;
    scratchPool.valueIndexes = this.valueIndexes;
    scratchPool.ranks = this.ranks;
    scratchPool.selected = this.selectedScratch;
  }

  private readIndices(page: Uint8Array, p: number, k: number): Int32Array {
    const indices = this.scratchOf(k);
    this.readIndicesInto(page, p, k, indices, 0);
    return indices;
  }

  /** A page's `k` dictionary indices, checked against the dictionary, into `out[at…]`. */
  private readIndicesInto(page: Uint8Array, p: number, k: number, out: Int32Array, at: number): void {
    const dict = this.dictionary;
    if (dict === null) throw new CorruptPageError('dictionary-encoded page without a dictionary page');
    if (k === 0) return;
    if (p >= page.length) throw new CorruptPageError('page values end early');
    const bitWidth = page[p]!;
    if (bitWidth > 32) throw new CorruptPageError(`invalid dictionary index bit width ${bitWidth}`);
    decodeHybrid(page, p + 1, page.length, bitWidth, out, at, k);
    const size = dict.size;
    // Indices of fewer bits than the dictionary needs cannot point past it.
    if (bitWidth < 31 && 2 ** bitWidth <= size) return;
    for (let j = at; j < at + k; j++) {
      const x = out[j]!;
      if (x < 0 || x >= size)
        throw new CorruptPageError(`dictionary index ${x >>> 0} out of range (${size} entries)`);
    }
  }

  private readDictionaryIndices(page: Uint8Array, p: number, n: number, k: number, row: number): void {
    const indices = this.readIndices(page, p, k);
    const dict = this.dictionary!;
    if (dict.kind === 'bytes') {
      const dOff = dict.offsets;
      // Room for the page: the longest entry times the values (exact sum when that is too much).
      let room = k * dict.maxLength;
      if (room > 1 << 24) {
        room = 0;
        for (let j = 0; j < k; j++) {
          const x = indices[j]!;
          room += dOff[x + 1]! - dOff[x]!;
        }
      }
      this.ensureData(room);
      this.dataLength =
        k === n
          ? gatherBytes(indices, n, dOff, dict.data, this.offsets!, row, this.data, this.dataLength)
          : this.gatherBytesWithNulls(indices, n, dOff, dict.data, row);
      return;
    }
    const w = this.width;
    if ((w === 4 || w === 8) && k === n) {
      // No NULLs in the page: one tight gather per width.
      const words = dict.words;
      const dst = this.fixed32!;
      if (w === 4) {
        for (let i = 0; i < n; i++) dst[row + i] = words[indices[i]!]!;
      } else {
        for (let i = 0; i < n; i++) {
          const x = 2 * indices[i]!;
          const r = 2 * (row + i);
          dst[r] = words[x]!;
          dst[r + 1] = words[x + 1]!;
        }
      }
      return;
    }
    if (w === 4 || w === 8) {
      const words = dict.words;
      const dst = this.fixed32!;
      let j = 0;
      for (let i = 0; i < n; i++) {
        const r = row + i;
        if (k !== n && !this.isValid(r)) continue;
        const x = indices[j++]!;
        if (w === 4) dst[r] = words[x]!;
        else {
          dst[2 * r] = words[2 * x]!;
          dst[2 * r + 1] = words[2 * x + 1]!;
        }
      }
      return;
    }
    const out = this.fixed!;
    const src = dict.bytes;
    let j = 0;
    for (let i = 0; i < n; i++) {
      const r = row + i;
      if (k !== n && !this.isValid(r)) continue;
      const x = indices[j++]!;
      for (let b = 0; b < w; b++) out[r * w + b] = src[x * w + b]!;
    }
  }

  /** RLE booleans (data pages v1 and v2): a 4-byte length, then the hybrid runs of bit width 1. */
  private gatherBytesWithNulls(
    indices: Int32Array,
    n: number,
    dOff: Int32Array,
    dData: Uint8Array,
    row: number,
  ): number {
    const offsets = this.offsets!;
    const data = this.data;
    let at = this.dataLength;
    let j = 0;
    for (let i = 0; i < n; i++) {
      const r = row + i;
      offsets[r] = at;
      if (!this.isValid(r)) continue;
      const x = indices[j++]!;
      const from = dOff[x]!;
      const len = dOff[x + 1]! - from;
      if (len < 32) {
        for (let b = 0; b < len; b++) data[at + b] = dData[from + b]!;
      } else {
        data.set(dData.subarray(from, from + len), at);
      }
      at += len;
    }
    return at;
  }

  /** The page's `k` RLE-encoded booleans (a 4-byte length, then hybrid runs of bit width 1). */
  private rleBooleans(page: Uint8Array, p: number, k: number): Int32Array {
    if (p + 4 > page.length) throw new CorruptPageError('page values end early');
    const len = readInt32LE(page, p);
    if (len < 0 || p + 4 + len > page.length) throw new CorruptPageError('page values end early');
    const start = p + 4;
    const values = this.scratchOf(k);
    decodeHybrid(page, start, start + len, 1, values, 0, k);
    return values;
  }

  private readRleBooleans(page: Uint8Array, p: number, n: number, k: number, row: number): void {
    const values = this.rleBooleans(page, p, k);
    const bits = this.bits!;
    let j = 0;
    for (let i = 0; i < n; i++) {
      const r = row + i;
      if (k !== n && !this.isValid(r)) continue;
      if (values[j++]! !== 0) bits[r >> 3]! |= 1 << (r & 7);
    }
  }
}

/** Copies dictionary entries `indices[0…n)` to rows `row…` (no NULLs); returns the new data length. */
function gatherBytes(
  indices: Int32Array,
  n: number,
  dOff: Int32Array,
  dData: Uint8Array,
  offsets: Int32Array,
  row: number,
  data: Uint8Array,
  start: number,
): number {
  let at = start;
  for (let i = 0; i < n; i++) {
    offsets[row + i] = at;
    const x = indices[i]!;
    const from = dOff[x]!;
    const end = dOff[x + 1]!;
    if (end - from < 32) {
      for (let b = from; b < end; b++) data[at++] = dData[b]!;
    } else {
      data.set(dData.subarray(from, end), at);
      at += end - from;
    }
  }
  return at;
}

/** Thrown when decoding a prefix of a column chunk needs bytes past its end. */
export class NeedMoreBytes extends Error {
  constructor() {
    super('the column chunk prefix ends before the rows wanted');
    this.name = 'NeedMoreBytes';
  }
}

/**
 * Decodes `chunk` (from its first page) as described by `spec`. With `prefix`, `chunk` may be only
 * the start of the column chunk (a LIMIT): if the rows wanted lie past it, `NeedMoreBytes` is thrown.
 * With `selection` (ascending row indexes below `spec.rows`), only those rows, in that order.
 */
export function decodeColumnChunk(
  spec: ChunkSpec,
  chunk: Uint8Array,
  byteHint: number,
  prefix = false,
  selection: Int32Array | null = null,
): DecodedChunk {
  return new ChunkDecoder(spec, byteHint, prefix, selection).decode(chunk);
}

/**
 * Decodes `chunk`'s dictionary and each row's (or each selected row's) index into it, without
 * materializing values: a filter on the column is evaluated once per entry. Null when the chunk is
 * not dictionary-encoded throughout.
 */
export function decodeChunkIndices(
  spec: ChunkSpec,
  chunk: Uint8Array,
  selection: Int32Array | null,
): DictionaryIndices | null {
  if (spec.physical === 'BOOLEAN') return null;
  return new ChunkDecoder(spec, 0, false, selection, false).decodeIndices(chunk);
}
