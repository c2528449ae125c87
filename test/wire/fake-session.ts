/**
 * A fake SqlSession for wire tests: a handful of canned statements answered from Arrow batches.
 *
 * | statement                      | result                                                    |
 * |--------------------------------|-----------------------------------------------------------|
 * | `select <n>`                   | one int column `?column?` with n                           |
 * | `select typed`                 | one row with a column of each scalar type (+ a NULL row)   |
 * | `select big <n>`               | n rows (bigint `id`, string `name`) in batches of 50,000   |
 * | `select slow`                  | waits until cancelled (57014) or 10 s                      |
 * | `select boom`                  | throws a plain Error (→ XX000)                            |
 * | `show x`                       | one text row, tag SHOW                                    |
 * | `set name = value`             | SET; reports application_name / TimeZone changes           |
 * | `begin`/`commit`/`rollback`    | the tags BEGIN / COMMIT / ROLLBACK                        |
 * | `select $1, $2::int, …`        | (extended) one row echoing the parameters                 |
 * | anything else                  | 42P01 relation does not exist, with a position            |
 */
import type * as arrow from 'apache-arrow';
import {
  EngineError,
  SqlState,
  T,
  columnFromValues,
  field,
  makeBatch,
  schema,
  type DataType,
  type Schema,
  type Value,
} from '../../src/common/index.ts';
import type {
  ExecuteOptions,
  ParameterChange,
  PreparedStatement,
  SqlSession,
  StatementResult,
} from '../../src/session/index.ts';

export const TYPED_SCHEMA: Schema = schema([
  field('b', T.boolean),
  field('i2', T.smallint),
  field('i4', T.int),
  field('i8', T.bigint),
  field('f4', T.float),
  field('f8', T.double),
  field('n', T.decimal(15, 2)),
  field('s', T.string),
  field('v', { kind: 'string', maxLength: 10 }),
  field('bin', T.binary),
  field('d', T.date),
  field('ts', T.timestampNtz),
  field('tstz', T.timestamp),
  field('iv', T.intervalDayTime),
]);

export const TYPED_ROWS: Value[][] = [
  [
    true,
    -12,
    123456,
    9007199254740993n,
    1.5,
    0.1,
    -50n,
    'héllo',
    'abc',
    new Uint8Array([0x0a, 0x1b]),
    18262, // 2020-01-01
    1577934245123456n, // 2020-01-02 03:04:05.123456
    1577934245000000n,
    ((3n * 24n + 4n) * 3600n + 5n * 60n + 6n) * 1_000_000n,
  ],
  TYPED_SCHEMA.fields.map(() => null),
];

async function* oneBatch(batch: arrow.RecordBatch): AsyncGenerator<arrow.RecordBatch> {
  await Promise.resolve();
  yield batch;
}

function rowsResult(s: Schema, rows: readonly Value[][], tag = 'SELECT'): StatementResult {
  const columns = s.fields.map((f, c) =>
    columnFromValues(
      f.type,
      rows.map((r) => r[c] ?? null),
    ),
  );
  const batch = makeBatch(s, columns, rows.length);
  return { kind: 'rows', schema: s, tag, batches: oneBatch(batch) };
}

const BIG_SCHEMA = schema([field('id', T.bigint, false), field('name', T.string)]);

async function* bigBatches(n: number, signal?: AbortSignal): AsyncGenerator<arrow.RecordBatch> {
  const size = 50_000;
  for (let start = 0; start < n; start += size) {
    if (signal?.aborted === true)
      throw new EngineError(SqlState.queryCanceled, 'canceling statement due to user request');
    const count = Math.min(size, n - start);
    const ids: Value[] = [];
    const names: Value[] = [];
    for (let i = 0; i < count; i++) {
      ids.push(BigInt(start + i));
      names.push(`row-${start + i}`);
    }
    yield makeBatch(BIG_SCHEMA, [columnFromValues(T.bigint, ids), columnFromValues(T.string, names)], count);
    await Promise.resolve();
  }
}

function sleepUntilAborted(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => {
      clearTimeout(timer);
      reject(new EngineError(SqlState.queryCanceled, 'canceling statement due to user request'));
    });
  });
}

export interface FakeSessionLog {
  closed: number;
  statements: string[];
}

export class FakeSession implements SqlSession {
  private readonly listeners: ((change: ParameterChange) => void)[] = [];
  private readonly params = new Map<string, string>([
    ['TimeZone', 'UTC'],
    ['application_name', ''],
  ]);
  private readonly log: FakeSessionLog;

  constructor(applicationName = '', log: FakeSessionLog = { closed: 0, statements: [] }) {
    this.params.set('application_name', applicationName);
    this.log = log;
  }

  async *execute(sql: string, options?: ExecuteOptions): AsyncIterable<StatementResult> {
    let offset = 0;
    for (const part of sql.split(';')) {
      const start = offset + (part.length - part.trimStart().length);
      offset += part.length + 1;
      const text = part.trim().replace(/\s+/g, ' ');
      if (text === '' || text.startsWith('--')) continue;
      yield await this.runOne(text, start, options);
    }
  }

  private async runOne(text: string, start: number, options?: ExecuteOptions): Promise<StatementResult> {
    this.log.statements.push(text);
    const lower = text.toLowerCase();
    let m: RegExpExecArray | null;
    if ((m = /^select (-?\d+)$/.exec(lower)) !== null) {
      return rowsResult(schema([field('?column?', T.int)]), [[Number(m[1])]]);
    }
    if (lower === 'select typed') return rowsResult(TYPED_SCHEMA, TYPED_ROWS);
    if ((m = /^select big (\d+)$/.exec(lower)) !== null) {
      return {
        kind: 'rows',
        schema: BIG_SCHEMA,
        tag: 'SELECT',
        batches: bigBatches(Number(m[1]), options?.signal),
      };
    }
    if (lower === 'select slow') {
      await sleepUntilAborted(10_000, options?.signal);
      return rowsResult(schema([field('x', T.int)]), [[1]]);
    }
    if (lower === 'select boom') throw new Error('kaboom');
    if ((m = /^show (\w+)$/.exec(lower)) !== null) {
      const value = [...this.params].find(([k]) => k.toLowerCase() === m![1])?.[1] ?? 'on';
      return rowsResult(schema([field(m[1]!, T.string)]), [[value]], 'SHOW');
    }
    if ((m = /^set (\w+) (?:=|to) '?([^']*)'?$/i.exec(text)) !== null) {
      const name = m[1]!.toLowerCase() === 'timezone' ? 'TimeZone' : m[1]!.toLowerCase();
      if (name === 'TimeZone' || name === 'application_name') {
        this.params.set(name, m[2]!);
        for (const l of this.listeners) l({ name, value: m[2]! });
      }
      return { kind: 'command', tag: 'SET' };
    }
    if (lower === 'begin' || lower === 'start transaction') return { kind: 'command', tag: 'BEGIN' };
    if (lower === 'commit' || lower === 'end') return { kind: 'command', tag: 'COMMIT' };
    if (lower === 'rollback' || lower === 'abort') return { kind: 'command', tag: 'ROLLBACK' };
    const from = lower.indexOf(' from ');
    const position = start + (from >= 0 ? from + 7 : 1);
    const name = from >= 0 ? text.slice(from + 6).split(' ')[0] : text;
    throw new EngineError(SqlState.undefinedTable, `relation "${name}" does not exist`, { position });
  }

  // eslint-disable-next-line @typescript-eslint/require-await
  async prepare(sql: string, declaredTypes: readonly (DataType | null)[]): Promise<PreparedStatement> {
    const paramTypes: DataType[] = [];
    const castTypes: Record<string, DataType> = {
      int: T.int,
      int4: T.int,
      bigint: T.bigint,
      int8: T.bigint,
      numeric: T.decimal(10, 2),
      float8: T.double,
      bool: T.boolean,
      date: T.date,
      timestamp: T.timestampNtz,
      timestamptz: T.timestamp,
      bytea: T.binary,
      text: T.string,
    };
    for (const m of sql.matchAll(/\$(\d+)(?:::(\w+))?/g)) {
      const i = Number(m[1]) - 1;
      paramTypes[i] = declaredTypes[i] ?? (m[2] === undefined ? undefined : castTypes[m[2]]) ?? T.string;
    }
    for (let i = 0; i < paramTypes.length; i++) paramTypes[i] ??= declaredTypes[i] ?? T.string;
    if (paramTypes.length > 0) {
      return {
        sql,
        paramTypes,
        describedParamTypes: paramTypes,
        resultSchema: schema(paramTypes.map((t, i) => field(`p${i + 1}`, t))),
      };
    }
    const text = sql.trim().replace(/\s+/g, ' ').toLowerCase();
    let resultSchema: Schema | null = null;
    if (/^select -?\d+$/.test(text)) resultSchema = schema([field('?column?', T.int)]);
    else if (text === 'select typed') resultSchema = TYPED_SCHEMA;
    else if (/^select big \d+$/.test(text)) resultSchema = BIG_SCHEMA;
    else if (text === 'select slow') resultSchema = schema([field('x', T.int)]);
    else if (/^show \w+$/.test(text)) resultSchema = schema([field(text.slice(5), T.string)]);
    else if (!/^(set|begin|start|commit|end|rollback|abort|select boom)\b/.test(text)) {
      throw new EngineError(SqlState.undefinedTable, `relation does not exist`, { position: 1 });
    }
    return { sql, paramTypes, describedParamTypes: paramTypes, resultSchema };
  }

  async executePrepared(
    statement: PreparedStatement,
    params: readonly Value[],
    options?: ExecuteOptions,
  ): Promise<StatementResult> {
    if (statement.paramTypes.length > 0) {
      this.log.statements.push(statement.sql);
      return rowsResult(statement.resultSchema!, [[...params]]);
    }
    const text = statement.sql.trim().replace(/\s+/g, ' ');
    return this.runOne(text, 0, options);
  }

  describeCursor(): null {
    return null; // no SQL cursors here
  }

  reportedParameters(): readonly ParameterChange[] {
    return [...this.params].map(([name, value]) => ({ name, value }));
  }

  onParameterChange(listener: (change: ParameterChange) => void): void {
    this.listeners.push(listener);
  }

  close(): void {
    this.log.closed++;
  }
}
