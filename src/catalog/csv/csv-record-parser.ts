/**
 * The CSV hot loop: splits bytes into records and fields, and converts the projected fields straight
 * into Arrow column buffers (see csv-column-builder.ts). No JS string is made per field on the fast
 * path. A record is first tokenized (field start/end offsets), then converted, so a record cut off at
 * the end of a chunk is simply re-parsed once more bytes arrive.
 *
 * Rules (Spark's): fields are never trimmed; quotes are recognised only at the start of a field; inside
 * quotes `\"`, `\\` and `""` unescape; an empty unquoted field is NULL; blank lines are skipped; a CR
 * before LF is dropped; missing trailing fields are NULL and extra ones are ignored (a trailing empty
 * field — dbgen's `|` at the end of a line — is not even counted as malformed).
 */
import { EngineError, SqlState } from '../../common/index.ts';
import type { CsvOptions } from './csv-options.ts';
import { CsvColumnBuilder } from './csv-column-builder.ts';

const LF = 10;
const CR = 13;
const QUOTED = 1;
const ESCAPED = 2;
const GARBAGE = 4;

export interface RecordSource {
  /** File path, for error messages. */
  readonly file: string;
  /** Byte offset where this range starts (0 = the start of the file). */
  readonly start: number;
  /** Records that start at or after this byte offset belong to the next range. */
  readonly end: number;
}

export class CsvRecordParser {
  readonly builders: readonly CsvColumnBuilder[];
  /** For each builder, the index of its field in a record. */
  private readonly sourceIndex: Int32Array;
  private readonly fieldCount: number;
  private readonly options: CsvOptions;
  private readonly fStart: Int32Array;
  private readonly fEnd: Int32Array;
  private readonly fFlags: Uint8Array;
  private readonly sep: number;
  private readonly quote: number;
  private readonly escape: number;

  /** Rows in the current batch. */
  rows = 0;
  /** Stop accepting rows at this count (batch size, or less when a limit is near). */
  maxRows = 0;
  /** True once the range's end (or the limit) is reached. */
  finished = false;
  private source: RecordSource = { file: '', start: 0, end: Infinity };
  private line = 1;
  private skipHeader = false;

  constructor(fieldCount: number, builders: readonly CsvColumnBuilder[], sourceIndex: readonly number[], options: CsvOptions) {
    this.fieldCount = fieldCount;
    this.builders = builders;
    this.sourceIndex = Int32Array.from(sourceIndex);
    this.options = options;
    this.fStart = new Int32Array(fieldCount + 2);
    this.fEnd = new Int32Array(fieldCount + 2);
    this.fFlags = new Uint8Array(fieldCount + 2);
    this.sep = options.sep;
    this.quote = options.quote;
    this.escape = options.escape;
  }

  /** Starts a new byte range (a file, or part of one). */
  beginSource(source: RecordSource): void {
    this.source = source;
    this.line = 1;
    this.finished = false;
    this.skipHeader = this.options.header && source.start === 0;
  }

  /**
   * Parses complete records of `buf` from `pos`; returns the position of the first unparsed byte.
   * Stops early when the batch is full (`rows === maxRows`) or the range ends (`finished`).
   * `base` is the file offset of `buf[0]`; `atEof` says no more bytes follow `end`.
   */
  parse(buf: Uint8Array, pos: number, end: number, atEof: boolean, base: number): number {
    const sep = this.sep;
    const quote = this.quote;
    const escape = this.escape;
    const fStart = this.fStart;
    const fEnd = this.fEnd;
    const fFlags = this.fFlags;
    const cap = fStart.length;
    const rangeEnd = this.source.end;
    for (;;) {
      if (this.rows >= this.maxRows || this.finished) return pos;
      if (base + pos >= rangeEnd) {
        this.finished = true;
        return pos;
      }
      if (pos >= end) return pos;
      let p = pos;
      const first = buf[p]!;
      if (first === LF) {
        pos = p + 1;
        this.line++;
        continue;
      }
      if (first === CR && (p + 1 < end ? buf[p + 1] === LF : atEof)) {
        pos = p + 2;
        this.line++;
        continue;
      }
      let nf = 0;
      let newlines = 0;
      for (;;) {
        let s = p;
        let e: number;
        let flags = 0;
        if (p < end && buf[p] === quote) {
          flags = QUOTED;
          p++;
          s = p;
          let closed = false;
          while (p < end) {
            const c = buf[p]!;
            if (c === escape && p + 1 < end && (buf[p + 1] === quote || buf[p + 1] === escape)) {
              flags |= ESCAPED;
              p += 2;
              continue;
            }
            if (c === quote) {
              if (p + 1 < end && buf[p + 1] === quote) {
                flags |= ESCAPED;
                p += 2;
                continue;
              }
              if (p + 1 >= end && !atEof) break;
              closed = true;
              break;
            }
            if (c === LF) newlines++;
            p++;
          }
          if (!closed) {
            if (!atEof) return pos;
            flags |= GARBAGE; // an unterminated quote at the end of the file
            e = end;
            p = end;
          } else {
            e = p;
            p++;
            while (p < end) {
              const c = buf[p]!;
              if (c === sep || c === LF) break;
              if (!(c === CR && (p + 1 < end ? buf[p + 1] === LF : atEof))) flags |= GARBAGE;
              p++;
            }
          }
        } else {
          while (p < end) {
            const c = buf[p]!;
            if (c === sep || c === LF) break;
            p++;
          }
          e = p;
        }
        if (p >= end && !atEof) return pos;
        if (nf < cap) {
          fStart[nf] = s;
          fEnd[nf] = e;
          fFlags[nf] = flags;
        }
        nf++;
        if (p >= end) break;
        if (buf[p] === LF) {
          p++;
          break;
        }
        p++;
      }
      // A CR before the line end belongs to the line end, not to the last field.
      const last = (nf < cap ? nf : cap) - 1;
      if ((fFlags[last]! & QUOTED) === 0 && fEnd[last]! > fStart[last]! && buf[fEnd[last]! - 1] === CR) {
        fEnd[last] = fEnd[last]! - 1;
      }
      const recordLine = this.line;
      const recordOffset = base + pos;
      this.line += 1 + newlines;
      pos = p;
      if (this.skipHeader) {
        this.skipHeader = false;
        continue;
      }
      this.convertRecord(buf, nf, recordLine, recordOffset);
    }
  }

  private convertRecord(buf: Uint8Array, nf: number, line: number, offset: number): void {
    const row = this.rows;
    const builders = this.builders;
    const sourceIndex = this.sourceIndex;
    const mode = this.options.mode;
    const expected = this.fieldCount;
    for (let j = 0; j < builders.length; j++) {
      const b = builders[j]!;
      const src = sourceIndex[j]!;
      if (src >= nf) {
        b.setNull(row);
        continue;
      }
      const flags = this.fFlags[src]!;
      let ok: boolean;
      if ((flags & GARBAGE) !== 0) ok = false;
      else ok = b.set(row, buf, this.fStart[src]!, this.fEnd[src]!, (flags & QUOTED) !== 0, (flags & ESCAPED) !== 0);
      if (!ok) {
        if (mode === 'PERMISSIVE') b.setNull(row);
        else if (mode === 'DROPMALFORMED') return;
        else throw this.malformed(line, offset, src, b.describeFailure(buf, this.fStart[src]!, this.fEnd[src]!));
      }
    }
    const trailingEmpty =
      nf === expected + 1 && this.fEnd[expected] === this.fStart[expected] && this.fFlags[expected] === 0;
    if (nf !== expected && !trailingEmpty && mode !== 'PERMISSIVE') {
      if (mode === 'DROPMALFORMED') return;
      throw this.malformed(line, offset, -1, `expected ${expected} fields, found ${nf}`);
    }
    this.rows = row + 1;
  }

  private malformed(line: number, offset: number, field: number, reason: string): EngineError {
    const where = this.source.start === 0 ? `line ${line}` : `the record at byte offset ${offset}`;
    const column = field >= 0 ? `, column ${field + 1}` : '';
    return new EngineError(
      SqlState.invalidTextRepresentation,
      `[MALFORMED_RECORD_IN_PARSING] Malformed CSV record in file "${this.source.file}", ${where}${column}: ${reason}. ` +
        'Parse mode: FAILFAST. To process malformed records as null, set the option "mode" to PERMISSIVE.',
    );
  }
}
