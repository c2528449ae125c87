/**
 * `inferParquetSchema(location)`: the columns of a Parquet table whose DDL has no column list
 * (`CREATE TABLE t USING parquet LOCATION '…'`), as Spark infers them: the first data file's footer
 * (Spark's own schema from its row metadata when the file has it, else the Parquet types mapped as
 * parquet-schema.ts describes), then partition columns from `col=value/` folders, typed from their
 * values by `inferPartitionColumns` (shared with JSON tables).
 */
import { EngineError, SqlState, type Field } from '../../common/index.ts';
import { listDataFiles } from '../file-listing.ts';
import { inferPartitionColumns } from '../partition-inference.ts';
import { readParquetFooter } from './parquet-footer.ts';
import { fileColumns, sparkRowMetadata } from './parquet-schema.ts';

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
  const partitions = inferPartitionColumns(
    location,
    files.map((f) => f.path),
    partitionColumns,
  );
  const wantedKeys = new Set(partitions.map((p) => p.name.toLowerCase()));
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
  return [...data, ...partitions];
}
