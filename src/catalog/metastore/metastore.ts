/**
 * The Hive-style metastore of a warehouse directory (like Spark's `spark-warehouse`).
 *
 * ```
 * <warehouse>/
 *   _kindling_metastore/
 *     databases/<db>.json              one file per database
 *     tables/<db>/<table>.json         one file per table or view
 *   <table>/                           managed tables of `default`
 *   <db>.db/<table>/                   managed tables of other databases
 * ```
 *
 * Names are stored lower-case (case-insensitive, as Spark does). Each change rewrites one file
 * atomically (see atomic-file.ts), so a crash leaves the previous state readable, and several
 * processes on one warehouse cannot tear a file. Reads go to disk (with a cache validated by the
 * file's inode, size and mtime), so changes by another process are seen. A corrupt file is an error
 * for its own object only (XX001 naming the path); listings still show it.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { EngineError, SqlState, crashPoint, makeDirectories, type Field } from '../../common/index.ts';
import type { DatabaseDefinition, Statistics, TableDefinition, TableProvider } from '../types.ts';
import { sweepWriteLeftovers } from '../data-files-writer.ts';
import { SNAPSHOTS_DIR, namesIn } from '../file-listing.ts';
import { removeUnregisteredWrite, sweepSnapshots } from '../table-commit.ts';
import { createTableProvider } from '../table-providers.ts';
import {
  createFileExclusive,
  fsyncDirectory,
  isTempFileName,
  removeFileDurably,
  sweepTempFiles,
  writeFileAtomic,
} from './atomic-file.ts';
import { corrupt, decodeDatabase, decodeTable, encodeDatabase, encodeTable } from './metadata-codec.ts';
import { filterByPattern } from './name-pattern.ts';

export const DEFAULT_DATABASE = 'default';
export const METASTORE_DIR = '_kindling_metastore';
/** Temp files older than this are removed on open (younger ones may belong to a live writer). */
const STALE_TEMP_MS = 60_000;
/** Files of an unfinished write untouched this long belong to no running write. */
const STALE_WRITE_MS = 10 * 60_000;

export interface DatabaseInput {
  readonly name: string;
  /** Defaults to `<warehouse>/<name>.db`. */
  readonly location?: string | null | undefined;
  readonly comment?: string | null | undefined;
}

/** A table to create: like TableDefinition, but `location` (managed default) and `createdAt` are optional. */
export type TableDefinitionInput = Omit<TableDefinition, 'location' | 'createdAt'> & {
  readonly location?: string | null | undefined;
  readonly createdAt?: string | undefined;
};

export interface ViewInput {
  readonly database: string;
  readonly name: string;
  /** The SQL text of the view's query (analyzed by the session). */
  readonly viewText: string;
  /** The view's output columns, as analyzed when it was created. */
  readonly columns: readonly Field[];
  readonly comment?: string | null | undefined;
  readonly properties?: Readonly<Record<string, string>> | undefined;
}

export const VIEW_FORMAT = 'view';

/** An entry of listDatabases (never fails on a corrupt file: getDatabase reports that). */
export interface DatabaseSummary {
  readonly name: string;
}

/** An entry of listTables (never fails on a corrupt file: getTable reports that). */
export interface TableSummary {
  readonly database: string;
  readonly name: string;
}

interface CacheEntry<T> {
  readonly ino: number;
  readonly size: number;
  readonly mtimeMs: number;
  readonly value: T;
}

/** File-name-safe encoding of a (lower-case) name. */
function encodeName(name: string): string {
  return encodeURIComponent(name).replace(/\./g, '%2E').replace(/\*/g, '%2A');
}

function decodeName(fileName: string): string | null {
  if (!fileName.endsWith('.json') || fileName.startsWith('.')) return null;
  try {
    return decodeURIComponent(fileName.slice(0, -'.json'.length));
  } catch {
    return null;
  }
}

function quoted(...parts: string[]): string {
  return parts.map((p) => '`' + p + '`').join('.');
}

function schemaNotFound(db: string): EngineError {
  return new EngineError(
    SqlState.undefinedObject,
    `[SCHEMA_NOT_FOUND] The schema ${quoted(db)} cannot be found.`,
    { pgMessage: `schema "${db}" does not exist` },
  );
}

function tableNotFound(db: string, name: string): EngineError {
  return new EngineError(
    SqlState.undefinedTable,
    `[TABLE_OR_VIEW_NOT_FOUND] The table or view ${quoted(db, name)} cannot be found.`,
    { pgMessage: `relation "${db}.${name}" does not exist` },
  );
}

export class Metastore {
  readonly warehouse: string;
  private readonly metaDir: string;
  private readonly cache = new Map<string, CacheEntry<unknown>>();

  private constructor(warehouse: string) {
    this.warehouse = warehouse;
    this.metaDir = path.join(warehouse, METASTORE_DIR);
  }

  /** Opens (creating if missing) the warehouse at `warehouseDir` and its `default` database. */
  static open(warehouseDir: string): Metastore {
    const warehouse = path.resolve(warehouseDir);
    const store = new Metastore(warehouse);
    try {
      makeDirectories(path.join(store.metaDir, 'databases'));
      makeDirectories(path.join(store.metaDir, 'tables'));
    } catch (err) {
      throw new EngineError(
        SqlState.ioError,
        `could not create warehouse "${warehouse}": ${(err as Error).message}`,
      );
    }
    store.sweep();
    if (!fs.existsSync(store.databaseFile(DEFAULT_DATABASE))) {
      createFileExclusive(
        store.databaseFile(DEFAULT_DATABASE),
        encodeDatabase({ name: DEFAULT_DATABASE, location: warehouse, comment: 'default database' }),
      );
    }
    return store;
  }

  private sweep(): void {
    sweepTempFiles(path.join(this.metaDir, 'databases'), STALE_TEMP_MS);
    const tablesDir = path.join(this.metaDir, 'tables');
    for (const name of namesIn(tablesDir)) {
      if (isTempFileName(name)) continue;
      sweepTempFiles(path.join(tablesDir, name), STALE_TEMP_MS);
    }
  }

  /**
   * Start-up: finishes or undoes the writes that stopped partway (a crash, a killed executor) —
   * snapshots no definition names and the files only they list (table-commit.ts), hidden files of
   * unfinished writes, and, in each database's folder, what a CREATE TABLE … AS SELECT or DROP
   * TABLE that never finished left — for each table whose write lock `lock` takes at once (one
   * being written by another process is that process's to finish). `lock` returns the lock's
   * release, or null when it is held.
   */
  sweepWriteLeftovers(lock: (table: string) => (() => void) | null): void {
    for (const db of this.databaseNames()) {
      let database: DatabaseDefinition | undefined;
      try {
        database = this.getDatabase(db);
      } catch {
        continue; // a corrupt file is reported when it is used
      }
      if (database === undefined) continue;
      const registered = new Set<string>();
      for (const f of namesIn(this.tablesDir(db))) {
        const name = decodeName(f);
        if (name === null) continue;
        this.underLock(lock, `${db}.${name}`, () => {
          const t = this.getTable(db, name);
          if (t === undefined || t.format === VIEW_FORMAT || t.location === '') return;
          registered.add(t.location);
          sweepSnapshots(t);
          sweepWriteLeftovers(t.location, STALE_WRITE_MS);
        });
      }
      for (const entry of namesIn(database.location)) {
        const folder = path.join(database.location, entry);
        if (registered.has(folder) || !fs.existsSync(path.join(folder, SNAPSHOTS_DIR))) continue;
        this.underLock(lock, `${db}.${entry}`, () => {
          // Registered meanwhile by a write that has just finished?
          if (this.getTable(db, entry)?.location === folder) return;
          removeUnregisteredWrite(folder, `${db}.${entry}`);
        });
      }
    }
  }

  private underLock(lock: (table: string) => (() => void) | null, table: string, work: () => void): void {
    const release = lock(table);
    if (release === null) return;
    try {
      work();
    } catch {
      // A table that cannot be swept now (corrupt metadata, unreadable files) is reported when used.
    } finally {
      release();
    }
  }

  // ---- paths -------------------------------------------------------------------------------

  private databaseFile(db: string): string {
    return path.join(this.metaDir, 'databases', encodeName(db) + '.json');
  }

  private tablesDir(db: string): string {
    return path.join(this.metaDir, 'tables', encodeName(db));
  }

  private tableFile(db: string, name: string): string {
    return path.join(this.tablesDir(db), encodeName(name) + '.json');
  }

  /** Reads and decodes a metadata file, or returns undefined when it does not exist. */
  private readCached<T>(file: string, decode: (file: string, text: string) => T): T | undefined {
    let stat: fs.Stats;
    try {
      stat = fs.statSync(file);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
        this.cache.delete(file);
        return undefined;
      }
      throw new EngineError('58030', `could not read metadata file "${file}": ${(err as Error).message}`);
    }
    const hit = this.cache.get(file);
    if (hit !== undefined && hit.ino === stat.ino && hit.size === stat.size && hit.mtimeMs === stat.mtimeMs) {
      return hit.value as T;
    }
    let text: string;
    try {
      text = fs.readFileSync(file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      if ((err as NodeJS.ErrnoException).code === 'EISDIR') throw corrupt(file, 'is a directory');
      throw new EngineError('58030', `could not read metadata file "${file}": ${(err as Error).message}`);
    }
    const value = decode(file, text);
    this.cache.set(file, { ino: stat.ino, size: stat.size, mtimeMs: stat.mtimeMs, value });
    return value;
  }

  // ---- databases ---------------------------------------------------------------------------

  /** Databases (sorted by name), optionally filtered by a SHOW pattern (`*`, `|`). Corrupt entries are listed too. */
  listDatabases(pattern?: string | null): DatabaseSummary[] {
    return this.databaseNames(pattern).map((name) => ({ name }));
  }

  private databaseNames(pattern?: string | null): string[] {
    const names: string[] = [];
    for (const f of namesIn(path.join(this.metaDir, 'databases'))) {
      const name = decodeName(f);
      if (name !== null) names.push(name);
    }
    names.sort();
    return filterByPattern(names, pattern);
  }

  databaseExists(name: string): boolean {
    return fs.existsSync(this.databaseFile(name.toLowerCase()));
  }

  /** The database's definition, undefined when it does not exist; XX001 when its file is corrupt. */
  getDatabase(name: string): DatabaseDefinition | undefined {
    return this.readCached(this.databaseFile(name.toLowerCase()), decodeDatabase);
  }

  /** Like getDatabase, but 42704 `[SCHEMA_NOT_FOUND]` when it does not exist. */
  requireDatabase(name: string): DatabaseDefinition {
    const def = this.getDatabase(name);
    if (def === undefined) throw schemaNotFound(name.toLowerCase());
    return def;
  }

  createDatabase(input: DatabaseInput, ifNotExists: boolean): DatabaseDefinition {
    const name = input.name.toLowerCase();
    validateName(name, 'schema');
    const location = path.resolve(input.location ?? path.join(this.warehouse, `${name}.db`));
    const def: DatabaseDefinition = { name, location, comment: input.comment ?? null };
    const created = createFileExclusive(this.databaseFile(name), encodeDatabase(def));
    if (!created) {
      if (ifNotExists) return this.requireDatabase(name);
      throw new EngineError(
        SqlState.duplicateSchema,
        `[SCHEMA_ALREADY_EXISTS] Cannot create schema ${quoted(name)} because it already exists. ` +
          'Choose a different name, drop the existing schema, or add the IF NOT EXISTS clause to tolerate pre-existing schema.',
      );
    }
    try {
      makeDirectories(location);
    } catch (err) {
      removeFileDurably(this.databaseFile(name));
      throw new EngineError(
        SqlState.ioError,
        `could not create directory "${location}": ${(err as Error).message}`,
      );
    }
    return def;
  }

  dropDatabase(name: string, ifExists: boolean, cascade: boolean): void {
    const db = name.toLowerCase();
    if (db === DEFAULT_DATABASE) {
      throw new EngineError(
        SqlState.featureNotSupported,
        `[UNSUPPORTED_FEATURE.DROP_DATABASE] Drop the default database ${quoted(db)} is not allowed.`,
      );
    }
    if (!this.databaseExists(db)) {
      if (ifExists) return;
      throw schemaNotFound(db);
    }
    const tables = this.tableNames(db);
    if (tables.length > 0 && !cascade) {
      throw new EngineError(
        '2BP01',
        `[SCHEMA_NOT_EMPTY] Cannot drop a schema ${quoted(db)} because it contains objects. ` +
          'Use DROP SCHEMA ... CASCADE to drop the schema and all its objects.',
      );
    }
    let location: string | null = null;
    try {
      location = this.getDatabase(db)?.location ?? null;
    } catch {
      location = null; // a corrupt database file is still droppable
    }
    for (const table of tables) this.dropTableFile(db, table, true);
    removeFileDurably(this.databaseFile(db));
    fs.rmSync(this.tablesDir(db), { recursive: true, force: true });
    if (
      location !== null &&
      path.resolve(location) !== this.warehouse &&
      isInside(location, this.warehouse)
    ) {
      fs.rmSync(location, { recursive: true, force: true });
    }
  }

  // ---- tables ------------------------------------------------------------------------------

  /** Tables and views of `db` (sorted by name), optionally filtered by a SHOW pattern; 42704 if `db` is missing. */
  listTables(database: string, pattern?: string | null): TableSummary[] {
    const db = database.toLowerCase();
    return this.tableNames(db, pattern).map((name) => ({ database: db, name }));
  }

  private tableNames(database: string, pattern?: string | null): string[] {
    const db = database.toLowerCase();
    if (!this.databaseExists(db)) throw schemaNotFound(db);
    const names: string[] = [];
    for (const f of namesIn(this.tablesDir(db))) {
      const name = decodeName(f);
      if (name !== null) names.push(name);
    }
    names.sort();
    return filterByPattern(names, pattern);
  }

  tableExists(database: string, name: string): boolean {
    return fs.existsSync(this.tableFile(database.toLowerCase(), name.toLowerCase()));
  }

  /** The table's (or view's) definition; undefined when it (or its database) does not exist; XX001 if corrupt. */
  getTable(database: string, name: string): TableDefinition | undefined {
    return this.readCached(this.tableFile(database.toLowerCase(), name.toLowerCase()), decodeTable);
  }

  /** Like getTable, but 42704 if the database is missing and 42P01 `[TABLE_OR_VIEW_NOT_FOUND]` if the table is. */
  requireTable(database: string, name: string): TableDefinition {
    const db = database.toLowerCase();
    const table = name.toLowerCase();
    const def = this.getTable(db, table);
    if (def === undefined) {
      if (!this.databaseExists(db)) throw schemaNotFound(db);
      throw tableNotFound(db, table);
    }
    return def;
  }

  /**
   * Creates a table; fills in the managed location and creation time. Returns the stored definition.
   * `dataInPlace`: the managed location already holds the table's data (CREATE TABLE … AS SELECT
   * writes it first, then registers the table), so it may not be empty.
   */
  createTable(input: TableDefinitionInput, ifNotExists: boolean, dataInPlace = false): TableDefinition {
    const db = input.database.toLowerCase();
    const name = input.name.toLowerCase();
    validateName(name, 'table');
    const database = this.requireDatabase(db);
    validateColumns(input, db, name);
    const managed = !input.external;
    const location =
      input.location !== undefined && input.location !== null && input.location !== ''
        ? path.resolve(input.location)
        : input.format === VIEW_FORMAT
          ? ''
          : path.join(database.location, name);
    const def: TableDefinition = {
      database: db,
      name,
      columns: input.columns,
      format: input.format.toLowerCase(),
      location,
      options: input.options,
      partitionColumns: input.partitionColumns,
      external: input.external,
      comment: input.comment,
      properties: input.properties,
      createdAt: input.createdAt ?? new Date().toISOString(),
      ...(input.statistics === undefined ? {} : { statistics: input.statistics }),
      ...(input.snapshot === undefined ? {} : { snapshot: input.snapshot }),
    };
    if (this.tableExists(db, name)) return this.alreadyExists(db, name, ifNotExists);
    if (managed && !dataInPlace && location !== '' && directoryHasFiles(location)) {
      throw new EngineError(
        SqlState.duplicateObject,
        `[LOCATION_ALREADY_EXISTS] Cannot name the managed table as ${quoted(db, name)}, as its associated ` +
          `location "${location}" already exists. Please pick a different table name, or remove the existing location first.`,
      );
    }
    makeDirectories(this.tablesDir(db));
    if (!createFileExclusive(this.tableFile(db, name), encodeTable(def))) {
      return this.alreadyExists(db, name, ifNotExists);
    }
    if (managed && location !== '') {
      try {
        makeDirectories(location);
        fsyncDirectory(path.dirname(location));
      } catch (err) {
        removeFileDurably(this.tableFile(db, name));
        throw new EngineError(
          SqlState.ioError,
          `could not create directory "${location}": ${(err as Error).message}`,
        );
      }
    }
    return def;
  }

  private alreadyExists(db: string, name: string, ifNotExists: boolean): TableDefinition {
    if (ifNotExists) return this.requireTable(db, name);
    throw new EngineError(
      SqlState.duplicateTable,
      `[TABLE_OR_VIEW_ALREADY_EXISTS] Cannot create table or view ${quoted(db, name)} because it already exists. ` +
        'Choose a different name, drop or replace the existing object, or add the IF NOT EXISTS clause to tolerate pre-existing objects.',
    );
  }

  /** Replaces a table's definition (ALTER TABLE, ANALYZE). The table must exist; names are kept. */
  alterTable(def: TableDefinition): TableDefinition {
    const db = def.database.toLowerCase();
    const name = def.name.toLowerCase();
    if (!this.tableExists(db, name)) throw tableNotFound(db, name);
    const stored: TableDefinition = { ...def, database: db, name };
    writeFileAtomic(this.tableFile(db, name), encodeTable(stored));
    return stored;
  }

  /**
   * Records a table's statistics (null removes them), rewriting its file atomically. The table
   * must exist and not be a view.
   */
  setTableStatistics(database: string, name: string, statistics: Statistics | null): TableDefinition {
    const def = this.requireTable(database, name);
    if (def.format === VIEW_FORMAT) {
      throw new EngineError(
        SqlState.wrongObjectType,
        `internal error: ${quoted(def.database, def.name)} is a view and has no statistics`,
      );
    }
    const { statistics: _previous, ...rest } = def;
    return this.alterTable(statistics === null ? rest : { ...rest, statistics });
  }

  /** Drops a table (not a view): 42P01 when missing unless `ifExists`; managed data is deleted. */
  dropTable(database: string, name: string, ifExists: boolean): void {
    const db = database.toLowerCase();
    const table = name.toLowerCase();
    if (!this.tableExists(db, table)) {
      if (ifExists) return;
      if (!this.databaseExists(db)) throw schemaNotFound(db);
      throw tableNotFound(db, table);
    }
    let def: TableDefinition | null = null;
    try {
      def = this.getTable(db, table) ?? null;
    } catch {
      def = null; // a corrupt entry can still be dropped (its data is left in place)
    }
    if (def !== null && def.format === VIEW_FORMAT) {
      throw new EngineError(
        SqlState.wrongObjectType,
        `[WRONG_COMMAND_FOR_OBJECT_TYPE] ${quoted(db, table)} is a view. Use DROP VIEW instead.`,
      );
    }
    this.dropTableFile(db, table, true);
  }

  /** Removes the metadata first (so a crash leaves orphan data, never dangling metadata), then managed data. */
  private dropTableFile(db: string, table: string, deleteData: boolean): void {
    let def: TableDefinition | null = null;
    try {
      def = this.getTable(db, table) ?? null;
    } catch {
      def = null;
    }
    removeFileDurably(this.tableFile(db, table));
    this.cache.delete(this.tableFile(db, table));
    crashPoint('drop.unregistered');
    if (def === null || def.format === VIEW_FORMAT || def.location === '') return;
    if (deleteData && !def.external) fs.rmSync(def.location, { recursive: true, force: true });
    // An external table's files stay; the list of them that Kindling kept goes with the table.
    else fs.rmSync(path.join(def.location, SNAPSHOTS_DIR), { recursive: true, force: true });
  }

  // ---- views -------------------------------------------------------------------------------

  /** Stores a persistent view (format `view`, SQL text in `properties.viewText`). */
  createView(
    input: ViewInput,
    options: { readonly ifNotExists?: boolean; readonly replace?: boolean } = {},
  ): TableDefinition {
    const db = input.database.toLowerCase();
    const name = input.name.toLowerCase();
    const def: TableDefinitionInput = {
      database: db,
      name,
      columns: input.columns,
      format: VIEW_FORMAT,
      location: '',
      options: {},
      partitionColumns: [],
      external: false,
      comment: input.comment ?? null,
      properties: { ...(input.properties ?? {}), viewText: input.viewText },
    };
    if (options.replace === true && this.tableExists(db, name)) {
      const existing = this.requireTable(db, name);
      if (existing.format !== VIEW_FORMAT) {
        throw new EngineError(
          SqlState.wrongObjectType,
          `[EXPECT_VIEW_NOT_TABLE] ${quoted(db, name)} is a table, not a view; CREATE OR REPLACE VIEW cannot replace it.`,
        );
      }
      return this.alterTable({
        ...def,
        location: '',
        createdAt: new Date().toISOString(),
      });
    }
    return this.createTable(def, options.ifNotExists === true);
  }

  dropView(database: string, name: string, ifExists: boolean): void {
    const db = database.toLowerCase();
    const view = name.toLowerCase();
    if (!this.tableExists(db, view)) {
      if (ifExists) return;
      if (!this.databaseExists(db)) throw schemaNotFound(db);
      throw new EngineError(
        SqlState.undefinedTable,
        `[TABLE_OR_VIEW_NOT_FOUND] The view ${quoted(db, view)} cannot be found.`,
      );
    }
    const def = this.requireTable(db, view);
    if (def.format !== VIEW_FORMAT) {
      throw new EngineError(
        SqlState.wrongObjectType,
        `[WRONG_COMMAND_FOR_OBJECT_TYPE] ${quoted(db, view)} is a table. Use DROP TABLE instead.`,
      );
    }
    this.dropTableFile(db, view, false);
  }

  // ---- providers ---------------------------------------------------------------------------

  /** The provider that reads `def`'s files (csv, memory, or a registered format). */
  tableProvider(def: TableDefinition): TableProvider {
    return createTableProvider(def);
  }
}

function directoryHasFiles(dir: string): boolean {
  try {
    return fs.readdirSync(dir).length > 0;
  } catch {
    return false;
  }
}

function isInside(child: string, parent: string): boolean {
  const rel = path.relative(parent, path.resolve(child));
  return rel !== '' && !rel.startsWith('..') && !path.isAbsolute(rel);
}

/** 42601 for an empty name, 42602 for one that is not a single path segment (`../x`, `a/b`). */
export function validateName(name: string, what: string): void {
  if (name.length === 0)
    throw new EngineError(SqlState.invalidName, `[INVALID_IDENTIFIER] The ${what} name must not be empty.`);
  // A schema's or table's name becomes a folder of the warehouse: it must be one path segment, so
  // that no name reaches outside (`../../tmp/x`).
  if (/[/\\\x00]/.test(name) || name === '.' || name === '..') {
    throw new EngineError(
      SqlState.invalidName,
      `[INVALID_SCHEMA_OR_RELATION_NAME] \`${name}\` is not a valid name for tables/schemas: a name may not contain '/', '\\' or NUL, nor be '.' or '..'.`,
    );
  }
}

function validateColumns(input: TableDefinitionInput, db: string, name: string): void {
  const format = input.format.toLowerCase();
  if (input.columns.length === 0 && format !== VIEW_FORMAT) {
    if (format === 'csv' || format === 'tbl' || format === 'text') {
      throw new EngineError(
        SqlState.featureNotSupported,
        `CREATE TABLE ${quoted(db, name)} USING ${format} needs a column list: schema inference for ${format} files is not supported.`,
      );
    }
  }
  const seen = new Set<string>();
  for (const c of input.columns) {
    const lower = c.name.toLowerCase();
    if (seen.has(lower)) {
      throw new EngineError(
        SqlState.columnAlreadyExists,
        `[COLUMN_ALREADY_EXISTS] The column ${quoted(c.name)} already exists in ${quoted(db, name)}.`,
      );
    }
    seen.add(lower);
  }
  for (const p of input.partitionColumns) {
    if (!seen.has(p.toLowerCase())) {
      throw new EngineError(
        SqlState.undefinedColumn,
        `partition column ${quoted(p)} is not one of the columns of ${quoted(db, name)}.`,
      );
    }
  }
}
