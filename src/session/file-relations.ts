/**
 * Queries straight on files, as Spark runs them: `SELECT * FROM json.\`/data/events\`` and
 * `parquet.\`…\``. The path must lie in the allowed folders (42501); the schema is inferred from
 * the files each time the query is planned, on an executor (file-schemas.ts), and the table exists
 * only for that query (it is never put in the metastore). The path must be absolute; a name whose first part is a database of
 * that name stays a table.
 */
import { isAbsolute } from 'node:path';
import type { TableDefinition } from '../catalog/index.ts';
import { knownFileSchema } from './file-schemas.ts';
import type { Session } from './session.ts';

/**
 * The definition of the transient table `format.\`path\`` names, or undefined when it names none.
 * Raises `FileSchemaNeeded` until the statement has inferred its schema.
 */
export function fileRelation(session: Session, format: string, path: string): TableDefinition | undefined {
  const kind = format.toLowerCase();
  if (
    (kind !== 'json' && kind !== 'parquet') ||
    !isAbsolute(path) ||
    session.engine.metastore.databaseExists(kind)
  )
    return undefined;
  const location = session.engine.allowedPaths.check(path);
  // Every `col=value` folder level found is a partition column.
  const inferred = knownFileSchema(session, { format: kind, location, options: {}, partitionColumns: null });
  return {
    database: kind,
    name: path,
    columns: [...inferred.columns],
    format: kind,
    location,
    options: {},
    partitionColumns: [...inferred.partitionColumns],
    external: true,
    comment: null,
    properties: {},
    createdAt: new Date().toISOString(),
  };
}
