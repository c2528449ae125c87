/**
 * Catalog: the Hive-style metastore in the warehouse directory, table providers (csv, parquet…),
 * statistics.
 */
export * from './types.ts';
