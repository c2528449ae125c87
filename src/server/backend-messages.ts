/**
 * Encoders of backend messages into a WriteBuffer, and the DataRow writer that assembles rows from
 * per-column cells.
 */
import { pgTypeOf, type EngineError, type Field } from '../common/index.ts';
import type { ColumnCells } from './cells.ts';
import type { WriteBuffer } from './write-buffer.ts';

const code = (c: string): number => c.charCodeAt(0);

export type TransactionStatus = 'I' | 'T' | 'E';

export function writeAuthenticationOk(w: WriteBuffer): void {
  const at = w.begin(code('R'));
  w.int32(0);
  w.end(at);
}

/** An Authentication request: 3 cleartext, 5 MD5 (with a 4-byte salt), 10 SASL, 11 SASL continue, 12 SASL final. */
export function writeAuthenticationRequest(w: WriteBuffer, kind: number, payload?: Uint8Array): void {
  const at = w.begin(code('R'));
  w.int32(kind);
  if (payload !== undefined) w.bytes(payload);
  w.end(at);
}

export function writeParameterStatus(w: WriteBuffer, name: string, value: string): void {
  const at = w.begin(code('S'));
  w.cstring(name);
  w.cstring(value);
  w.end(at);
}

export function writeBackendKeyData(w: WriteBuffer, processId: number, secretKey: number): void {
  const at = w.begin(code('K'));
  w.int32(processId);
  w.int32(secretKey);
  w.end(at);
}

export function writeReadyForQuery(w: WriteBuffer, status: TransactionStatus): void {
  const at = w.begin(code('Z'));
  w.byte(code(status));
  w.end(at);
}

export function writeCommandComplete(w: WriteBuffer, tag: string): void {
  const at = w.begin(code('C'));
  w.cstring(tag);
  w.end(at);
}

export function writeEmptyQueryResponse(w: WriteBuffer): void {
  w.end(w.begin(code('I')));
}

export function writeParseComplete(w: WriteBuffer): void {
  w.end(w.begin(code('1')));
}

export function writeBindComplete(w: WriteBuffer): void {
  w.end(w.begin(code('2')));
}

export function writeCloseComplete(w: WriteBuffer): void {
  w.end(w.begin(code('3')));
}

export function writeNoData(w: WriteBuffer): void {
  w.end(w.begin(code('n')));
}

export function writePortalSuspended(w: WriteBuffer): void {
  w.end(w.begin(code('s')));
}

export function writeParameterDescription(w: WriteBuffer, oids: readonly number[]): void {
  const at = w.begin(code('t'));
  w.int16(oids.length);
  for (const oid of oids) w.int32(oid);
  w.end(at);
}

/**
 * RowDescription; `formats[i]` is the format code of column i (0 text, 1 binary), `origins[i]` the
 * table OID and column number it is read from (0, 0 when computed or not given).
 */
export function writeRowDescription(
  w: WriteBuffer,
  fields: readonly Field[],
  formats: readonly number[],
  origins: readonly ({ readonly tableOid: number; readonly column: number } | null)[] = [],
): void {
  const at = w.begin(code('T'));
  w.int16(fields.length);
  for (let i = 0; i < fields.length; i++) {
    const f = fields[i]!;
    const t = pgTypeOf(f.type);
    const origin = origins[i] ?? null;
    w.cstring(f.name);
    w.int32(origin?.tableOid ?? 0);
    w.int16(origin?.column ?? 0);
    w.int32(t.oid);
    w.int16(t.typlen);
    w.int32(t.typmod);
    w.int16(formats[i] ?? 0);
  }
  w.end(at);
}

/** ErrorResponse (or NoticeResponse with `N`) from an EngineError. */
export function writeErrorResponse(
  w: WriteBuffer,
  err: EngineError,
  severity: 'ERROR' | 'FATAL' = 'ERROR',
): void {
  const at = w.begin(code('E'));
  const field = (c: string, v: string): void => {
    w.byte(code(c));
    w.cstring(v);
  };
  field('S', severity);
  field('V', severity);
  field('C', err.sqlstate);
  // Clients match PostgreSQL's wording; Spark's message, with its error class, stays in the detail.
  field('M', err.pgMessage ?? err.message);
  const detail =
    err.pgMessage === undefined ? err.detail : [err.message, err.detail].filter(Boolean).join('\n');
  if (detail !== undefined) field('D', detail);
  if (err.hint !== undefined) field('H', err.hint);
  if (err.position !== undefined && err.position > 0) field('P', String(err.position));
  w.byte(0);
  w.end(at);
}

const SMALL_COPY = 24;

/**
 * Writes DataRows for rows [from, to) of the given column cells. Cells are copied byte by byte when
 * short (cheaper than `set` for a few bytes) and with `set` otherwise.
 */
export function writeDataRows(
  w: WriteBuffer,
  columns: readonly ColumnCells[],
  from: number,
  to: number,
): void {
  const ncols = columns.length;
  const D = code('D');
  for (let r = from; r < to; r++) {
    let size = 4 + 2 + 4 * ncols;
    for (let c = 0; c < ncols; c++) {
      const col = columns[c]!;
      if (col.valid === null || col.valid[r] !== 0) size += col.offsets[r + 1]! - col.offsets[r]!;
    }
    w.ensure(size + 1);
    const buf = w.buf;
    let p = w.pos;
    buf[p] = D;
    buf[p + 1] = size >>> 24;
    buf[p + 2] = (size >>> 16) & 0xff;
    buf[p + 3] = (size >>> 8) & 0xff;
    buf[p + 4] = size & 0xff;
    buf[p + 5] = ncols >>> 8;
    buf[p + 6] = ncols & 0xff;
    p += 7;
    for (let c = 0; c < ncols; c++) {
      const col = columns[c]!;
      if (col.valid !== null && col.valid[r] === 0) {
        buf[p] = 0xff;
        buf[p + 1] = 0xff;
        buf[p + 2] = 0xff;
        buf[p + 3] = 0xff;
        p += 4;
        continue;
      }
      const s = col.offsets[r]!;
      const e = col.offsets[r + 1]!;
      const len = e - s;
      buf[p] = len >>> 24;
      buf[p + 1] = (len >>> 16) & 0xff;
      buf[p + 2] = (len >>> 8) & 0xff;
      buf[p + 3] = len & 0xff;
      p += 4;
      const bytes = col.bytes;
      if (len <= SMALL_COPY) {
        for (let k = s; k < e; k++) buf[p++] = bytes[k]!;
      } else {
        buf.set(bytes.subarray(s, e), p);
        p += len;
      }
    }
    w.pos = p;
  }
}
