/**
 * The data of `COPY … FROM STDIN` read into rows of text values, in PostgreSQL's text or CSV
 * format (what psql's `\copy … from`, psycopg's `copy_expert` and pgbench send):
 *
 * - text: one row a line, values separated by the delimiter, the null string (`\N`) for NULL,
 *   backslash escapes (`\t`, `\n`, `\\`, `\b`, `\f`, `\r`, `\v`, octal `\123`, hex `\x41`, and a
 *   backslash before any other character for that character); a line `\.` ends the data.
 * - CSV: values separated by the delimiter, quoted with the quote character where they hold a
 *   delimiter, quote or line break (a doubled quote — or the escape character before one — is a
 *   quote); an unquoted value equal to the null string is NULL; a header line is skipped with HEADER.
 *
 * A line with too many or too few values is 22P04 naming the line, as PostgreSQL reports it.
 */
import { EngineError, type CopyOptions } from '../common/index.ts';

const BAD_COPY_FORMAT = '22P04';

function badLine(line: number, what: string): EngineError {
  return new EngineError(BAD_COPY_FORMAT, `${what} (COPY, line ${line})`);
}

/** Decodes the bytes (UTF-8, 22021 when not) and splits them into rows of `width` values. */
export function parseCopyData(data: Uint8Array, options: CopyOptions, width: number): (string | null)[][] {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(data);
  } catch {
    throw new EngineError('22021', 'invalid byte sequence for encoding "UTF8" in COPY data');
  }
  return options.format === 'csv' ? parseCsv(text, options, width) : parseText(text, options, width);
}

function parseText(text: string, options: CopyOptions, width: number): (string | null)[][] {
  const rows: (string | null)[][] = [];
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  let first = options.header ? 1 : 0;
  if (first > lines.length) first = lines.length;
  for (let n = first; n < lines.length; n++) {
    let line = lines[n]!;
    if (line.endsWith('\r')) line = line.slice(0, -1);
    if (line === '\\.') break;
    const raw = splitText(line, options.delimiter);
    if (raw.length !== width) {
      throw badLine(
        n + 1,
        raw.length > width
          ? 'extra data after last expected column'
          : `missing data for column ${raw.length + 1}`,
      );
    }
    rows.push(raw.map((v) => (v === options.null ? null : unescapeText(v))));
  }
  return rows;
}

/** A text-format line split at unescaped delimiters; values still escaped. */
function splitText(line: string, delimiter: string): string[] {
  const out: string[] = [];
  let start = 0;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (c === '\\') i++;
    else if (c === delimiter) {
      out.push(line.slice(start, i));
      start = i + 1;
    }
  }
  out.push(line.slice(start));
  return out;
}

const LETTER_ESCAPES: Readonly<Record<string, string>> = {
  b: '\b',
  f: '\f',
  n: '\n',
  r: '\r',
  t: '\t',
  v: '\v',
};

function unescapeText(v: string): string {
  if (!v.includes('\\')) return v;
  let out = '';
  for (let i = 0; i < v.length; i++) {
    const c = v[i]!;
    if (c !== '\\' || i + 1 >= v.length) {
      out += c;
      continue;
    }
    const d = v[++i]!;
    const letter = LETTER_ESCAPES[d];
    if (letter !== undefined) out += letter;
    else if (d >= '0' && d <= '7') {
      let digits = d;
      while (digits.length < 3 && i + 1 < v.length && v[i + 1]! >= '0' && v[i + 1]! <= '7') digits += v[++i];
      out += String.fromCharCode(parseInt(digits, 8));
    } else if (d === 'x' && i + 1 < v.length && /[0-9a-fA-F]/.test(v[i + 1]!)) {
      let digits = v[++i]!;
      if (i + 1 < v.length && /[0-9a-fA-F]/.test(v[i + 1]!)) digits += v[++i];
      out += String.fromCharCode(parseInt(digits, 16));
    } else out += d;
  }
  return out;
}

function parseCsv(text: string, options: CopyOptions, width: number): (string | null)[][] {
  const { delimiter, quote, escape } = options;
  const rows: (string | null)[][] = [];
  let row: (string | null)[] = [];
  let line = 1;
  let rowLine = 1;
  let i = 0;
  let skipHeader = options.header;
  const endRow = (): void => {
    if (skipHeader) {
      skipHeader = false;
    } else if (!(row.length === 1 && row[0] === '\\.')) {
      if (row.length !== width) {
        throw badLine(
          rowLine,
          row.length > width
            ? 'extra data after last expected column'
            : `missing data for column ${row.length + 1}`,
        );
      }
      rows.push(row);
    }
    row = [];
    rowLine = line;
  };
  while (i < text.length) {
    // One value.
    let value = '';
    let quoted = false;
    if (text[i] === quote) {
      quoted = true;
      i++;
      for (;;) {
        if (i >= text.length) throw badLine(rowLine, 'unterminated CSV quoted field');
        const c = text[i]!;
        if (c === escape && escape !== quote && text[i + 1] === quote) {
          value += quote;
          i += 2;
        } else if (c === quote) {
          if (text[i + 1] === quote) {
            value += quote;
            i += 2;
          } else {
            i++;
            break;
          }
        } else {
          if (c === '\n') line++;
          value += c;
          i++;
        }
      }
    }
    while (i < text.length && text[i] !== delimiter && text[i] !== '\n' && text[i] !== '\r')
      value += text[i++];
    row.push(!quoted && value === options.null ? null : value);
    if (i >= text.length) {
      endRow();
      break;
    }
    const c = text[i]!;
    i++;
    if (c === delimiter) continue;
    if (c === '\r' && text[i] === '\n') i++;
    line++;
    endRow();
  }
  return rows;
}
