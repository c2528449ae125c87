/**
 * Moving Arrow record batches between threads: a batch becomes plain typed arrays (structured-
 * cloneable, each copied once into an ArrayBuffer of its own that is transferred, not cloned) and
 * is rebuilt on the other side against the receiver's schema.
 */
import * as arrow from 'apache-arrow';
import { makeBatch, toArrowType, type Schema } from '../common/index.ts';

/** One column (or child column) as plain data: Arrow's buffers in BufferType order. */
export interface WireData {
  readonly offset: number;
  readonly length: number;
  readonly nullCount: number;
  /** [valueOffsets, values, nullBitmap, typeIds]; undefined where the type has none. */
  readonly buffers: readonly (ArrayBufferView | undefined)[];
  readonly children: readonly WireData[];
}

export interface WireBatch {
  readonly numRows: number;
  readonly columns: readonly WireData[];
}

/**
 * A copy of `view` over an ArrayBuffer of its own, to transfer. Never the original: a reader may
 * share one buffer between batches (a row group's validity bitmap, an IPC body, a pooled Node
 * Buffer), and transferring it would detach memory it still reads.
 */
function copyForTransfer(view: ArrayBufferView, transfer: ArrayBuffer[]): ArrayBufferView {
  const copy = new ArrayBuffer(view.byteLength);
  new Uint8Array(copy).set(new Uint8Array(view.buffer, view.byteOffset, view.byteLength));
  transfer.push(copy);
  const Ctor = view.constructor as new (b: ArrayBuffer, o: number, l: number) => ArrayBufferView;
  const bytesPer = (view as unknown as { BYTES_PER_ELEMENT?: number }).BYTES_PER_ELEMENT ?? 1;
  return new Ctor(copy, 0, view.byteLength / bytesPer);
}

function toWireData(data: arrow.Data, transfer: ArrayBuffer[]): WireData {
  const raw = [data.valueOffsets, data.values, data.nullBitmap, data.typeIds] as (
    ArrayBufferView | undefined
  )[];
  return {
    offset: data.offset,
    length: data.length,
    nullCount: data.nullCount,
    buffers: raw.map((b) =>
      b === undefined || b === null || b.byteLength === 0 ? b : copyForTransfer(b, transfer),
    ),
    children: data.children.map((c) => toWireData(c, transfer)),
  };
}

/** The batch as plain data, and the ArrayBuffers to transfer with it. */
export function toWireBatch(batch: arrow.RecordBatch): { batch: WireBatch; transfer: ArrayBuffer[] } {
  const transfer: ArrayBuffer[] = [];
  const columns = batch.data.children.map((c) => toWireData(c, transfer));
  return { batch: { numRows: batch.numRows, columns }, transfer };
}

function fromWireData(type: arrow.DataType, wire: WireData): arrow.Data {
  const childTypes = type.children ?? [];
  const children = wire.children.map((c, i) => fromWireData(childTypes[i]!.type as arrow.DataType, c));
  const [valueOffsets, values, nullBitmap, typeIds] = wire.buffers;
  return new arrow.Data(
    type,
    wire.offset,
    wire.length,
    wire.nullCount,
    [valueOffsets, values, nullBitmap, typeIds] as never,
    children,
  );
}

/** Rebuilds a batch of `schema` (the receiver's, which must match the sender's columns). */
export function fromWireBatch(schema: Schema, wire: WireBatch): arrow.RecordBatch {
  const columns = wire.columns.map((c, i) => fromWireData(toArrowType(schema.fields[i]!.type), c));
  return makeBatch(schema, columns, wire.numRows);
}
