/**
 * Encodes one column chunk: an optional dictionary page, then data pages (v1) of about
 * TARGET_PAGE_BYTES each, split at row boundaries. Values are PLAIN, or RLE_DICTIONARY indices when
 * a dictionary pays (byte arrays with few distinct values: byte-array-dictionary.ts; INT32, INT64,
 * FLOAT and DOUBLE whose distinct values fit a dictionary page: fixed-dictionary.ts). Levels are
 * RLE/bit-packed with a 4-byte length prefix: repetition levels for a leaf inside a list or map,
 * definition levels for a leaf that may be undefined (a nullable column, or a leaf with an optional
 * or repeated ancestor); a required top-level column has none. A leaf of a nested column
 * (nested-levels.ts) starts each page at a new row.
 *
 * The chunk is returned as a list of byte parts (page headers, levels, values) that the row-group
 * encoder concatenates once; uncompressed fixed-width values are views of the input, not copies.
 */
import type * as arrow from 'apache-arrow';
import type { Field } from '../../../common/index.ts';
import { gatherColumn, gatherSelected, type ColumnData, type DenseValues } from './column-data.ts';
import type { ShreddedLeaf } from './nested-levels.ts';
import { minMaxOf, type MinMax } from './column-statistics.ts';
import { buildDictionary, dictionaryMinMax, encodeDictionaryPage } from './byte-array-dictionary.ts';
import { buildFixedDictionary } from './fixed-dictionary.ts';
import { bitWidthOf, encodeHybrid, encodeRun } from './rle-hybrid.ts';
import { encodeDataPageHeader, encodeDictionaryPageHeader } from './metadata-encoder.ts';
import { Encoding, type ColumnChunkMeta, type LeafColumn } from './parquet-format.ts';
import { TARGET_PAGE_BYTES, codecOf, compressPage, type ParquetCompression } from './writer-options.ts';

export interface EncodedColumnChunk {
  readonly parts: readonly Uint8Array[];
  readonly byteLength: number;
  readonly meta: ColumnChunkMeta;
}

class ChunkBuilder {
  readonly parts: Uint8Array[] = [];
  compressedBytes = 0;
  uncompressedBytes = 0;
  dataPageOffset = -1;
  private readonly baseOffset: number;
  private readonly compression: ParquetCompression;

  constructor(baseOffset: number, compression: ParquetCompression) {
    this.baseOffset = baseOffset;
    this.compression = compression;
  }

  get position(): number {
    return this.baseOffset + this.compressedBytes;
  }

  addDictionaryPage(body: Uint8Array, entries: number): void {
    const compressed = compressPage(body, this.compression);
    const header = encodeDictionaryPageHeader({
      uncompressedSize: body.length,
      compressedSize: compressed.length,
      numValues: entries,
      encoding: Encoding.plain,
    });
    this.push(header, compressed, body.length);
  }

  addDataPage(levels: Uint8Array | null, values: Uint8Array, rows: number, encoding: number): void {
    if (this.dataPageOffset < 0) this.dataPageOffset = this.position;
    const uncompressedSize = (levels?.length ?? 0) + values.length;
    if (this.compression === 'none') {
      const header = encodeDataPageHeader({
        uncompressedSize,
        compressedSize: uncompressedSize,
        numValues: rows,
        encoding,
        levelEncoding: Encoding.rle,
      });
      this.parts.push(header);
      if (levels !== null) this.parts.push(levels);
      this.parts.push(values);
      this.compressedBytes += header.length + uncompressedSize;
      this.uncompressedBytes += header.length + uncompressedSize;
      return;
    }
    let body = values;
    if (levels !== null) {
      body = new Uint8Array(uncompressedSize);
      body.set(levels);
      body.set(values, levels.length);
    }
    const compressed = compressPage(body, this.compression);
    const header = encodeDataPageHeader({
      uncompressedSize,
      compressedSize: compressed.length,
      numValues: rows,
      encoding,
      levelEncoding: Encoding.rle,
    });
    this.push(header, compressed, uncompressedSize);
  }

  private push(header: Uint8Array, body: Uint8Array, uncompressedSize: number): void {
    this.parts.push(header, body);
    this.compressedBytes += header.length + body.length;
    this.uncompressedBytes += header.length + uncompressedSize;
  }
}

function bytesOf(a: Int32Array | Uint32Array | Float32Array | Float64Array): Uint8Array {
  return new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
}

/**
 * The levels of a leaf's entries (one per row for a top-level column; for a nested one, one per
 * value, NULL, empty list and NULL ancestor on its path).
 */
interface ChunkLevels {
  readonly count: number;
  /** Definition levels; null when every entry is at the leaf's maximum. */
  readonly definition: Uint8Array | null;
  /** Repetition levels; null when the leaf is not repeated (all 0). */
  readonly repetition: Uint8Array | null;
  /** Entries that are not values. */
  readonly nullCount: number;
}

/**
 * The levels of entries [l0, l1): repetition levels (when the leaf repeats), then definition
 * levels (when it may be undefined), each RLE/bit-packed with a 4-byte length prefix.
 */
function levelBytes(leaf: LeafColumn, levels: ChunkLevels, l0: number, l1: number): Uint8Array | null {
  const parts: Uint8Array[] = [];
  const add = (values: Uint8Array | null, max: number): void => {
    const width = bitWidthOf(max);
    parts.push(values === null ? encodeRun(l1 - l0, max, width) : encodeHybrid(values, l0, l1, width));
  };
  if (leaf.maxRepetition > 0) add(levels.repetition, leaf.maxRepetition);
  if (leaf.maxDefinition > 0) add(levels.definition, leaf.maxDefinition);
  if (parts.length === 0) return null;
  let size = 0;
  for (const p of parts) size += 4 + p.length;
  const out = new Uint8Array(size);
  const view = new DataView(out.buffer);
  let at = 0;
  for (const p of parts) {
    view.setInt32(at, p.length, true);
    out.set(p, at + 4);
    at += 4 + p.length;
  }
  return out;
}

/**
 * PLAIN byte arrays: 4-byte little-endian length, then the bytes, per value in [v0, v1). Copies
 * four bytes at a time through DataViews (unaligned), which beats both a byte loop and a
 * `subarray` + `set` per value for short strings.
 */
function plainByteArrays(bytes: Uint8Array, offsets: Int32Array, v0: number, v1: number): Uint8Array {
  const out = new Uint8Array(4 * (v1 - v0) + offsets[v1]! - offsets[v0]!);
  const dst = new DataView(out.buffer);
  const src = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let pos = 0;
  for (let i = v0; i < v1; i++) {
    const s = offsets[i]!;
    const e = offsets[i + 1]!;
    dst.setInt32(pos, e - s, true);
    pos += 4;
    if (e - s > 256) {
      out.set(bytes.subarray(s, e), pos);
      pos += e - s;
      continue;
    }
    let b = s;
    for (; b + 4 <= e; b += 4) {
      dst.setInt32(pos, src.getInt32(b, true), true);
      pos += 4;
    }
    for (; b < e; b++) out[pos++] = bytes[b]!;
  }
  return out;
}

/** PLAIN booleans: bit-packed, LSB first. */
function packBooleans(values: Uint8Array, v0: number, v1: number): Uint8Array {
  const out = new Uint8Array((v1 - v0 + 7) >> 3);
  for (let i = v0; i < v1; i++) {
    const k = i - v0;
    out[k >> 3]! |= values[i]! << (k & 7);
  }
  return out;
}

/** Big-endian minimal-width bytes of every 128-bit decimal value. */
function fixedLenDecimals(words: Uint32Array, width: number): Uint8Array {
  const n = words.length >> 2;
  const src = new Uint8Array(words.buffer, words.byteOffset, words.byteLength);
  const out = new Uint8Array(n * width);
  for (let i = 0; i < n; i++) {
    const base = 16 * i + width - 1;
    const o = i * width;
    for (let k = 0; k < width; k++) out[o + k] = src[base - k]!;
  }
  return out;
}

function valueWidth(dense: DenseValues, flbaWidth: number): number {
  switch (dense.kind) {
    case 'int32':
    case 'float':
      return 4;
    case 'int64':
    case 'double':
      return 8;
    case 'decimal128':
      return flbaWidth;
    case 'boolean':
      return 1 / 8;
    case 'bytes': {
      const n = dense.offsets.length - 1;
      return n === 0 ? 1 : 4 + (dense.offsets[n]! - dense.offsets[0]!) / n;
    }
  }
}

/** A column chunk's dictionary: its size, page body, one index per value, and min/max if known. */
interface ChunkDictionary {
  readonly size: number;
  readonly page: Uint8Array;
  readonly indices: Int32Array;
  readonly minMax?: MinMax | undefined;
}

function dictionaryOf(dense: DenseValues): ChunkDictionary | undefined {
  switch (dense.kind) {
    case 'bytes': {
      const d = buildDictionary(dense.bytes, dense.offsets);
      if (d === undefined) return undefined;
      return { size: d.size, page: encodeDictionaryPage(d), indices: d.indices, minMax: dictionaryMinMax(d) };
    }
    case 'int32':
    case 'float': {
      const v = dense.values;
      return buildFixedDictionary(new Int32Array(v.buffer, v.byteOffset, v.length), 1, v.length);
    }
    case 'int64':
      return buildFixedDictionary(dense.words, 2, dense.words.length >> 1);
    case 'double': {
      const v = dense.values;
      return buildFixedDictionary(new Int32Array(v.buffer, v.byteOffset, 2 * v.length), 2, v.length);
    }
    case 'decimal128':
    case 'boolean':
      return undefined;
  }
}

/** Encodes a top-level primitive column, one level entry per row. */
export function encodeColumnChunk(
  leaf: LeafColumn,
  field: Field,
  pieces: readonly arrow.Data[],
  compression: ParquetCompression,
  baseOffset: number,
): EncodedColumnChunk {
  const data: ColumnData = gatherColumn(field, pieces);
  const levels = { count: data.rows, definition: data.valid, repetition: null, nullCount: data.nullCount };
  return encodeLeafChunk(leaf, data.dense, levels, compression, baseOffset);
}

/** Encodes one leaf of a nested column, shredded by `shredColumn`. */
export function encodeNestedChunk(
  leaf: LeafColumn,
  shredded: ShreddedLeaf,
  compression: ParquetCompression,
  baseOffset: number,
): EncodedColumnChunk {
  const dense = gatherSelected(shredded.field, shredded.pieces, shredded.selected, shredded.values);
  const levels = {
    count: shredded.count,
    definition: shredded.definition,
    repetition: leaf.maxRepetition > 0 ? shredded.repetition : null,
    nullCount: shredded.count - shredded.values,
  };
  return encodeLeafChunk(leaf, dense, levels, compression, baseOffset);
}

function encodeLeafChunk(
  leaf: LeafColumn,
  dense: DenseValues,
  levels: ChunkLevels,
  compression: ParquetCompression,
  baseOffset: number,
): EncodedColumnChunk {
  const count = levels.count;
  const flbaWidth = leaf.typeLength ?? 0;
  const chunk = new ChunkBuilder(baseOffset, compression);

  let minMax: MinMax | undefined;
  let dictionaryPageOffset: number | undefined;
  const dictionary = dictionaryOf(dense);
  if (dictionary !== undefined) {
    minMax = dictionary.minMax ?? minMaxOf(dense, flbaWidth);
    dictionaryPageOffset = chunk.position;
    chunk.addDictionaryPage(dictionary.page, dictionary.size);
  } else {
    minMax = minMaxOf(dense, flbaWidth);
  }

  const bitWidth = dictionary === undefined ? 0 : bitWidthOf(dictionary.size - 1);
  const width = dictionary === undefined ? valueWidth(dense, flbaWidth) : bitWidth / 8;
  const entriesPerPage = Math.max(1, Math.floor(TARGET_PAGE_BYTES / Math.max(width, 1 / 8)));
  const fixed = dense.kind === 'decimal128' ? fixedLenDecimals(dense.words, flbaWidth) : undefined;
  const { definition, repetition } = levels;
  const maxDefinition = leaf.maxDefinition;
  const encoding = dictionary === undefined ? Encoding.plain : Encoding.rleDictionary;

  let v0 = 0;
  for (let l0 = 0; l0 < count;) {
    let l1 = Math.min(count, l0 + entriesPerPage);
    // A page ends where a row does (repetition level 0), as readers of v1 pages may assume.
    if (repetition !== null) while (l1 < count && repetition[l1] !== 0) l1++;
    let v1 = v0 + (l1 - l0);
    if (definition !== null) {
      v1 = v0;
      for (let l = l0; l < l1; l++) if (definition[l] === maxDefinition) v1++;
    }
    const levelPart = levelBytes(leaf, levels, l0, l1);
    let values: Uint8Array;
    if (dictionary !== undefined) {
      const indices = encodeHybrid(dictionary.indices, v0, v1, bitWidth);
      values = new Uint8Array(1 + indices.length);
      values[0] = bitWidth;
      values.set(indices, 1);
    } else {
      switch (dense.kind) {
        case 'int32':
        case 'float':
        case 'double':
          values = bytesOf(dense.values.subarray(v0, v1));
          break;
        case 'int64':
          values = bytesOf(dense.words.subarray(2 * v0, 2 * v1));
          break;
        case 'decimal128':
          values = fixed!.subarray(v0 * flbaWidth, v1 * flbaWidth);
          break;
        case 'boolean':
          values = packBooleans(dense.values, v0, v1);
          break;
        case 'bytes':
          values = plainByteArrays(dense.bytes, dense.offsets, v0, v1);
          break;
      }
    }
    chunk.addDataPage(levelPart, values, l1 - l0, encoding);
    v0 = v1;
    l0 = l1;
  }

  const encodings: number[] =
    dictionary === undefined ? [Encoding.plain] : [Encoding.plain, Encoding.rleDictionary];
  if (leaf.maxDefinition > 0 || leaf.maxRepetition > 0) encodings.push(Encoding.rle);
  const meta: ColumnChunkMeta = {
    path: leaf.path,
    physicalType: leaf.physicalType,
    encodings,
    codec: codecOf(compression),
    numValues: count,
    totalUncompressedSize: chunk.uncompressedBytes,
    totalCompressedSize: chunk.compressedBytes,
    dataPageOffset: chunk.dataPageOffset < 0 ? baseOffset : chunk.dataPageOffset,
    ...(dictionaryPageOffset === undefined ? {} : { dictionaryPageOffset }),
    statistics: {
      nullCount: levels.nullCount,
      ...(minMax === undefined ? {} : { minValue: minMax.minValue, maxValue: minMax.maxValue }),
    },
  };
  return { parts: chunk.parts, byteLength: chunk.compressedBytes, meta };
}
