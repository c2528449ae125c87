/**
 * The native Parquet read of one row group: decides which column chunks the TypeScript decoder
 * handles (flat primitive columns, PLAIN / dictionary / RLE encodings, UNCOMPRESSED / SNAPPY / GZIP /
 * ZSTD), reads each chunk with one positioned read from an open FileHandle, decodes it, and converts
 * it to the engine's representation of the declared type. Anything else goes to parquet-wasm.
 */
import type * as fsp from 'node:fs/promises';
import type * as arrow from 'apache-arrow';
import type { ColumnChunk } from 'hyparquet';
import type { DataType } from '../../../common/index.ts';
import type { ParquetFooter } from '../parquet-footer.ts';
import type { FileColumn } from '../parquet-schema.ts';
import {
  NeedMoreBytes,
  decodeChunkIndices,
  decodeColumnChunk,
  type DictionaryIndices,
  type ChunkSpec,
  type DecodedChunk,
  type NativePhysicalType,
} from './column-chunk-decoder.ts';
import { isNativeCodec } from './decompress.ts';
import { CorruptPageError } from './native-errors.ts';
import { engineColumn } from './native-column.ts';

const NATIVE_ENCODINGS: ReadonlySet<string> = new Set([
  'PLAIN',
  'PLAIN_DICTIONARY',
  'RLE',
  'RLE_DICTIONARY',
  'BIT_PACKED',
]);

/** Extra bytes read past the expected share of a chunk when only its first rows are needed. */
const PREFIX_SLACK_BYTES = 2 << 20;

let nativeEnabled = process.env.KINDLING_PARQUET_NATIVE !== '0';

/** Turns the native decoder on or off (tests and benchmarks compare both paths). */
export function setNativeParquetDecoding(enabled: boolean): void {
  nativeEnabled = enabled;
}

export function nativeParquetDecoding(): boolean {
  return nativeEnabled;
}

function physicalOf(t: string | undefined): NativePhysicalType | null {
  switch (t) {
    case 'BOOLEAN':
    case 'INT32':
    case 'INT64':
    case 'FLOAT':
    case 'DOUBLE':
    case 'BYTE_ARRAY':
    case 'FIXED_LEN_BYTE_ARRAY':
      return t;
    default:
      return null;
  }
}

function toNumber(v: bigint | number | undefined): number {
  return v === undefined ? 0 : Number(v);
}

/** Where a chunk's bytes lie, and how to decode them; null when the native decoder cannot. */
export interface NativeChunkPlan {
  readonly spec: ChunkSpec;
  readonly start: number;
  readonly length: number;
  readonly uncompressedBytes: number;
}

export function nativeChunkPlan(
  footer: ParquetFooter,
  rowGroup: number,
  fc: FileColumn,
): NativeChunkPlan | null {
  if (!nativeEnabled || fc.leafIndex < 0 || fc.type === null) return null;
  const e = fc.element;
  if (e.repetition_type === 'REPEATED') return null;
  const physical = physicalOf(e.type);
  if (physical === null) return null;
  const rg = footer.metadata.row_groups[rowGroup];
  const chunk: ColumnChunk | undefined = rg?.columns[fc.leafIndex];
  const md = chunk?.meta_data;
  if (rg === undefined || md === undefined) return null;
  if (md.path_in_schema.length !== 1) return null;
  if (!isNativeCodec(md.codec)) return null;
  if (!md.encodings.every((x) => NATIVE_ENCODINGS.has(x))) return null;
  const typeLength = e.type_length ?? 0;
  if (
    physical === 'FIXED_LEN_BYTE_ARRAY' &&
    (typeLength <= 0 || (fc.type.kind === 'decimal' && typeLength > 16))
  ) {
    return null;
  }
  const dataStart = toNumber(md.data_page_offset);
  const dictStart = toNumber(md.dictionary_page_offset);
  const start = dictStart > 0 && dictStart < dataStart ? dictStart : dataStart;
  return {
    spec: {
      physical,
      typeLength,
      maxDefinitionLevel: e.repetition_type === 'REQUIRED' ? 0 : 1,
      codec: md.codec,
      rows: footer.rowGroupRows[rowGroup]!,
      rowLimit: Number.MAX_SAFE_INTEGER,
    },
    start,
    length: toNumber(md.total_compressed_size),
    uncompressedBytes: toNumber(md.total_uncompressed_size),
  };
}

/** Reads `length` bytes at `position` with one positioned read (more only if the OS returns less). */
export async function readChunkBytes(
  handle: fsp.FileHandle,
  position: number,
  length: number,
): Promise<Uint8Array> {
  const buffer = Buffer.allocUnsafeSlow(length);
  let done = 0;
  while (done < length) {
    const { bytesRead } = await handle.read(buffer, done, length - done, position + done);
    if (bytesRead === 0) throw new CorruptPageError('unexpected end of file inside a column chunk');
    done += bytesRead;
  }
  // A plain Uint8Array view: Buffer's `slice` does not copy, which the decoder relies on.
  return new Uint8Array(buffer.buffer, buffer.byteOffset, length);
}

/** A whole chunk's bytes, read with one positioned read. */
export function readNativeChunk(handle: fsp.FileHandle, plan: NativeChunkPlan): Promise<Uint8Array> {
  return readChunkBytes(handle, plan.start, plan.length);
}

/** The chunk's rows `selection` (ascending; null = all), from its bytes. */
export function decodeSelectedRows(
  plan: NativeChunkPlan,
  bytes: Uint8Array,
  selection: Int32Array | null,
): DecodedChunk {
  const share = selection === null ? 1 : selection.length / Math.max(1, plan.spec.rows);
  return decodeColumnChunk(plan.spec, bytes, Math.ceil(share * plan.uncompressedBytes), false, selection);
}

/** The chunk's dictionary and its rows' (`selection`'s) indices into it; null if not dictionary-encoded. */
export function decodeSelectedIndices(
  plan: NativeChunkPlan,
  bytes: Uint8Array,
  selection: Int32Array | null,
): DictionaryIndices | null {
  return decodeChunkIndices(plan.spec, bytes, selection);
}

/** Reads and decodes one chunk: its first `rowLimit` rows at least (whole pages), or all of them. */
export async function decodeNativeChunk(
  handle: fsp.FileHandle,
  plan: NativeChunkPlan,
  rowLimit = Number.MAX_SAFE_INTEGER,
): Promise<DecodedChunk> {
  const spec = { ...plan.spec, rowLimit };
  const rows = Math.max(1, plan.spec.rows);
  if (rowLimit < rows / 4) {
    // A LIMIT that needs a small part of the row group: read a prefix big enough for those rows
    // (a dictionary page and a page or two beyond), and the whole chunk only if that is not enough.
    const share = rowLimit / rows;
    const length = Math.ceil(Math.min(plan.length, 2 * share * plan.length + PREFIX_SLACK_BYTES));
    if (length < plan.length) {
      const prefix = await readChunkBytes(handle, plan.start, length);
      const hint = Math.ceil(2 * share * plan.uncompressedBytes) + PREFIX_SLACK_BYTES;
      try {
        return decodeColumnChunk(spec, prefix, hint, true);
      } catch (err) {
        if (!(err instanceof NeedMoreBytes)) throw err;
      }
    }
  }
  const bytes = await readChunkBytes(handle, plan.start, plan.length);
  return decodeColumnChunk(spec, bytes, plan.uncompressedBytes);
}

export function nativeEngineColumn(
  chunk: DecodedChunk,
  fc: FileColumn,
  target: DataType,
  filePath: string,
): arrow.Data {
  return engineColumn(chunk, fc.element, fc.type!, target, { filePath, column: fc.name });
}
