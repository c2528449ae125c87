/**
 * `generateTable(table, sf, { out, parts?, workers? })`: writes a table as dbgen's `.tbl` text.
 *
 * The table's units (rows; parts for partsupp; orders for lineitem) are cut into chunks of a few
 * thousand units. Chunks are generated in parallel — round-robin over `workers` threads, at most
 * two in flight per thread — and written in order through the file handle, so memory stays
 * bounded by the window whatever the scale factor, and the bytes do not depend on the number of
 * workers. With `parts` > 1 the units are split into that many contiguous ranges written to
 * `<table>.tbl.1` … `<table>.tbl.<parts>` (as dbgen's `-C`/`-S`); otherwise to `<table>.tbl`.
 */

import { mkdir, open } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { generateChunk } from './chunk.ts';
import { scaleOf, type TableName } from './scale.ts';
import { unitCount, unitsPerChunk } from './table-rows.ts';
import { WorkerPool } from './worker-pool.ts';

export interface GenerateOptions {
  /** Output directory (created if missing). */
  readonly out: string;
  /** Number of output files (default 1). */
  readonly parts?: number;
  /** Worker threads (default: one per core); 0 or 1 generates on the calling thread. */
  readonly workers?: number;
}

export interface GeneratedFile {
  readonly path: string;
  readonly bytes: number;
}

interface Chunk {
  readonly part: number;
  readonly start: number;
  readonly end: number;
}

function chunksOf(table: TableName, units: number, parts: number): Chunk[] {
  const size = unitsPerChunk(table);
  const chunks: Chunk[] = [];
  for (let part = 0; part < parts; part++) {
    const first = Math.floor((units * part) / parts);
    const last = Math.floor((units * (part + 1)) / parts);
    for (let start = first; start < last; start += size) {
      chunks.push({ part, start, end: Math.min(last, start + size) });
    }
  }
  return chunks;
}

async function writeAll(handle: Awaited<ReturnType<typeof open>>, bytes: Uint8Array): Promise<void> {
  let offset = 0;
  while (offset < bytes.length) {
    const { bytesWritten } = await handle.write(bytes, offset, bytes.length - offset);
    offset += bytesWritten;
  }
}

export async function generateTable(
  table: TableName,
  sf: number,
  options: GenerateOptions,
): Promise<GeneratedFile[]> {
  const scale = scaleOf(sf);
  const parts = Math.max(1, Math.floor(options.parts ?? 1));
  const units = unitCount(table, scale);
  const chunks = chunksOf(table, units, parts);
  const threads = Math.min(options.workers ?? availableParallelism(), chunks.length);
  await mkdir(options.out, { recursive: true });

  const pool = threads > 1 ? new WorkerPool(threads) : undefined;
  const window = 2 * threads;
  const inFlight: (Promise<Uint8Array> | undefined)[] = [];
  const produce = (i: number): Promise<Uint8Array> => {
    const { start, end } = chunks[i]!;
    if (pool === undefined) return Promise.resolve(generateChunk({ id: i, table, sf, start, end }));
    return pool.request(i, { table, sf, start, end });
  };

  const files: GeneratedFile[] = [];
  try {
    let next = 0;
    for (let part = 0; part < parts; part++) {
      const path = join(options.out, parts === 1 ? `${table}.tbl` : `${table}.tbl.${part + 1}`);
      const handle = await open(path, 'w');
      let bytes = 0;
      try {
        while (next < chunks.length && chunks[next]!.part === part) {
          for (let i = next; i < Math.min(chunks.length, next + window); i++) {
            inFlight[i] ??= produce(i);
          }
          const data = await inFlight[next]!;
          inFlight[next] = undefined;
          await writeAll(handle, data);
          bytes += data.length;
          next++;
        }
      } finally {
        await handle.close();
      }
      files.push({ path, bytes });
    }
  } finally {
    // Settle anything still in flight after a failure before tearing the threads down.
    await Promise.allSettled(inFlight.filter((p) => p !== undefined));
    await pool?.close();
  }
  return files;
}

/** Generates several tables one after another (each in parallel over its chunks). */
export async function generateTables(
  tables: readonly TableName[],
  sf: number,
  options: GenerateOptions,
): Promise<GeneratedFile[]> {
  const files: GeneratedFile[] = [];
  for (const table of tables) files.push(...(await generateTable(table, sf, options)));
  return files;
}
