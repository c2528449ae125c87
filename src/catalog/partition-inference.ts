/**
 * Partition columns of a table folder whose DDL has no column list: the `col=value` folder levels
 * below it, each typed from its values as Spark types them (int, bigint, double, date, timestamp,
 * else string; a column with only NULL folders is string). Used by the JSON and Parquet schema
 * inference.
 */
import * as path from 'node:path';
import type { DataType, Field } from '../common/index.ts';
import { HIVE_DEFAULT_PARTITION } from './file-listing.ts';

const INT_MIN = -2147483648;
const INT_MAX = 2147483647;

function partitionType(values: readonly string[]): DataType {
  const present = values.filter((v) => v !== HIVE_DEFAULT_PARTITION);
  if (present.length === 0) return { kind: 'string' };
  if (present.every((v) => /^[+-]?\d+$/.test(v))) {
    if (present.every((v) => Number(v) >= INT_MIN && Number(v) <= INT_MAX)) return { kind: 'int' };
    const fitsLong = present.every((v) => BigInt(v) >= -(1n << 63n) && BigInt(v) < 1n << 63n);
    return fitsLong ? { kind: 'bigint' } : { kind: 'string' };
  }
  if (present.every((v) => /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(v))) return { kind: 'double' };
  if (present.every((v) => /^\d{4}-\d{2}-\d{2}$/.test(v))) return { kind: 'date' };
  if (present.every((v) => /^\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?$/.test(v))) {
    return { kind: 'timestamp' };
  }
  return { kind: 'string' };
}

/**
 * The partition columns of the data files `files` below `location`: `wanted` (names) when given,
 * else every `col=value` level found, in path order.
 */
export function inferPartitionColumns(
  location: string,
  files: readonly string[],
  wanted?: readonly string[],
): Field[] {
  const found = new Map<string, { name: string; values: string[] }>();
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
      const entry = found.get(name.toLowerCase()) ?? { name, values: [] };
      entry.values.push(value);
      found.set(name.toLowerCase(), entry);
    }
  }
  const names = wanted ?? [...found.values()].map((d) => d.name);
  return names.map((name) => {
    const f = found.get(name.toLowerCase());
    return { name: f?.name ?? name, type: partitionType(f?.values ?? []), nullable: true };
  });
}
