/**
 * `inferJsonSchema(location, options)`: the columns of JSON data whose DDL has no column list
 * (`CREATE TABLE t USING json LOCATION '…'`, `SELECT * FROM json.\`path\``), as Spark infers them:
 * every record's type (src/common/json-schema.ts) widened together, fields sorted by name, a field
 * seen only as null a STRING, and `_corrupt_record` (STRING, in its sorted place) when a record was
 * malformed in PERMISSIVE mode; then partition columns from `col=value/` folders. Inference reads the files in
 * path order up to `INFER_MAX_BYTES` of them (it runs while the statement is planned).
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

function readText(file: string, gzip: boolean, maxBytes: number): string {
  try {
    let bytes: Uint8Array = fs.readFileSync(file);
    if (gzip) bytes = zlib.gunzipSync(bytes);
    if (bytes.length > maxBytes) {
      // Whole lines only.
      const cut = bytes.lastIndexOf(10, maxBytes);
      bytes = bytes.subarray(0, cut < 0 ? 0 : cut);
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
): Field[] {
  const options = parseJsonOptions(rawOptions);
  const files = listDataFiles(location, []);
  let type = T.null as DataType;
  let budget = INFER_MAX_BYTES;
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
    const text = readText(file.path, gzip, budget);
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
