/**
 * A sqllogictest runner for Kindling (the format of sqlite's sqllogictest as DataFusion uses it):
 *
 *     statement ok
 *     CREATE TEMPORARY VIEW t AS VALUES (1, 'a'), (2, NULL) AS t(x, y)
 *
 *     statement error 42P01
 *     SELECT * FROM missing
 *
 *     query IT rowsort
 *     SELECT x, y FROM t
 *     ----
 *     1 a
 *     2 NULL
 *
 * `query` types are one letter per column (I integer, R floating/decimal, T text, B boolean,
 * D date/time, ? anything) and are checked against the result's column count. Values are rendered
 * as `kindling sql` shows them; NULL is `NULL`, an empty string `(empty)`. `rowsort` sorts the
 * rendered rows, `valuesort` sorts all values. `statement error` and `query error` take an optional
 * SQLSTATE and an optional message regex; an internal error (XX000) fails the record whatever it
 * expects. `__DATA__` in SQL is replaced by the absolute path of
 * `test/data`. Records are separated by blank lines; `#` starts a comment line; `halt` stops the file.
 * A line `skipif kindling <reason>` before a record skips it: the record states Spark's behaviour,
 * which Kindling does not match yet, and the reason says what is missing.
 */
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { formatValue } from '../../src/cli/index.ts';
import { batchRows, toEngineError, type DataType } from '../../src/common/index.ts';
import type { Session } from '../../src/session/index.ts';

/** The SQLSTATE of an internal error: never an acceptable outcome of a record. */
const INTERNAL_ERROR = 'XX000';

export const DATA_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '../data');

export type SltRecord =
  | {
      kind: 'statement';
      line: number;
      sql: string;
      expect: 'ok' | { sqlstate: string | null; message: RegExp | null };
    }
  | {
      kind: 'query';
      line: number;
      sql: string;
      types: string;
      sort: 'nosort' | 'rowsort' | 'valuesort';
      label: string | null;
      expected: string[] | null;
      error: { sqlstate: string | null; message: RegExp | null } | null;
    }
  | { kind: 'halt'; line: number };

/** Records marked `skipif kindling <reason>`, by line. */
export const SKIPPED = new WeakMap<SltRecord, string>();

export function parseSlt(text: string): SltRecord[] {
  const lines = text.split('\n');
  const records: SltRecord[] = [];
  let i = 0;
  const blank = (l: string | undefined): boolean => l === undefined || l.trim() === '';
  while (i < lines.length) {
    const line = lines[i]!;
    if (blank(line) || line.trimStart().startsWith('#')) {
      i++;
      continue;
    }
    let skip: string | null = null;
    if (line.trim().startsWith('skipif kindling')) {
      // `skipif kindling <reason>`: the next record states Spark's behaviour, which Kindling does not
      // match yet; it is parsed and reported as skipped, not run.
      skip = line.trim().slice('skipif kindling'.length).trim() || 'no reason given';
      i++;
    }
    const start = i + 1;
    const words = lines[i]!.trim().split(/\s+/);
    i++;
    const sqlLines: string[] = [];
    const readSql = (stopAtDashes: boolean): void => {
      while (i < lines.length && !blank(lines[i]) && !(stopAtDashes && lines[i]!.trim() === '----')) {
        sqlLines.push(lines[i]!);
        i++;
      }
    };
    const errorSpec = (rest: string[]): { sqlstate: string | null; message: RegExp | null } => {
      const first = rest[0];
      const sqlstate = first !== undefined && /^[0-9A-Z]{5}$/.test(first) ? first : null;
      const msg = rest.slice(sqlstate === null ? 0 : 1).join(' ');
      return { sqlstate, message: msg === '' ? null : new RegExp(msg) };
    };
    switch (words[0]) {
      case 'halt':
        records.push({ kind: 'halt', line: start });
        return records;
      case 'statement': {
        readSql(false);
        const expect = words[1] === 'ok' ? 'ok' : errorSpec(words.slice(2));
        if (words[1] !== 'ok' && words[1] !== 'error')
          throw new Error(`line ${start}: statement ok|error expected`);
        records.push({ kind: 'statement', line: start, sql: sqlLines.join('\n'), expect });
        break;
      }
      case 'query': {
        readSql(true);
        if (words[1] === 'error') {
          records.push({
            kind: 'query',
            line: start,
            sql: sqlLines.join('\n'),
            types: '',
            sort: 'nosort',
            label: null,
            expected: null,
            error: errorSpec(words.slice(2)),
          });
          break;
        }
        const types = words[1] ?? '';
        const sort = (words[2] ?? 'nosort') as 'nosort' | 'rowsort' | 'valuesort';
        if (!['nosort', 'rowsort', 'valuesort'].includes(sort))
          throw new Error(`line ${start}: unknown sort mode ${sort}`);
        const expected: string[] = [];
        if (lines[i]?.trim() === '----') {
          i++;
          while (i < lines.length && !blank(lines[i])) {
            expected.push(lines[i]!.trimEnd());
            i++;
          }
        }
        records.push({
          kind: 'query',
          line: start,
          sql: sqlLines.join('\n'),
          types,
          sort,
          label: words[3] ?? null,
          expected,
          error: null,
        });
        break;
      }
      default:
        throw new Error(`line ${start}: unknown record '${lines[start - 1]!.trim()}'`);
    }
    if (skip !== null) SKIPPED.set(records[records.length - 1]!, skip);
  }
  return records;
}

function renderRows(
  types: readonly DataType[],
  rows: readonly (readonly unknown[])[],
  timeZone: string,
): string[][] {
  return rows.map((r) =>
    r.map((v, c) => {
      const s = formatValue(v as never, types[c]!, timeZone);
      return s === '' ? '(empty)' : s;
    }),
  );
}

export interface SltFailure {
  readonly line: number;
  readonly message: string;
}

export interface SltOutcome {
  readonly failures: SltFailure[];
  /** Records marked `skipif kindling`, with their reasons. */
  readonly skipped: SltFailure[];
  /** The file text with every query's expected block replaced by actual output (for --complete). */
  readonly completed: string;
}

async function runSql(session: Session, sql: string): Promise<{ types: DataType[]; rows: unknown[][] }> {
  let types: DataType[] = [];
  let rows: unknown[][] = [];
  for await (const result of session.execute(sql)) {
    if (result.kind !== 'rows') {
      types = [];
      rows = [];
      continue;
    }
    types = result.schema.fields.map((f) => f.type);
    rows = [];
    for await (const b of result.batches) rows.push(...batchRows(b, types));
  }
  return { types, rows };
}

export async function runSlt(text: string, session: Session): Promise<SltOutcome> {
  const records = parseSlt(text);
  const failures: SltFailure[] = [];
  const skipped: SltFailure[] = [];
  const replacements: { line: number; output: string[] }[] = [];
  const prepare = (sql: string): string => sql.replaceAll('__DATA__', DATA_DIR);
  for (const r of records) {
    if (r.kind === 'halt') break;
    if (SKIPPED.has(r)) {
      skipped.push({ line: r.line, message: SKIPPED.get(r)! });
      continue;
    }
    if (r.kind === 'statement') {
      try {
        await runSql(session, prepare(r.sql));
        if (r.expect !== 'ok')
          failures.push({
            line: r.line,
            message: `expected an error, but the statement succeeded:\n${r.sql}`,
          });
      } catch (err) {
        const e = toEngineError(err);
        if (r.expect === 'ok') {
          failures.push({
            line: r.line,
            message: `statement failed: [${e.sqlstate}] ${e.message}\n${r.sql}`,
          });
        } else {
          checkError(r.line, r.expect, e.sqlstate, e.message, failures);
        }
      }
      continue;
    }
    let actual: string[];
    try {
      const { types, rows } = await runSql(session, prepare(r.sql));
      if (r.error !== null) {
        failures.push({ line: r.line, message: `expected an error, but the query succeeded:\n${r.sql}` });
        continue;
      }
      if (r.types !== '' && r.types.length !== types.length) {
        failures.push({
          line: r.line,
          message: `expected ${r.types.length} columns (${r.types}), got ${types.length}`,
        });
      }
      let rendered = renderRows(types, rows, session.settings.timeZone);
      if (r.sort === 'rowsort')
        rendered = rendered.sort((a, b) =>
          a.join(' ') < b.join(' ') ? -1 : a.join(' ') > b.join(' ') ? 1 : 0,
        );
      actual = r.sort === 'valuesort' ? rendered.flat().sort() : rendered.map((row) => row.join(' '));
    } catch (err) {
      const e = toEngineError(err);
      if (r.error !== null) {
        checkError(r.line, r.error, e.sqlstate, e.message, failures);
        continue;
      }
      failures.push({ line: r.line, message: `query failed: [${e.sqlstate}] ${e.message}\n${r.sql}` });
      continue;
    }
    replacements.push({ line: r.line, output: actual });
    const expected = r.expected ?? [];
    if (expected.join('\n') !== actual.join('\n')) {
      failures.push({
        line: r.line,
        message: `wrong result for:\n${r.sql}\n--- expected\n${expected.join('\n')}\n--- actual\n${actual.join('\n')}`,
      });
    }
  }
  return { failures, skipped, completed: complete(text, replacements) };
}

function checkError(
  line: number,
  expect: { sqlstate: string | null; message: RegExp | null },
  sqlstate: string,
  message: string,
  failures: SltFailure[],
): void {
  // An internal error is a bug whatever the record expects: it never passes as the expected error.
  if (sqlstate === INTERNAL_ERROR) {
    failures.push({ line, message: `internal error (SQLSTATE ${INTERNAL_ERROR}): ${message}` });
  } else if (expect.sqlstate !== null && expect.sqlstate !== sqlstate) {
    failures.push({ line, message: `expected SQLSTATE ${expect.sqlstate}, got ${sqlstate}: ${message}` });
  } else if (expect.message !== null && !expect.message.test(message)) {
    failures.push({ line, message: `error message does not match /${expect.message.source}/: ${message}` });
  }
}

/** Rewrites each query's expected block (after `----`) with actual output. */
function complete(text: string, replacements: readonly { line: number; output: string[] }[]): string {
  const lines = text.split('\n');
  const byLine = new Map(replacements.map((r) => [r.line, r.output]));
  const out: string[] = [];
  let i = 0;
  while (i < lines.length) {
    const output = byLine.get(i + 1);
    if (output === undefined) {
      out.push(lines[i]!);
      i++;
      continue;
    }
    out.push(lines[i]!);
    i++;
    while (i < lines.length && lines[i]!.trim() !== '' && lines[i]!.trim() !== '----') out.push(lines[i++]!);
    if (lines[i]?.trim() === '----') {
      i++;
      while (i < lines.length && lines[i]!.trim() !== '') i++;
    }
    out.push('----', ...output);
  }
  return out.join('\n');
}

export function readSlt(path: string): string {
  return readFileSync(path, 'utf8');
}

export function sltFiles(root: string): string[] {
  const out: string[] = [];
  const walk = (dir: string): void => {
    for (const name of readdirSync(dir).sort()) {
      const p = join(dir, name);
      if (statSync(p).isDirectory()) walk(p);
      else if (name.endsWith('.slt')) out.push(p);
    }
  };
  walk(root);
  return out;
}
