/**
 * `inferJsonSchema(location, options)`: the columns of JSON data whose DDL has no column list
 * (`CREATE TABLE t USING json LOCATION '…'`, `SELECT * FROM json.\`path\``), as Spark infers them:
 * every record's type (src/common/json-schema.ts) widened together, fields sorted by name, a field
 * seen only as null a STRING, and `_corrupt_record` (STRING, in its sorted place) when a record was
 * malformed in PERMISSIVE mode; then partition columns from `col=value/` folders. Inference reads
 * the files in path order up to `INFER_MAX_BYTES` of them, whole lines only; a `multiLine` file is
 * read whole. It is query work: the session runs it on an executor (`FileSchemaExec`).
 */
import * as fs from 'node:fs';
import * as zlib from 'node:zlib';
import {
  EngineError,
  JsonSyntaxError,
  SqlState,
  T,
  finishJsonType,
  inferJsonType,
  malformedRecordError,
  parseJson,
  utf8,
  widenJsonTypes,
  type DataType,
  type Field,
} from '../../common/index.ts';
import { isGzipPath } from '../csv/csv-splits.ts';
import { listDataFiles } from '../file-listing.ts';
import { inferPartitionColumns } from '../partition-inference.ts';
import { parseJsonOptions } from './json-options.ts';

/** How much of the files inference reads at most. */
export const INFER_MAX_BYTES = 16 * 1024 * 1024;

/** Up to `max` bytes from the start of a file, and whether the file goes on. */
function readHead(file: string, max: number): { bytes: Uint8Array; cut: boolean } {
  const fd = fs.openSync(file, 'r');
  try {
    const size = Math.max(0, fs.fstatSync(fd).size);
    const buf = new Uint8Array(Math.min(max, size));
    let filled = 0;
    while (filled < buf.length) {
      const n = fs.readSync(fd, buf, filled, buf.length - filled, filled);
      if (n === 0) break;
      filled += n;
    }
    return { bytes: buf.subarray(0, filled), cut: filled < size };
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * The decompressed start of a gzip file, at most `max` bytes: a prefix of the compressed bytes is
 * inflated (a cut stream is fine), shorter prefixes while it inflates past `max`.
 */
function gunzipHead(file: string, max: number): { bytes: Uint8Array; cut: boolean } {
  const head = readHead(file, max);
  let compressed = head.bytes;
  for (;;) {
    try {
      const bytes = zlib.gunzipSync(compressed, {
        finishFlush: zlib.constants.Z_SYNC_FLUSH,
        ...(Number.isFinite(max) ? { maxOutputLength: max } : {}),
      });
      return { bytes, cut: head.cut || compressed.length < head.bytes.length };
    } catch (err) {
      if (!(err instanceof RangeError)) throw err;
      // Even a short prefix inflates past the budget: nothing whole fits.
      if (compressed.length < 64) return { bytes: new Uint8Array(0), cut: true };
      compressed = compressed.subarray(0, compressed.length >> 2);
    }
  }
}

/** The whole lines at the start of a file (at most `maxBytes`), decompressed when gzip. */
function readText(file: string, gzip: boolean, maxBytes: number): string {
  try {
    const head = gzip ? gunzipHead(file, maxBytes) : readHead(file, maxBytes);
    let bytes = head.bytes;
    if (head.cut) {
      // The file goes on: its last line here may be cut.
      const end = bytes.lastIndexOf(10);
      bytes = bytes.subarray(0, end < 0 ? 0 : end);
    }
    return utf8.decoder.decode(bytes).replace(/^\uFEFF/, '');
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    throw new EngineError(SqlState.ioError, `could not read "${file}": ${reason}`, { cause: err });
  }
}

/**
 * The columns of the JSON data at `location`: data columns, then partition columns
 * (`partitionColumns` when given, else every `col=value` folder level found).
 */
export function inferJsonSchema(
  location: string,
  rawOptions: Readonly<Record<string, string>>,
  partitionColumns?: readonly string[],
  maxBytes = INFER_MAX_BYTES,
): Field[] {
  const options = parseJsonOptions(rawOptions);
  const files = listDataFiles(location, []);
  let type = T.null as DataType;
  let budget = maxBytes;
  const take = (text: string): void => {
    let node;
    try {
      node = parseJson(text);
    } catch (err) {
      if (!(err instanceof JsonSyntaxError)) throw err;
      node = undefined;
    }
    if (node === null) return;
    const objects =
      node === undefined ? null : node.kind === 'object' ? [node] : node.kind === 'array' ? node.items : null;
    if (objects === null || objects.some((o) => o.kind !== 'object')) {
      if (options.mode === 'FAILFAST') throw malformedRecordError(text);
      // A malformed record is a struct of just the corrupt-record field, widened in with the others.
      if (options.mode === 'PERMISSIVE') {
        const corrupt: Field = { name: options.corruptColumn, type: T.string, nullable: true };
        type = widenJsonTypes(type, { kind: 'struct', fields: [corrupt] });
      }
      return;
    }
    for (const o of objects) type = widenJsonTypes(type, inferJsonType(o));
  };
  for (const file of files) {
    if (budget <= 0) break;
    const gzip = options.compression === 'gzip' || (options.compression === null && isGzipPath(file.path));
    // A multiLine file is one record: it is read whole.
    const text = readText(file.path, gzip, options.multiLine ? Infinity : budget);
    budget -= text.length;
    if (options.multiLine) take(text);
    else for (const line of text.split('\n')) take(line);
  }
  const finished = type.kind === 'struct' ? finishJsonType(type) : undefined;
  const data: Field[] = finished?.kind === 'struct' ? [...finished.fields] : [];
  const partitions = inferPartitionColumns(
    location,
    files.map((f) => f.path),
    partitionColumns,
  );
  const partitionKeys = new Set(partitions.map((p) => p.name.toLowerCase()));
  const columns = data.filter((f) => !partitionKeys.has(f.name.toLowerCase()));
  if (columns.length === 0) {
    throw new EngineError(
      SqlState.unableToInferSchema,
      `[UNABLE_TO_INFER_SCHEMA] Unable to infer schema for JSON at ${location}. It must be specified manually.`,
    );
  }
  return [...columns, ...partitions];
}
