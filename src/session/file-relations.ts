/**
 * Queries straight on files, as Spark runs them: `SELECT * FROM json.\`/data/events\`` and
 * `parquet.\`…\``. The path must lie in the allowed folders (42501); the schema is inferred from
 * the files each time the query is planned, and the table exists only for that query (it is
 * never put in the metastore). The path must be absolute; a name whose first part is a database of
 * that name stays a table.
 */
import { isAbsolute } from 'node:path';
import type { Field } from '../common/index.ts';
import {
  inferJsonSchema,
  inferParquetSchema,
  inferPartitionColumns,
  listDataFiles,
  type TableDefinition,
} from '../catalog/index.ts';
import type { Session } from './session.ts';

/** The formats a query may name as `format.\`path\``. */
const FILE_FORMATS: ReadonlySet<string> = new Set(['json', 'parquet']);

/** The definition of the transient table `format.\`path\`` names, or undefined when it names none. */
export function fileRelation(session: Session, format: string, path: string): TableDefinition | undefined {
  const kind = format.toLowerCase();
  if (!FILE_FORMATS.has(kind) || !isAbsolute(path) || session.engine.metastore.databaseExists(kind))
    return undefined;
  const location = session.engine.allowedPaths.check(path);
  const columns: Field[] = kind === 'json' ? inferJsonSchema(location, {}) : inferParquetSchema(location);
  // Both inferences append every `col=value` folder level found as partition columns.
  const files = listDataFiles(location, []).map((f) => f.path);
  const partitionColumns = inferPartitionColumns(location, files).map((c) => c.name.toLowerCase());
  return {
    database: kind,
    name: path,
    columns,
    format: kind,
    location,
    options: {},
    partitionColumns,
    external: true,
    comment: null,
    properties: {},
    createdAt: new Date().toISOString(),
  };
}
