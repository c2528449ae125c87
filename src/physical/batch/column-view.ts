/**
 * A uniform, typed-array view of one Arrow column for the batch utilities (hashing, key equality,
 * sorting, take): every Spark type falls into one physical layout, read straight from the buffers.
 *
 * apache-arrow slices fixed-width `values` and `valueOffsets` when it slices a Data, but not the
 * validity bitmap nor boolean bits; so values are read at `i`, bits at `offset + i`.
 *
 * | layout  | types                                                   | read from                     |
 * |---------|---------------------------------------------------------|-------------------------------|
 * | null    | null                                                    | —                             |
 * | bool    | boolean                                                 | bits at `bitOffset + i`       |
 * | int     | tinyint, smallint, int, date, interval year-month       | `ints[i]` (number)            |
 * | float   | float, double                                           | `floats[i]`                   |
 * | words   | bigint, timestamps, interval day-time, decimal (2 or 4 words), calendar interval (4) | `words[i*stride …]` (Int32, little-endian) |
 * | bytes   | string, binary                                          | `bytes[offsets[i] … offsets[i+1]]` |
 */
import type * as arrow from 'apache-arrow';
import {
  EngineError,
  MAX_DECIMAL64_PRECISION,
  SqlState,
  typeToString,
  type DataType,
} from '../../common/index.ts';

export type Layout = 'null' | 'bool' | 'int' | 'float' | 'words' | 'bytes';

export interface LayoutInfo {
  readonly layout: Layout;
  /** Int32 words per value for the `words` layout (2 or 4); 1 otherwise. */
  readonly stride: number;
}

export function layoutOf(type: DataType): LayoutInfo {
  switch (type.kind) {
    case 'null':
      return { layout: 'null', stride: 1 };
    case 'boolean':
      return { layout: 'bool', stride: 1 };
    case 'tinyint':
    case 'smallint':
    case 'int':
    case 'date':
    case 'interval_year_month':
      return { layout: 'int', stride: 1 };
    case 'float':
    case 'double':
      return { layout: 'float', stride: 1 };
    case 'bigint':
    case 'timestamp':
    case 'timestamp_ntz':
    case 'time':
    case 'interval_day_time':
      return { layout: 'words', stride: 2 };
    case 'decimal':
      return { layout: 'words', stride: type.precision <= MAX_DECIMAL64_PRECISION ? 2 : 4 };
    case 'calendar_interval':
      return { layout: 'words', stride: 4 };
    case 'string':
    case 'binary':
      return { layout: 'bytes', stride: 1 };
    case 'array':
    case 'map':
    case 'struct':
      throw new EngineError(
        SqlState.featureNotSupported,
        `${typeToString(type)} values are not supported as keys or in this operator yet`,
      );
  }
}

const EMPTY_I32 = new Int32Array(0);
const EMPTY_F64 = new Float64Array(0);
const EMPTY_U8 = new Uint8Array(0);

/** Typed-array access to one column; built once per column per batch, read in tight loops. */
export class ColumnView {
  readonly layout: Layout;
  readonly stride: number;
  readonly length: number;
  /** Validity bitmap (bit set = valid) or null when the column has no nulls (and is not of type null). */
  readonly validity: Uint8Array | null;
  /** Bit offset for `validity` and boolean `bits`. */
  readonly bitOffset: number;
  readonly allNull: boolean;
  readonly ints: Int8Array | Int16Array | Int32Array;
  readonly floats: Float32Array | Float64Array;
  readonly words: Int32Array;
  readonly bits: Uint8Array;
  readonly bytes: Uint8Array;
  readonly offsets: Int32Array;

  constructor(data: arrow.Data, type: DataType) {
    const { layout, stride } = layoutOf(type);
    this.layout = layout;
    this.stride = stride;
    this.length = data.length;
    this.bitOffset = data.offset;
    this.allNull = layout === 'null' || (data.length > 0 && data.nullCount === data.length);
    const bitmap = data.nullBitmap;
    this.validity = bitmap !== undefined && bitmap.length > 0 && data.nullCount !== 0 ? bitmap : null;
    this.ints = EMPTY_I32;
    this.floats = EMPTY_F64;
    this.words = EMPTY_I32;
    this.bits = EMPTY_U8;
    this.bytes = EMPTY_U8;
    this.offsets = EMPTY_I32;
    switch (layout) {
      case 'null':
        break;
      case 'bool':
        this.bits = data.values as Uint8Array;
        break;
      case 'int':
        this.ints = data.values as Int8Array | Int16Array | Int32Array;
        break;
      case 'float':
        this.floats = data.values as Float32Array | Float64Array;
        break;
      case 'words': {
        const v = data.values as ArrayBufferView;
        this.words = new Int32Array(
          v.buffer,
          v.byteOffset,
          Math.min(v.byteLength >> 2, data.length * stride),
        );
        break;
      }
      case 'bytes':
        this.bytes = data.values as Uint8Array;
        this.offsets = data.valueOffsets as Int32Array;
        break;
    }
  }

  isNull(i: number): boolean {
    if (this.allNull) return true;
    const v = this.validity;
    if (v === null) return false;
    const j = this.bitOffset + i;
    return ((v[j >> 3]! >> (j & 7)) & 1) === 0;
  }

  bit(i: number): number {
    const j = this.bitOffset + i;
    return (this.bits[j >> 3]! >> (j & 7)) & 1;
  }
}

/** One byte per row, 1 = valid; honours the view's bit offset. */
export function validityBytes(view: ColumnView, n: number): Uint8Array {
  const out = new Uint8Array(n);
  if (view.allNull) return out;
  const v = view.validity;
  if (v === null) return out.fill(1);
  const off = view.bitOffset;
  for (let i = 0; i < n; i++) {
    const j = off + i;
    out[i] = (v[j >> 3]! >> (j & 7)) & 1;
  }
  return out;
}
