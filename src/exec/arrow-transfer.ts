/**
 * Moving Arrow record batches between threads: a batch becomes plain typed arrays over
 * SharedArrayBuffers (each buffer copied once), which every thread that receives the message reads
 * in place — no copy per reader, no transfer that would take the data from its holder — and is
 * rebuilt on the other side against the receiver's schema. Exchange outputs are kept in this form,
 * so a broadcast is read by every task and a lost reader can read again.
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

/** A copy of `view` over a SharedArrayBuffer of its own. */
function shareCopy(view: ArrayBufferView): ArrayBufferView {
  if (view.buffer instanceof SharedArrayBuffer) return view;
  const copy = new SharedArrayBuffer(view.byteLength);
  new Uint8Array(copy).set(new Uint8Array(view.buffer, view.byteOffset, view.byteLength));
  const Ctor = view.constructor as new (b: SharedArrayBuffer, o: number, l: number) => ArrayBufferView;
  const bytesPer = (view as unknown as { BYTES_PER_ELEMENT?: number }).BYTES_PER_ELEMENT ?? 1;
  return new Ctor(copy, 0, view.byteLength / bytesPer);
}

function toWireData(data: arrow.Data): WireData {
  const raw = [data.valueOffsets, data.values, data.nullBitmap, data.typeIds] as (
    ArrayBufferView | undefined
  )[];
  return {
    offset: data.offset,
    length: data.length,
    nullCount: data.nullCount,
    buffers: raw.map((b) => (b === undefined || b === null || b.byteLength === 0 ? b : shareCopy(b))),
    children: data.children.map((c) => toWireData(c)),
  };
}

/** The batch as plain data over shared memory (buffers already shared are not copied again). */
export function toWireBatch(batch: arrow.RecordBatch): WireBatch {
  return { numRows: batch.numRows, columns: batch.data.children.map((c) => toWireData(c)) };
}

/** The bytes a wire batch holds. */
export function wireBatchBytes(batch: WireBatch): number {
  const size = (d: WireData): number =>
    d.buffers.reduce((s, b) => s + (b?.byteLength ?? 0), 0) + d.children.reduce((s, c) => s + size(c), 0);
  return batch.columns.reduce((s, c) => s + size(c), 0);
}

/** The bytes `toWireBatch(batch)` will hold, without making it. */
export function wireBytesOf(batch: arrow.RecordBatch): number {
  const size = (d: arrow.Data): number => {
    const raw = [d.valueOffsets, d.values, d.nullBitmap, d.typeIds] as (ArrayBufferView | undefined)[];
    let n = 0;
    for (const b of raw) n += b?.byteLength ?? 0;
    for (const c of d.children) n += size(c);
    return n;
  };
  let total = 0;
  for (const c of batch.data.children) total += size(c);
  return total;
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
