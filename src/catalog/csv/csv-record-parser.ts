/**
 * The CSV hot loop: splits bytes into records and fields, and converts the projected fields straight
 * into Arrow column buffers (see csv-column-builder.ts). No JS string is made per field on the fast
 * path.
 *
 * Records are tokenized into a TokenBlock first (field offsets), then each column converts the block in
 * one loop; a record cut off at the end of a chunk is not part of the block and is re-parsed once more
 * bytes arrive.
 *
 * Rules (Spark's): fields are never trimmed; quotes are recognised only at the start of a field; inside
 * quotes `\"`, `\\` and `""` unescape; an empty unquoted field is NULL; blank lines are skipped; a CR
 * before LF is dropped; missing trailing fields are NULL and extra ones are ignored (a trailing empty
 * field — dbgen's `|` at the end of a line — is not even counted as malformed).
 */
import { EngineError, SqlState } from '../../common/index.ts';
import type { CsvOptions } from './csv-options.ts';
import type { CsvColumnBuilder } from './csv-column-builder.ts';
import { GARBAGE, ESCAPED, QUOTED, TokenBlock } from './token-block.ts';

const LF = 10;
const CR = 13;

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
  private readonly block: TokenBlock;
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

  constructor(
    fieldCount: number,
    builders: readonly CsvColumnBuilder[],
    sourceIndex: readonly number[],
    options: CsvOptions,
    capacity: number,
  ) {
    this.fieldCount = fieldCount;
    this.builders = builders;
    this.sourceIndex = Int32Array.from(sourceIndex);
    this.options = options;
    this.block = new TokenBlock(fieldCount, capacity);
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
    for (;;) {
      const wanted = this.maxRows - this.rows;
      const next = this.parseBlock(buf, pos, end, atEof, base, wanted);
      // Records dropped as malformed leave room in the batch: go on while the block was cut short.
      if (this.lastBlockCount < wanted || this.rows >= this.maxRows || next === pos) return next;
      pos = next;
    }
  }

  private lastBlockCount = 0;

  private parseBlock(
    buf: Uint8Array,
    pos: number,
    end: number,
    atEof: boolean,
    base: number,
    wanted: number,
  ): number {
    const sep = this.sep;
    const quote = this.quote;
    const escape = this.escape;
    const blk = this.block;
    const starts = blk.starts;
    const ends = blk.ends;
    const fFlags = blk.flags;
    const width = blk.width;
    const rangeEnd = this.source.end;
    let count = 0;
    let anyFlags = false;
    records: for (;;) {
      if (count >= wanted || this.finished) break;
      if (base + pos >= rangeEnd) {
        this.finished = true;
        break;
      }
      if (pos >= end) break;
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
      const rb = count * width;
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
            if (!atEof) break records;
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
          anyFlags = true;
        } else {
          while (p < end) {
            const c = buf[p]!;
            if (c === sep || c === LF) break;
            p++;
          }
          e = p;
        }
        if (p >= end && !atEof) break records;
        if (nf < width) {
          starts[rb + nf] = s;
          ends[rb + nf] = e;
          fFlags[rb + nf] = flags;
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
      const last = rb + (nf < width ? nf : width) - 1;
      if ((fFlags[last]! & QUOTED) === 0 && ends[last]! > starts[last]! && buf[ends[last]! - 1] === CR) {
        ends[last] = ends[last]! - 1;
      }
      const line = this.line;
      this.line += 1 + newlines;
      const recordOffset = base + pos;
      pos = p;
      if (this.skipHeader) {
        this.skipHeader = false;
        continue;
      }
      blk.fieldCounts[count] = nf;
      blk.lines[count] = line;
      blk.offsets[count] = recordOffset;
      count++;
    }
    this.lastBlockCount = count;
    if (count > 0) {
      blk.count = count;
      blk.anyFlags = anyFlags;
      this.convertBlock(buf);
    }
    return pos;
  }

  /** Converts the tokenized block column by column; handles malformed records per the parse mode. */
  private convertBlock(buf: Uint8Array): void {
    const blk = this.block;
    const n = blk.count;
    const order = blk.order;
    const bad = blk.bad;
    for (let k = 0; k < n; k++) order[k] = k;
    bad.fill(0, 0, n);
    const mode = this.options.mode;
    const permissive = mode === 'PERMISSIVE';
    const expected = this.fieldCount;
    let firstBad = -1;
    let firstBadColumn = -1;
    if (!permissive) {
      for (let r = 0; r < n; r++) {
        const nf = blk.fieldCounts[r]!;
        if (nf === expected) continue;
        const idx = r * blk.width + expected;
        const trailingEmpty =
          nf === expected + 1 && blk.ends[idx] === blk.starts[idx] && blk.flags[idx] === 0;
        if (!trailingEmpty) {
          bad[r] = 1;
          if (firstBad < 0) firstBad = r;
        }
      }
    }
    for (let j = 0; j < this.builders.length; j++) {
      const k = this.builders[j]!.convert(buf, blk, this.sourceIndex[j]!, this.rows, n, permissive);
      if (k >= 0 && (firstBad < 0 || k < firstBad)) {
        firstBad = k;
        firstBadColumn = j;
      }
    }
    let rows = n;
    if (firstBad >= 0) {
      if (mode === 'FAILFAST') {
        if (firstBadColumn < 0) {
          throw this.malformed(
            firstBad,
            -1,
            `expected ${expected} fields, found ${blk.fieldCounts[firstBad]}`,
          );
        }
        const src = this.sourceIndex[firstBadColumn]!;
        const idx = firstBad * blk.width + src;
        throw this.malformed(
          firstBad,
          src,
          this.builders[firstBadColumn]!.describeFailure(buf, blk.starts[idx]!, blk.ends[idx]!),
        );
      }
      // DROPMALFORMED: convert again, only the good records.
      rows = 0;
      for (let r = 0; r < n; r++) if (bad[r] === 0) order[rows++] = r;
      for (let j = 0; j < this.builders.length; j++) {
        this.builders[j]!.convert(buf, blk, this.sourceIndex[j]!, this.rows, rows, true);
      }
    }
    this.rows += rows;
  }

  private malformed(record: number, field: number, reason: string): EngineError {
    const blk = this.block;
    const where =
      this.source.start === 0
        ? `line ${blk.lines[record]}`
        : `the record at byte offset ${blk.offsets[record]}`;
    const column = field >= 0 ? `, column ${field + 1}` : '';
    return new EngineError(
      SqlState.invalidParameterValue,
      `[MALFORMED_RECORD_IN_PARSING] Malformed CSV record in file "${this.source.file}", ${where}${column}: ${reason}. ` +
        'Parse mode: FAILFAST. To process malformed records as null, set the option "mode" to PERMISSIVE.',
    );
  }
}
