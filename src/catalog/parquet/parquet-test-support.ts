/**
 * Helpers for the Parquet tests: files written by DuckDB (a devDependency: tests only), table
 * definitions, expression builders for pushed-down filters, and reading a whole scan as rows.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { batchRows, type DataType, type Field, type Value } from '../../common/index.ts';
import type { ComparisonOp, Expr } from '../../plan/index.ts';
import type { TableDefinition } from '../types.ts';
import { ParquetTableProvider, type ParquetTableScan } from './parquet-table-provider.ts';

export function tempDir(prefix = 'kindling-parquet-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

let connection: Promise<DuckDBConnection> | null = null;

async function duck(): Promise<DuckDBConnection> {
  connection ??= (async () => {
    const instance = await DuckDBInstance.create(':memory:');
    const con = await instance.connect();
    // One thread: row groups are written in order, so pruning counts are deterministic.
    await con.run('SET threads = 1');
    return con;
  })();
  return connection;
}

/** Runs any DuckDB statement (COPY … TO … (FORMAT parquet …)). */
export async function duckdb(sql: string): Promise<void> {
  await (await duck()).run(sql);
}

/** Writes the rows of `select` to `file` as Parquet with row groups of `rowGroupSize` rows. */
export async function writeParquet(select: string, file: string, rowGroupSize = 2048): Promise<void> {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  await duckdb(`COPY (${select}) TO '${file}' (FORMAT parquet, ROW_GROUP_SIZE ${rowGroupSize})`);
}

export function parquetDef(
  location: string,
  columns: readonly Field[],
  partitionColumns: readonly string[] = [],
  name = 't',
): TableDefinition {
  return {
    database: 'default',
    name,
    columns,
    format: 'parquet',
    location,
    options: {},
    partitionColumns,
    external: true,
    comment: null,
    properties: {},
    createdAt: '2024-01-01T00:00:00.000Z',
  };
}

export interface ReadOptions {
  readonly projection?: readonly number[] | null;
  readonly filters?: readonly Expr[];
  readonly limit?: number | null;
  readonly targetPartitions?: number;
  readonly batchSize?: number;
}

export interface ReadResult {
  readonly rows: Value[][];
  readonly scan: ParquetTableScan;
}

/** All rows of a scan, partitions in order. */
export async function readScan(def: TableDefinition, opts: ReadOptions = {}): Promise<ReadResult> {
  const provider = new ParquetTableProvider(def);
  const scan = provider.scan({
    projection: opts.projection ?? null,
    filters: opts.filters ?? [],
    limit: opts.limit ?? null,
    targetPartitions: opts.targetPartitions ?? 1,
  });
  const types = scan.schema.fields.map((f) => f.type);
  const rows: Value[][] = [];
  for (let p = 0; p < scan.partitions; p++) {
    for await (const batch of scan.open(p, {
      signal: new AbortController().signal,
      batchSize: opts.batchSize ?? 1024,
    })) {
      rows.push(...batchRows(batch, types));
    }
  }
  return { rows, scan };
}

export async function readRows(def: TableDefinition, opts: ReadOptions = {}): Promise<Value[][]> {
  return (await readScan(def, opts)).rows;
}

// Expression builders (bound expressions as the analyzer makes them).

let nextId = 1;
const BOOL: DataType = { kind: 'boolean' };

export function col(name: string, type: DataType): Expr {
  return { kind: 'column', attr: { id: nextId++, name, type, nullable: true, qualifier: null } };
}

export function lit(value: Value, type: DataType): Expr {
  return { kind: 'literal', value, type };
}

export function cmp(op: ComparisonOp, left: Expr, right: Expr): Expr {
  return { kind: 'binary', op, left, right, type: BOOL, failOnError: true };
}

export function and(left: Expr, right: Expr): Expr {
  return { kind: 'binary', op: 'and', left, right, type: BOOL, failOnError: false };
}

export function or(left: Expr, right: Expr): Expr {
  return { kind: 'binary', op: 'or', left, right, type: BOOL, failOnError: false };
}

export function isNull(input: Expr, negated = false): Expr {
  return { kind: 'unary', op: negated ? 'is_not_null' : 'is_null', input, type: BOOL, failOnError: false };
}

export function inList(input: Expr, list: readonly Expr[], negated = false): Expr {
  return { kind: 'in_list', input, list, negated };
}

export function cast(input: Expr, type: DataType): Expr {
  return { kind: 'cast', input, type, mode: 'ansi' };
}
