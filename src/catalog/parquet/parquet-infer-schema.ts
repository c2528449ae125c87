/**
 * `inferParquetSchema(location)`: the columns of a Parquet table whose DDL has no column list
 * (`CREATE TABLE t USING parquet LOCATION '…'`), as Spark infers them: the first data file's footer
 * (Spark's own schema from its row metadata when the file has it, else the Parquet types mapped as
 * parquet-schema.ts describes), then partition columns from `col=value/` folders, typed from their
 * values (int, bigint, double, date, timestamp, else string; NULL-only folders give string).
 */
import * as path from 'node:path';
import { EngineError, SqlState, type DataType, type Field } from '../../common/index.ts';
import { HIVE_DEFAULT_PARTITION, listDataFiles } from '../file-listing.ts';
import { readParquetFooter } from './parquet-footer.ts';
import { fileColumns, sparkRowMetadata } from './parquet-schema.ts';

const INT_MIN = -2147483648;
const INT_MAX = 2147483647;

function partitionType(values: readonly string[]): DataType {
  const present = values.filter((v) => v !== HIVE_DEFAULT_PARTITION);
  if (present.length === 0) return { kind: 'string' };
  if (present.every((v) => /^[+-]?\d+$/.test(v))) {
    const fitsInt = present.every((v) => {
      const n = Number(v);
      return n >= INT_MIN && n <= INT_MAX;
    });
    if (fitsInt) return { kind: 'int' };
    const fitsLong = present.every((v) => {
      const n = BigInt(v);
      return n >= -(1n << 63n) && n < 1n << 63n;
    });
    return fitsLong ? { kind: 'bigint' } : { kind: 'string' };
  }
  if (present.every((v) => /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(v))) return { kind: 'double' };
  if (present.every((v) => /^\d{4}-\d{2}-\d{2}$/.test(v))) return { kind: 'date' };
  if (present.every((v) => /^\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?$/.test(v))) {
    return { kind: 'timestamp' };
  }
  return { kind: 'string' };
}

/** Partition folder names (in path order) and their raw values over all files. */
function discoverPartitions(
  location: string,
  files: readonly string[],
): Map<string, { name: string; values: string[] }> {
  const out = new Map<string, { name: string; values: string[] }>();
  for (const file of files) {
    const rel = path.relative(location, path.dirname(file));
    if (rel === '' || rel.startsWith('..')) continue;
    for (const segment of rel.split(path.sep)) {
      const eq = segment.indexOf('=');
      if (eq <= 0) continue;
      let name = segment.slice(0, eq);
      let value = segment.slice(eq + 1);
      try {
        name = decodeURIComponent(name);
        value = decodeURIComponent(value);
      } catch {
        // keep the raw text
      }
      const key = name.toLowerCase();
      const entry = out.get(key) ?? { name, values: [] };
      entry.values.push(value);
      out.set(key, entry);
    }
  }
  return out;
}

/**
 * The columns of the Parquet data at `location`: data columns of the first file, then partition
 * columns (`partitionColumns` when given, else every `col=value` folder level found).
 */
export function inferParquetSchema(location: string, partitionColumns?: readonly string[]): Field[] {
  const files = listDataFiles(location, []);
  if (files.length === 0) {
    throw new EngineError(
      SqlState.unableToInferSchema,
      `[UNABLE_TO_INFER_SCHEMA] Unable to infer schema for Parquet at ${location}. It must be specified manually.`,
    );
  }
  const footer = readParquetFooter(files[0]!.path);
  const discovered = discoverPartitions(
    location,
    files.map((f) => f.path),
  );
  const wanted = partitionColumns ?? [...discovered.values()].map((d) => d.name);
  const wantedKeys = new Set(wanted.map((p) => p.toLowerCase()));
  const spark = sparkRowMetadata(footer.metadata);
  let data: Field[];
  if (spark !== null) data = spark;
  else {
    data = fileColumns(footer.metadata).map((c) => {
      if (c.type === null) {
        throw new EngineError(
          SqlState.featureNotSupported,
          `column \`${c.name}\` of Parquet file "${footer.path}" has type ${c.physical}, which is not supported yet`,
        );
      }
      return { name: c.name, type: c.type, nullable: c.nullable };
    });
  }
  data = data.filter((f) => !wantedKeys.has(f.name.toLowerCase()));
  const partitions: Field[] = wanted.map((name) => {
    const found = discovered.get(name.toLowerCase());
    return { name: found?.name ?? name, type: partitionType(found?.values ?? []), nullable: true };
  });
  return [...data, ...partitions];
}
