/**
 * `generateTables(tables, sf, options)`: writes TPC-H tables as dbgen's `.tbl` text or as Parquet.
 *
 * Each table's units (rows; parts for partsupp; orders for orders and lineitem) are cut into
 * chunks whose size depends only on the table and the format. orders and lineitem, when both are
 * asked for, are generated together: one job yields both tables' chunks. Jobs of all the tables
 * form one queue served by `workers` threads (each idle thread takes the next job), with at most
 * two jobs per thread in flight, and the results are written in queue order — so memory stays
 * bounded whatever the scale factor, and the files do not depend on the number of workers. A
 * Parquet chunk is one row group, encoded in the worker; the main thread only appends bytes.
 */

import { mkdir } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { runChunk, type ChunkJob, type ChunkOutput, type OutputFormat } from './chunk.ts';
import { GeneratorOutputError, resolveOptions, type GenerateOptions } from './options.ts';
import { loadParquet } from './parquet-api.ts';
import { scaleOf, type TableName } from './scale.ts';
import { TableSink, type GeneratedFile } from './table-sink.ts';
import { unitCount } from './table-rows.ts';
import { WorkerPool } from './worker-pool.ts';

/** Units per chunk: `.tbl` chunks of about 1–4 MB; Parquet chunks of 100k–400k rows (one row group). */
export function unitsPerChunk(table: TableName, format: OutputFormat): number {
  const parquet = format === 'parquet';
  switch (table) {
    case 'partsupp':
      return parquet ? 50_000 : 5_000;
    case 'orders':
    case 'lineitem':
      return parquet ? 100_000 : 10_000;
    default:
      return parquet ? 100_000 : 10_000;
  }
}

interface Job extends ChunkJob {
  readonly part: number;
  /** This job ends the last part of its tables. */
  readonly last: boolean;
}

/** The tables grouped as generated: orders and lineitem together, the others alone, in order. */
function groupsOf(tables: readonly TableName[]): TableName[][] {
  const groups: TableName[][] = [];
  const both = tables.includes('orders') && tables.includes('lineitem');
  for (const t of tables) {
    if (both && (t === 'orders' || t === 'lineitem')) {
      if (!groups.some((g) => g.includes(t))) groups.push(['orders', 'lineitem']);
    } else {
      groups.push([t]);
    }
  }
  return groups;
}

function jobsOf(
  group: TableName[],
  sf: number,
  units: number,
  parts: number,
  base: Omit<ChunkJob, 'tables' | 'sf' | 'start' | 'end'>,
): Job[] {
  const size = unitsPerChunk(group[0]!, base.format);
  const jobs: Job[] = [];
  for (let part = 0; part < parts; part++) {
    const first = Math.floor((units * part) / parts);
    const last = Math.floor((units * (part + 1)) / parts);
    for (let start = first; start < last; start += size) {
      const end = Math.min(last, start + size);
      jobs.push({ ...base, tables: group, sf, start, end, part, last: part === parts - 1 && end === last });
    }
  }
  return jobs;
}

/** Generates several tables; returns the files written, per table in the order asked for. */
export async function generateTables(
  tables: readonly TableName[],
  sf: number,
  options: GenerateOptions,
): Promise<GeneratedFile[]> {
  const o = resolveOptions(tables, sf, options);
  const scale = scaleOf(sf);
  try {
    await mkdir(o.out, { recursive: true });
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    throw new GeneratorOutputError(`cannot create output folder "${o.out}": ${reason}`, { cause: err });
  }
  const parquet = o.format === 'parquet' ? await loadParquet() : undefined;
  const base = { format: o.format, ...(o.compression === undefined ? {} : { compression: o.compression }) };

  const jobs: Job[] = [];
  const sinks = new Map<TableName, TableSink>();
  const totals = new Map<TableName, number>();
  for (const group of groupsOf(tables)) {
    const units = unitCount(group[0]!, scale);
    const parts = Math.min(o.parts, units);
    for (const t of group) {
      sinks.set(t, new TableSink(t, o.out, o.format, parts, o.compression, parquet));
      totals.set(t, units);
    }
    jobs.push(...jobsOf(group, sf, units, parts, base));
  }

  const threads = Math.min(o.workers ?? availableParallelism(), jobs.length);
  const pool = threads > 1 ? new WorkerPool(threads) : undefined;
  const window = pool === undefined ? 1 : 2 * threads;
  const inFlight: (Promise<readonly ChunkOutput[]> | undefined)[] = [];
  const produce = (job: Job): Promise<readonly ChunkOutput[]> =>
    pool === undefined ? runChunk(job) : pool.run(job);

  const written = new Map<TableName, GeneratedFile[]>();
  const done = new Map<TableName, number>();
  try {
    for (let next = 0; next < jobs.length; next++) {
      for (let i = next; i < Math.min(jobs.length, next + window); i++) inFlight[i] ??= produce(jobs[i]!);
      const job = jobs[next]!;
      const outputs = await inFlight[next]!;
      inFlight[next] = undefined;
      for (const output of outputs) {
        const sink = sinks.get(output.table)!;
        await sink.append(job.part, output);
        if (job.last) written.set(output.table, await sink.commit());
      }
      for (const t of job.tables) {
        const units = (done.get(t) ?? 0) + (job.end - job.start);
        done.set(t, units);
        o.onProgress?.(t, units, totals.get(t)!);
      }
    }
  } catch (err) {
    for (const sink of sinks.values()) await sink.abort();
    throw err;
  } finally {
    // Settle anything still in flight after a failure before tearing the threads down.
    await Promise.allSettled(inFlight.filter((p) => p !== undefined));
    await pool?.close();
  }
  return tables.flatMap((t) => written.get(t) ?? []);
}

/** Generates one table. */
export function generateTable(
  table: TableName,
  sf: number,
  options: GenerateOptions,
): Promise<GeneratedFile[]> {
  return generateTables([table], sf, options);
}

export type { GeneratedFile } from './table-sink.ts';
