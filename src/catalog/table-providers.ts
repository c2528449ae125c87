/**
 * Which provider reads which table format. `csv` (and `tbl`), `parquet`, `json`, `memory` and `cached`
 * are built in; other formats register a factory with `registerTableFormat`.
 */
import { EngineError, SqlState } from '../common/index.ts';
import type { TableDefinition, TableProvider } from './types.ts';
import { CsvTableProvider } from './csv/csv-table-provider.ts';
import { JsonTableProvider } from './json/json-table-provider.ts';
import { ParquetTableProvider } from './parquet/parquet-table-provider.ts';
import { CACHED_FORMAT, CachedTableProvider } from './memory/cached-tables.ts';

export type TableProviderFactory = (def: TableDefinition) => TableProvider;

const factories = new Map<string, TableProviderFactory>([
  ['csv', (def) => new CsvTableProvider(def)],
  // dbgen's `.tbl` files: `|`-separated unless the table says otherwise.
  ['tbl', (def) => new CsvTableProvider({ ...def, options: { sep: '|', ...def.options } })],
  ['parquet', (def) => new ParquetTableProvider(def)],
  ['json', (def) => new JsonTableProvider(def)],
  // CACHE TABLE's batches held on this thread (memory/cached-tables.ts).
  [CACHED_FORMAT, (def) => new CachedTableProvider(def)],
]);

export function registerTableFormat(format: string, factory: TableProviderFactory): void {
  factories.set(format.toLowerCase(), factory);
}

export function createTableProvider(def: TableDefinition): TableProvider {
  const format = def.format.toLowerCase();
  if (format === 'view') {
    throw new EngineError(
      SqlState.wrongObjectType,
      `\`${def.database}\`.\`${def.name}\` is a view; the session expands its text instead of scanning it.`,
    );
  }
  const factory = factories.get(format);
  if (factory === undefined) {
    throw new EngineError(SqlState.featureNotSupported, `table format "${def.format}" is not supported`);
  }
  return factory(def);
}
