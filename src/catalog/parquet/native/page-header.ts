/**
 * Parquet page headers (`PageHeader` of parquet.thrift) parsed with the compact protocol reader:
 * the page type and sizes, and the fields of a data page (v1 or v2) or dictionary page header that
 * decoding needs. Statistics and index pages are skipped.
 */
import { CorruptPageError } from './native-errors.ts';
import { ThriftCompactReader, ThriftType } from './thrift-compact-reader.ts';

export const PageType = { data: 0, index: 1, dictionary: 2, dataV2: 3 } as const;

export const Encoding = {
  plain: 0,
  plainDictionary: 2,
  rle: 3,
  bitPacked: 4,
  rleDictionary: 8,
} as const;

export interface PageHeader {
  type: number;
  uncompressedSize: number;
  compressedSize: number;
  /** Data pages and dictionary pages. */
  numValues: number;
  encoding: number;
  /** Data page v1. */
  defLevelEncoding: number;
  /** Data page v2. */
  numNulls: number;
  defLevelsByteLength: number;
  repLevelsByteLength: number;
  isCompressed: boolean;
  /** Offset of the page body in the buffer the header was read from. */
  bodyStart: number;
}

function expect(type: number, want: number, what: string): void {
  if (type !== want) throw new CorruptPageError(`page header field ${what} has the wrong Thrift type`);
}

function readInt(r: ThriftCompactReader, type: number, what: string): number {
  if (type !== ThriftType.i32 && type !== ThriftType.i16 && type !== ThriftType.i64)
    expect(type, ThriftType.i32, what);
  return r.zigzag();
}

/** Parses the page header that starts at `start` (bounded by `end`). */
export function readPageHeader(bytes: Uint8Array, start: number, end: number): PageHeader {
  const r = new ThriftCompactReader(bytes, start, end);
  const h: PageHeader = {
    type: -1,
    uncompressedSize: -1,
    compressedSize: -1,
    numValues: -1,
    encoding: -1,
    defLevelEncoding: Encoding.rle,
    numNulls: -1,
    defLevelsByteLength: 0,
    repLevelsByteLength: 0,
    isCompressed: true,
    bodyStart: 0,
  };
  let last = 0;
  for (;;) {
    const [id, t] = r.fieldHeader(last);
    if (t === ThriftType.stop) break;
    last = id;
    switch (id) {
      case 1:
        h.type = readInt(r, t, 'type');
        break;
      case 2:
        h.uncompressedSize = readInt(r, t, 'uncompressed_page_size');
        break;
      case 3:
        h.compressedSize = readInt(r, t, 'compressed_page_size');
        break;
      case 5:
        expect(t, ThriftType.struct, 'data_page_header');
        readDataPageHeader(r, h);
        break;
      case 7:
        expect(t, ThriftType.struct, 'dictionary_page_header');
        readDictionaryPageHeader(r, h);
        break;
      case 8:
        expect(t, ThriftType.struct, 'data_page_header_v2');
        readDataPageHeaderV2(r, h);
        break;
      default:
        r.skip(t);
    }
  }
  if (h.type < 0 || h.compressedSize < 0 || h.uncompressedSize < 0) {
    throw new CorruptPageError('page header lacks its type or sizes');
  }
  if (
    (h.type === PageType.data || h.type === PageType.dataV2 || h.type === PageType.dictionary) &&
    h.numValues < 0
  ) {
    throw new CorruptPageError('page header lacks its value count');
  }
  h.bodyStart = r.pos;
  return h;
}

function readDataPageHeader(r: ThriftCompactReader, h: PageHeader): void {
  let last = 0;
  for (;;) {
    const [id, t] = r.fieldHeader(last);
    if (t === ThriftType.stop) return;
    last = id;
    if (id === 1) h.numValues = readInt(r, t, 'num_values');
    else if (id === 2) h.encoding = readInt(r, t, 'encoding');
    else if (id === 3) h.defLevelEncoding = readInt(r, t, 'definition_level_encoding');
    else r.skip(t);
  }
}

function readDictionaryPageHeader(r: ThriftCompactReader, h: PageHeader): void {
  let last = 0;
  for (;;) {
    const [id, t] = r.fieldHeader(last);
    if (t === ThriftType.stop) return;
    last = id;
    if (id === 1) h.numValues = readInt(r, t, 'num_values');
    else if (id === 2) h.encoding = readInt(r, t, 'encoding');
    else r.skip(t);
  }
}

function readDataPageHeaderV2(r: ThriftCompactReader, h: PageHeader): void {
  let last = 0;
  for (;;) {
    const [id, t] = r.fieldHeader(last);
    if (t === ThriftType.stop) return;
    last = id;
    switch (id) {
      case 1:
        h.numValues = readInt(r, t, 'num_values');
        break;
      case 2:
        h.numNulls = readInt(r, t, 'num_nulls');
        break;
      case 4:
        h.encoding = readInt(r, t, 'encoding');
        break;
      case 5:
        h.defLevelsByteLength = readInt(r, t, 'definition_levels_byte_length');
        break;
      case 6:
        h.repLevelsByteLength = readInt(r, t, 'repetition_levels_byte_length');
        break;
      case 7:
        if (t !== ThriftType.boolTrue && t !== ThriftType.boolFalse)
          expect(t, ThriftType.boolTrue, 'is_compressed');
        h.isCompressed = t === ThriftType.boolTrue;
        break;
      default:
        r.skip(t);
    }
  }
}
