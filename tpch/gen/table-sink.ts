/**
 * Where a table's chunks go: one output file per part, written under a hidden temporary name
 * (`.name.tmp`, which the catalog's file listing skips) and renamed by `commit` once every part of
 * the table is complete, so an interrupted run never leaves a file that looks complete.
 *
 * Layout: `.tbl` files are `<out>/<table>.tbl`, or `<out>/<table>.tbl.1` … with several parts (as
 * dbgen's `-C`); Parquet files are always a folder per table, `<out>/<table>/part-00000.parquet` …,
 * which the catalog reads as one table.
 */

import { mkdir, open, readdir, rename, unlink, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import type { ChunkOutput, OutputFormat } from './chunk.ts';
import { GeneratorOutputError } from './options.ts';
import type { Compression, ParquetApi, ParquetWriter } from './parquet-api.ts';
import type { TableName } from './scale.ts';
import { tableSchema } from './table-schema.ts';

export interface GeneratedFile {
  readonly table: TableName;
  readonly path: string;
  readonly bytes: number;
  readonly rows: number;
}

function outputError(what: string, path: string, err: unknown): GeneratorOutputError {
  const reason = err instanceof Error ? err.message : String(err);
  return new GeneratorOutputError(`cannot ${what} "${path}": ${reason}`, { cause: err });
}

const PART_FILE = /^part-\d{5}\.parquet$/;

/** The folder and file name of part `part` of `parts`. */
function location(
  out: string,
  table: TableName,
  format: OutputFormat,
  part: number,
  parts: number,
): [string, string] {
  if (format === 'parquet') return [join(out, table), `part-${String(part).padStart(5, '0')}.parquet`];
  return [out, parts === 1 ? `${table}.tbl` : `${table}.tbl.${part + 1}`];
}

/** One part being written. */
interface PartFile {
  append(output: ChunkOutput): Promise<void>;
  close(): Promise<number>;
  abort(): Promise<void>;
}

async function tblFile(path: string): Promise<PartFile> {
  let handle: FileHandle;
  try {
    handle = await open(path, 'w');
  } catch (err) {
    throw outputError('create', path, err);
  }
  let bytes = 0;
  let closed = false;
  return {
    async append(output) {
      const data = output.bytes!;
      try {
        let offset = 0;
        while (offset < data.length) {
          const { bytesWritten } = await handle.write(data, offset, data.length - offset);
          offset += bytesWritten;
        }
      } catch (err) {
        throw outputError('write', path, err);
      }
      bytes += data.length;
    },
    async close() {
      closed = true;
      try {
        await handle.close();
      } catch (err) {
        throw outputError('write', path, err);
      }
      return bytes;
    },
    async abort() {
      if (!closed) await handle.close().catch(() => undefined);
      closed = true;
      await unlink(path).catch(() => undefined);
    },
  };
}

async function parquetFile(
  api: ParquetApi,
  path: string,
  table: TableName,
  compression: Compression | undefined,
): Promise<PartFile> {
  let writer: ParquetWriter;
  try {
    writer = await api.ParquetFileWriter.create(
      path,
      tableSchema(table),
      compression === undefined ? {} : { compression },
    );
  } catch (err) {
    throw outputError('create', path, err);
  }
  let closed = false;
  return {
    async append(output) {
      try {
        await writer.appendRowGroup(output.rowGroup!);
      } catch (err) {
        throw outputError('write', path, err);
      }
    },
    async close() {
      closed = true;
      try {
        return (await writer.close()).bytes;
      } catch (err) {
        throw outputError('write', path, err);
      }
    },
    async abort() {
      if (!closed) await writer.abort().catch(() => undefined);
      closed = true;
      await unlink(path).catch(() => undefined);
    },
  };
}

/** All the parts of one table. */
export class TableSink {
  private readonly table: TableName;
  private readonly out: string;
  private readonly format: OutputFormat;
  private readonly parts: number;
  private readonly compression: Compression | undefined;
  private readonly parquet: ParquetApi | undefined;
  private current: { part: number; file: PartFile; rows: number } | undefined;
  private readonly done: { temp: string; path: string; bytes: number; rows: number }[] = [];

  constructor(
    table: TableName,
    out: string,
    format: OutputFormat,
    parts: number,
    compression: Compression | undefined,
    parquet: ParquetApi | undefined,
  ) {
    this.table = table;
    this.out = out;
    this.format = format;
    this.parts = parts;
    this.compression = compression;
    this.parquet = parquet;
  }

  /** Appends a chunk's output to part `part` (parts are written in order, each once). */
  async append(part: number, output: ChunkOutput): Promise<void> {
    if (this.current !== undefined && this.current.part !== part) await this.closePart();
    if (this.current === undefined) {
      const [dir, name] = location(this.out, this.table, this.format, part, this.parts);
      try {
        await mkdir(dir, { recursive: true });
      } catch (err) {
        throw outputError('create folder', dir, err);
      }
      const temp = join(dir, `.${name}.tmp`);
      const file =
        this.parquet === undefined
          ? await tblFile(temp)
          : await parquetFile(this.parquet, temp, this.table, this.compression);
      this.current = { part, file, rows: 0 };
    }
    await this.current.file.append(output);
    this.current.rows += output.rows;
  }

  /** Closes the last part, removes stale part files, and renames the temporary files. */
  async commit(): Promise<GeneratedFile[]> {
    if (this.current !== undefined) await this.closePart();
    if (this.format === 'parquet') {
      const dir = join(this.out, this.table);
      const keep = new Set(this.done.map((d) => d.path));
      const names = await readdir(dir).catch(() => [] as string[]);
      for (const name of names) {
        const path = join(dir, name);
        if (PART_FILE.test(name) && !keep.has(path)) {
          await unlink(path).catch((err: unknown) => {
            throw outputError('remove stale file', path, err);
          });
        }
      }
    }
    const files: GeneratedFile[] = [];
    for (const d of this.done) {
      try {
        await rename(d.temp, d.path);
      } catch (err) {
        throw outputError('rename', d.temp, err);
      }
      files.push({ table: this.table, path: d.path, bytes: d.bytes, rows: d.rows });
    }
    this.done.length = 0;
    return files;
  }

  /** Deletes every file written so far (after a failure). */
  async abort(): Promise<void> {
    await this.current?.file.abort();
    this.current = undefined;
    for (const d of this.done) await unlink(d.temp).catch(() => undefined);
    this.done.length = 0;
  }

  private async closePart(): Promise<void> {
    const { part, file, rows } = this.current!;
    this.current = undefined;
    let bytes: number;
    try {
      bytes = await file.close();
    } catch (err) {
      await file.abort();
      throw err;
    }
    const [dir, name] = location(this.out, this.table, this.format, part, this.parts);
    this.done.push({ temp: join(dir, `.${name}.tmp`), path: join(dir, name), bytes, rows });
  }
}
