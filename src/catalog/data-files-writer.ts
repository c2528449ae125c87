/**
 * Writes a table's data files: one file per output folder (the table folder, or a Hive-style
 * `col=value/` folder below it for partitioned tables), named `part-<task>-<write id>.c<n>.<ext>`
 * as Spark names them. Each file is written under a hidden name (`.` prefix: readers skip it) and
 * renamed into place only when the write commits, so a reader — or a crash — never sees half a
 * file. A write spread over tasks closes each task's files (`close`, in the task); the statement
 * then commits them all at once (table-commit.ts) or deletes them (`abortDataFiles`).
 *
 * Formats register a file writer with `registerFileWriter`; Parquet and JSON are built in.
 */
import { randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type * as arrow from 'apache-arrow';
import { EngineError, SqlState, makeDirectories, type Schema } from '../common/index.ts';
import { namesIn } from './file-listing.ts';
import { JsonFileWriter } from './json/json-file-writer.ts';
import { ParquetFileWriter, type ParquetWriteOptions } from './parquet/writer/index.ts';

const IN_PROGRESS = '.inprogress';

/**
 * Removes the hidden data files (`.part-….inprogress`, in a table's folder and its partition
 * folders) of writes that never finished — only those untouched for `maxAgeMs`, so a write still
 * running (in this process or another) keeps its files. Returns how many it removed.
 */
export function sweepWriteLeftovers(location: string, maxAgeMs: number): number {
  const now = Date.now();
  let removed = 0;
  const walk = (dir: string, depth: number): void => {
    for (const name of namesIn(dir)) {
      const full = path.join(dir, name);
      let st: fs.Stats;
      try {
        st = fs.lstatSync(full);
      } catch {
        continue;
      }
      if (st.isFile() && name.startsWith('.') && name.endsWith(IN_PROGRESS) && now - st.mtimeMs >= maxAgeMs) {
        fs.rmSync(full, { force: true });
        removed++;
      } else if (st.isDirectory() && name.indexOf('=') > 0 && depth < 64) {
        // Writes put files only in the table's folder and its `col=value` partition folders.
        walk(full, depth + 1);
      }
    }
  };
  walk(location, 0);
  return removed;
}

/** One open data file. */
export interface FileWriter {
  write(batch: arrow.RecordBatch): Promise<void>;
  close(): Promise<{ readonly rows: number; readonly bytes: number }>;
  /** Closes and deletes the file. */
  abort(): Promise<void>;
}

export type FileWriterFactory = (
  file: string,
  schema: Schema,
  options: Readonly<Record<string, string>>,
) => Promise<FileWriter>;

interface FormatWriter {
  readonly extension: string;
  readonly create: FileWriterFactory;
  /** Whether its files hold arrays, maps and structs. */
  readonly nestedTypes: boolean;
}

const formats = new Map<string, FormatWriter>([
  [
    'parquet',
    {
      extension: 'parquet',
      create: (file, schema, options) => ParquetFileWriter.create(file, schema, parquetOptions(options)),
      nestedTypes: true,
    },
  ],
  [
    'json',
    {
      extension: 'json',
      create: (file, schema, options) => JsonFileWriter.create(file, schema, options),
      nestedTypes: true,
    },
  ],
]);

export function registerFileWriter(
  format: string,
  extension: string,
  create: FileWriterFactory,
  options: { readonly nestedTypes?: boolean } = {},
): void {
  formats.set(format.toLowerCase(), { extension, create, nestedTypes: options.nestedTypes ?? false });
}

/** Whether `format`'s files can hold arrays, maps and structs. */
export function canWriteNestedTypes(format: string): boolean {
  return formats.get(format.toLowerCase())?.nestedTypes ?? false;
}

/** The file name extension of `format`'s data files (`parquet`), or undefined when not writable. */
export function dataFileExtension(format: string): string | undefined {
  return formats.get(format.toLowerCase())?.extension;
}

/** Whether data of `format` can be written (CREATE TABLE … AS SELECT, INSERT). */
export function canWriteFormat(format: string): boolean {
  return formats.has(format.toLowerCase());
}

/** Spark's `compression` option for Parquet (`snappy` is Spark's default; we write zstd for it). */
function parquetOptions(options: Readonly<Record<string, string>>): ParquetWriteOptions {
  const raw = (options['compression'] ?? options['parquet.compression'] ?? '').toLowerCase();
  switch (raw) {
    case '':
      return {};
    case 'none':
    case 'uncompressed':
      return { compression: 'none' };
    case 'snappy':
    case 'zstd':
    case 'lz4':
    case 'lz4_raw':
      return { compression: 'zstd' };
    case 'gzip':
      return { compression: 'gzip' };
    default:
      throw new EngineError(
        SqlState.invalidParameterValue,
        `[INVALID_OPTION_VALUE] The value '${raw}' of the option 'compression' is not supported for Parquet; ` +
          'use none, uncompressed, snappy, zstd or gzip.',
      );
  }
}

interface OpenFile {
  readonly writer: FileWriter;
  readonly hidden: string;
  readonly final: string;
}

/** A closed data file, still under its hidden name until the write commits (table-commit.ts). */
export interface WrittenFile {
  readonly hidden: string;
  readonly final: string;
  readonly rows: number;
  readonly bytes: number;
}

/** Deletes closed files that were not committed. */
export function abortDataFiles(files: readonly WrittenFile[]): void {
  for (const file of files) fs.rmSync(file.hidden, { force: true });
}

export interface DataFilesWriterOptions {
  /** Shared by every task of one write; a new one by default. */
  readonly writeId?: string;
  /** The task's number, in the file names (0 by default). */
  readonly task?: number;
}

export class DataFilesWriter {
  private readonly root: string;
  private readonly schema: Schema;
  private readonly options: Readonly<Record<string, string>>;
  private readonly format: FormatWriter;
  private readonly writeId: string;
  private readonly task: number;
  private readonly open = new Map<string, OpenFile>();
  private readonly finished: WrittenFile[] = [];
  private rows = 0;
  private done = false;

  /**
   * `root` is the table folder (created if missing); `schema` the data columns (partition columns
   * live in folder names, not in the files).
   */
  constructor(
    root: string,
    schema: Schema,
    format: string,
    options: Readonly<Record<string, string>>,
    writer: DataFilesWriterOptions = {},
  ) {
    this.writeId = writer.writeId ?? randomUUID();
    this.task = writer.task ?? 0;
    this.root = root;
    this.schema = schema;
    this.options = options;
    const f = formats.get(format.toLowerCase());
    if (f === undefined) {
      throw new EngineError(
        SqlState.featureNotSupported,
        `writing tables of format "${format}" is not supported (writable: ${[...formats.keys()].join(', ')})`,
      );
    }
    this.format = f;
  }

  /** Appends a batch of the data columns to the file of `partitionDir` (`''` or `p=1/q=a`). */
  async write(batch: arrow.RecordBatch, partitionDir = ''): Promise<void> {
    if (this.done) throw new EngineError(SqlState.internalError, 'internal error: write after commit/abort');
    let file = this.open.get(partitionDir);
    if (file === undefined) {
      const dir = partitionDir === '' ? this.root : path.join(this.root, partitionDir);
      try {
        makeDirectories(dir);
      } catch (err) {
        throw new EngineError(
          SqlState.ioError,
          `could not create directory "${dir}": ${(err as Error).message}`,
        );
      }
      const n = this.open.size + this.finished.length;
      const name = `part-${String(this.task).padStart(5, '0')}-${this.writeId}.c${String(n).padStart(3, '0')}.${this.format.extension}`;
      // The hidden name is this writer's own, so an attempt of the same task never collides with it.
      const hidden = path.join(dir, `.${name}.${randomUUID().slice(0, 8)}.inprogress`);
      const writer = await this.format.create(hidden, this.schema, this.options);
      file = { writer, hidden, final: path.join(dir, name) };
      this.open.set(partitionDir, file);
    }
    this.rows += batch.numRows;
    await file.writer.write(batch);
  }

  /** Rows written so far. */
  get rowCount(): number {
    return this.rows;
  }

  /** Closes every file, leaving it hidden; the caller commits or aborts them. */
  async close(): Promise<WrittenFile[]> {
    this.done = true;
    try {
      for (const [key, file] of this.open) {
        const { rows, bytes } = await file.writer.close();
        this.finished.push({ hidden: file.hidden, final: file.final, rows, bytes });
        this.open.delete(key);
      }
    } catch (err) {
      await this.abort();
      throw err;
    }
    return [...this.finished];
  }

  /** Deletes everything written (files still open and closed ones not yet renamed). */
  async abort(): Promise<void> {
    this.done = true;
    for (const file of this.open.values()) {
      try {
        await file.writer.abort();
      } catch {
        // Best effort: the hidden file is skipped by readers and swept with the folder.
      }
    }
    this.open.clear();
    abortDataFiles(this.finished);
    this.finished.length = 0;
  }
}
