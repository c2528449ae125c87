/**
 * Writes a JSON Lines data file: one JSON object per row, as Spark's JSON writer writes them —
 * fields in column order, NULL fields left out, dates `yyyy-MM-dd`, timestamps
 * `yyyy-MM-dd'T'HH:mm:ss.SSSXXX` (in UTC, as JSON tables read them back), decimals as their
 * digits — through the JSON ↔ value conversion shared with to_json (src/common/json-values.ts).
 * The file is synced before `close` returns, so a commit never names an empty file.
 */
import { open, unlink, type FileHandle } from 'node:fs/promises';
import type * as arrow from 'apache-arrow';
import {
  EngineError,
  SqlState,
  batchRows,
  jsonSupportsType,
  structToJson,
  typeToDdl,
  unsupportedJsonType,
  utf8,
  type Schema,
} from '../../common/index.ts';
import type { FileWriter } from '../data-files-writer.ts';
import { fileDatetimeRules } from './json-scan.ts';

/** Timestamps are written as UTC instants (`…Z`), which read back the same in any session zone. */
const UTC_RULES = fileDatetimeRules('UTC');

function ioError(file: string, what: string, err: unknown): EngineError {
  return new EngineError(SqlState.ioError, `could not ${what} "${file}": ${(err as Error).message}`, {
    cause: err,
  });
}

export class JsonFileWriter implements FileWriter {
  private readonly file: string;
  private readonly handle: FileHandle;
  private readonly schema: Schema;
  private rows = 0;
  private bytes = 0;
  private state: 'open' | 'closed' | 'aborted' = 'open';

  private constructor(file: string, handle: FileHandle, schema: Schema) {
    this.file = file;
    this.handle = handle;
    this.schema = schema;
  }

  /** Creates (or truncates) `file`; files are written uncompressed whatever `compression` says. */
  static async create(
    file: string,
    schema: Schema,
    options: Readonly<Record<string, string>>,
  ): Promise<JsonFileWriter> {
    for (const f of schema.fields) {
      if (!jsonSupportsType(f.type)) throw unsupportedJsonType(f.name, typeToDdl(f.type));
    }
    const compression = (options['compression'] ?? 'none').toLowerCase();
    if (compression !== 'none' && compression !== 'uncompressed') {
      throw new EngineError(
        SqlState.featureNotSupported,
        `writing JSON files with compression "${compression}" is not supported; use none`,
      );
    }
    let handle: FileHandle;
    try {
      handle = await open(file, 'w');
    } catch (err) {
      throw ioError(file, 'create', err);
    }
    return new JsonFileWriter(file, handle, schema);
  }

  async write(batch: arrow.RecordBatch): Promise<void> {
    if (this.state !== 'open')
      throw new EngineError(SqlState.internalError, `internal error: JSON writer is ${this.state}`);
    if (batch.numRows === 0) return;
    const fields = this.schema.fields;
    const lines = batchRows(
      batch,
      fields.map((f) => f.type),
    ).map((row) => structToJson(row, fields, UTC_RULES));
    const bytes = utf8.encoder.encode(`${lines.join('\n')}\n`);
    try {
      await this.handle.write(bytes, 0, bytes.length, this.bytes);
    } catch (err) {
      throw ioError(this.file, 'write', err);
    }
    this.bytes += bytes.length;
    this.rows += batch.numRows;
  }

  async close(): Promise<{ readonly rows: number; readonly bytes: number }> {
    if (this.state !== 'open')
      throw new EngineError(SqlState.internalError, `internal error: JSON writer is ${this.state}`);
    this.state = 'closed';
    try {
      await this.handle.sync();
      await this.handle.close();
    } catch (err) {
      throw ioError(this.file, 'close', err);
    }
    return { rows: this.rows, bytes: this.bytes };
  }

  async abort(): Promise<void> {
    if (this.state === 'aborted') return;
    const wasOpen = this.state === 'open';
    this.state = 'aborted';
    if (wasOpen) await this.handle.close().catch(() => undefined);
    await unlink(this.file).catch(() => undefined);
  }
}
