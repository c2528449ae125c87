/**
 * Schemas inferred from files, read on the executors: a JSON or Parquet table created without a
 * column list, and a query on files (`SELECT * FROM json.\`/path\``). Reading up to 16 MiB of JSON
 * records is query work, so it runs as a one-task plan (`FileSchemaExec`) through the execution
 * engine like any other read of files, and the session's thread only waits for its one row.
 *
 * CREATE TABLE asks for the schema directly (`inferFileSchema`). Analysis is synchronous, so a
 * file relation met while binding a query cannot wait there: it raises `FileSchemaNeeded`, and
 * `withFileSchemas` — around a whole statement — infers that schema on the executors and runs
 * the statement again, now finding it. A statement binds all its relations before it does
 * anything, so running it again repeats only analysis. The schemas found live for that one
 * statement: as Spark does, the files are read again each time a query on them is planned.
 *
 *   statement ─analyze─► json.`/p`? ─not known─► FileSchemaNeeded
 *        ▲                                            │ withFileSchemas
 *        └──── known[json /p] ◄── FileSchemaExec on an executor
 */
import { EngineError, SqlState, batchRows } from '../common/index.ts';
import {
  FileSchemaExec,
  parseFileSchema,
  type FileSchema,
  type FileSchemaRequest,
} from '../physical/index.ts';
import { startExecution } from './query.ts';
import type { Session } from './session.ts';

export type { FileSchema, FileSchemaRequest };

/** Raised by analysis for a file relation whose schema this statement has not inferred yet. */
export class FileSchemaNeeded extends Error {
  readonly request: FileSchemaRequest;

  constructor(request: FileSchemaRequest) {
    super(`the schema of ${request.format} files at ${request.location} is not inferred yet`);
    this.request = request;
  }
}

/** The key of a request among a statement's inferred schemas. */
export function fileSchemaKey(request: FileSchemaRequest): string {
  return JSON.stringify([request.format, request.location, request.options, request.partitionColumns]);
}

/** Infers the schema of the files `request` names, on an executor. */
export async function inferFileSchema(
  session: Session,
  request: FileSchemaRequest,
  signal: AbortSignal | undefined,
): Promise<FileSchema> {
  const plan = new FileSchemaExec(request);
  const execution = startExecution(session, plan, session.evalContext(), signal);
  let text: string | null = null;
  for await (const batch of execution.batches) {
    for (const [value] of batchRows(batch, [plan.schema.fields[0]!.type])) {
      if (typeof value === 'string') text = value;
    }
  }
  if (text === null) {
    throw new EngineError(
      SqlState.internalError,
      `internal error: no schema inferred for ${request.location}`,
    );
  }
  return parseFileSchema(text);
}

/**
 * Runs `step` (a statement, or preparing one) until it no longer needs a file schema it lacks,
 * inferring each on the executors. Nested calls share the outer statement's schemas.
 */
export async function withFileSchemas<T>(
  session: Session,
  signal: AbortSignal | undefined,
  step: () => T | Promise<T>,
): Promise<T> {
  if (session.fileSchemas !== null) return step();
  const known = new Map<string, FileSchema>();
  session.fileSchemas = known;
  try {
    for (;;) {
      try {
        return await step();
      } catch (err) {
        if (!(err instanceof FileSchemaNeeded)) throw err;
        const key = fileSchemaKey(err.request);
        if (known.has(key)) {
          throw new EngineError(SqlState.internalError, `internal error: ${err.message} after inferring it`);
        }
        known.set(key, await inferFileSchema(session, err.request, signal));
      }
    }
  } finally {
    session.fileSchemas = null;
  }
}

/** The schema this statement inferred for `request`; raises `FileSchemaNeeded` when it has none. */
export function knownFileSchema(session: Session, request: FileSchemaRequest): FileSchema {
  const found = session.fileSchemas?.get(fileSchemaKey(request));
  if (found === undefined) throw new FileSchemaNeeded(request);
  return found;
}
