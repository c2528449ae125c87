/**
 * `COPY … TO STDOUT`: CopyOutResponse, then the rows as CopyData in PostgreSQL's text or CSV
 * format, one message per row as PostgreSQL sends them (psycopg's `Copy.rows()` reads each message
 * as one row), then CopyDone (and CopyInResponse, which starts `COPY … FROM STDIN`). Cells are the
 * same text-formatted bytes DataRows carry (text-format.ts); here they are escaped or quoted byte by
 * byte into lines.
 *
 * Text: columns separated by the delimiter, NULL written as the null string (`\N`), and
 * backslash, newline, carriage return, tab, backspace, form feed, vertical tab and the delimiter
 * escaped with a backslash. CSV: a value is quoted when it holds the delimiter, the quote, a
 * newline or carriage return, or equals the null string (so an empty string is `""` while NULL
 * is nothing); quotes (and escapes) inside are doubled with the escape character.
 */
import type { CopyOptions } from '../common/index.ts';
import type { ColumnCells } from './cells.ts';
import type { WriteBuffer } from './write-buffer.ts';

const BACKSLASH = 0x5c;
const NEWLINE = 0x0a;
const CR = 0x0d;

export function writeCopyOutResponse(w: WriteBuffer, columns: number): void {
  const at = w.begin('H'.charCodeAt(0));
  w.byte(0); // text (csv is text too)
  w.int16(columns);
  for (let i = 0; i < columns; i++) w.int16(0);
  w.end(at);
}

/** CopyInResponse: the client is to send the data (text), `columns` values a row. */
export function writeCopyInResponse(w: WriteBuffer, columns: number): void {
  const at = w.begin('G'.charCodeAt(0));
  w.byte(0);
  w.int16(columns);
  for (let i = 0; i < columns; i++) w.int16(0);
  w.end(at);
}

export function writeCopyDone(w: WriteBuffer): void {
  const at = w.begin('c'.charCodeAt(0));
  w.end(at);
}

/** Writes COPY lines for rows and headers in one format. */
export class CopyLineWriter {
  private readonly csv: boolean;
  private readonly delimiter: number;
  private readonly quote: number;
  private readonly escape: number;
  private readonly nullBytes: Uint8Array;
  private readonly encoder = new TextEncoder();

  constructor(options: CopyOptions) {
    this.csv = options.format === 'csv';
    this.delimiter = options.delimiter.charCodeAt(0);
    this.quote = options.quote.charCodeAt(0);
    this.escape = options.escape.charCodeAt(0);
    this.nullBytes = this.encoder.encode(options.null);
  }

  /** One CopyData message with the header line (the column names). */
  header(w: WriteBuffer, names: readonly string[]): void {
    const at = w.begin('d'.charCodeAt(0));
    names.forEach((n, i) => {
      if (i > 0) w.byte(this.delimiter);
      const bytes = this.encoder.encode(n);
      this.value(w, bytes, 0, bytes.length);
    });
    w.byte(NEWLINE);
    w.end(at);
  }

  /** The lines of rows [from, to), one CopyData message each. */
  rows(w: WriteBuffer, columns: readonly ColumnCells[], from: number, to: number): void {
    for (let r = from; r < to; r++) {
      const at = w.begin('d'.charCodeAt(0));
      for (let c = 0; c < columns.length; c++) {
        if (c > 0) w.byte(this.delimiter);
        const col = columns[c]!;
        if (col.valid !== null && col.valid[r] === 0) w.bytes(this.nullBytes);
        else this.value(w, col.bytes, col.offsets[r]!, col.offsets[r + 1]!);
      }
      w.byte(NEWLINE);
      w.end(at);
    }
  }

  private value(w: WriteBuffer, bytes: Uint8Array, start: number, end: number): void {
    if (this.csv) this.csvValue(w, bytes, start, end);
    else this.textValue(w, bytes, start, end);
  }

  private textValue(w: WriteBuffer, bytes: Uint8Array, start: number, end: number): void {
    w.ensure(2 * (end - start));
    const buf = w.buf;
    let p = w.pos;
    const delimiter = this.delimiter;
    for (let i = start; i < end; i++) {
      const b = bytes[i]!;
      if (b < 0x20) {
        const letter = TEXT_ESCAPES[b];
        if (letter !== undefined) {
          buf[p++] = BACKSLASH;
          buf[p++] = letter;
          continue;
        }
      }
      if (b === BACKSLASH || b === delimiter) buf[p++] = BACKSLASH;
      buf[p++] = b;
    }
    w.pos = p;
  }

  private csvValue(w: WriteBuffer, bytes: Uint8Array, start: number, end: number): void {
    let needsQuotes = end - start === this.nullBytes.length && this.equalsNull(bytes, start);
    for (let i = start; i < end && !needsQuotes; i++) {
      const b = bytes[i]!;
      needsQuotes = b === this.delimiter || b === this.quote || b === NEWLINE || b === CR;
    }
    if (!needsQuotes) {
      w.bytes(bytes.subarray(start, end));
      return;
    }
    w.ensure(2 * (end - start) + 2);
    const buf = w.buf;
    let p = w.pos;
    buf[p++] = this.quote;
    for (let i = start; i < end; i++) {
      const b = bytes[i]!;
      if (b === this.quote || b === this.escape) buf[p++] = this.escape;
      buf[p++] = b;
    }
    buf[p++] = this.quote;
    w.pos = p;
  }

  private equalsNull(bytes: Uint8Array, start: number): boolean {
    const n = this.nullBytes;
    for (let i = 0; i < n.length; i++) if (bytes[start + i] !== n[i]) return false;
    return true;
  }
}

/** Control characters COPY's text format writes as a backslash and a letter. */
const TEXT_ESCAPES: Readonly<Record<number, number>> = {
  0x08: 0x62, // \b
  0x09: 0x74, // \t
  0x0a: 0x6e, // \n
  0x0b: 0x76, // \v
  0x0c: 0x66, // \f
  0x0d: 0x72, // \r
};
