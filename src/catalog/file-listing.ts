/**
 * The data files of a table location: the file itself, or every non-hidden file below a directory
 * (names starting with `_` or `.` are skipped, as Spark does), with Hive-style `col=value/` folder
 * names turned into partition values (`__HIVE_DEFAULT_PARTITION__` = NULL, `%XX` unescaped).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { EngineError, SqlState, type Field } from '../common/index.ts';

export const HIVE_DEFAULT_PARTITION = '__HIVE_DEFAULT_PARTITION__';

export interface DataFile {
  readonly path: string;
  readonly size: number;
  /** Raw partition values by lower-case column name, from the folder names (null = NULL). */
  readonly partitionValues: ReadonlyMap<string, string | null>;
}

function isHidden(name: string): boolean {
  return name.startsWith('_') || name.startsWith('.');
}

/** A Hive-style folder name part (`%XX` escapes) unescaped; the text itself when it is not valid. */
export function unescapePathName(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/** The names in `dir`, or none when it cannot be read (gone, not a folder). */
export function namesIn(dir: string): string[] {
  try {
    return fs.readdirSync(dir);
  } catch {
    return [];
  }
}

/**
 * Lists the data files at `location`, sorted by path. Throws 42K03 `[PATH_NOT_FOUND]` if it does not
 * exist. Only folder names of `partitionColumns` become partition values. A table Kindling has
 * written names its `snapshot`: then its files are exactly those the snapshot lists (see
 * table-commit.ts), not whatever the folder holds.
 */
export function listDataFiles(
  location: string,
  partitionColumns: readonly Field[],
  snapshot?: string,
): DataFile[] {
  if (snapshot !== undefined) {
    const wanted = new Set(partitionColumns.map((c) => c.name.toLowerCase()));
    return readSnapshot(location, snapshot).files.map((f) => dataFileAt(location, f.path, f.size, wanted));
  }
  let stat: fs.Stats;
  try {
    stat = fs.statSync(location);
  } catch {
    throw new EngineError(SqlState.pathNotFound, `[PATH_NOT_FOUND] Path does not exist: ${location}.`);
  }
  if (stat.isFile()) return [{ path: location, size: stat.size, partitionValues: new Map() }];
  const wanted = new Set(partitionColumns.map((c) => c.name.toLowerCase()));
  const out: DataFile[] = [];
  const walk = (dir: string, values: ReadonlyMap<string, string | null>): void => {
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(dir, { withFileTypes: true });
    } catch (err) {
      throw new EngineError(SqlState.ioError, `could not list "${dir}": ${(err as Error).message}`);
    }
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const entry of entries) {
      if (isHidden(entry.name)) continue;
      const full = path.join(dir, entry.name);
      let isDir = entry.isDirectory();
      let isFile = entry.isFile();
      if (entry.isSymbolicLink()) {
        try {
          const s = fs.statSync(full);
          isDir = s.isDirectory();
          isFile = s.isFile();
        } catch {
          continue;
        }
      }
      if (isDir) {
        const partition = partitionOf(entry.name, wanted);
        let next = values;
        if (partition !== null) {
          const copy = new Map(values);
          copy.set(partition[0], partition[1]);
          next = copy;
        }
        walk(full, next);
      } else if (isFile) {
        out.push({ path: full, size: fs.statSync(full).size, partitionValues: values });
      }
    }
  };
  walk(location, new Map());
  return out;
}

/** The column and raw value of a `col=value` folder name when `col` is one of `wanted`. */
function partitionOf(folder: string, wanted: ReadonlySet<string>): [string, string | null] | null {
  const eq = folder.indexOf('=');
  if (eq <= 0) return null;
  const column = unescapePathName(folder.slice(0, eq)).toLowerCase();
  if (!wanted.has(column)) return null;
  const raw = unescapePathName(folder.slice(eq + 1));
  return [column, raw === HIVE_DEFAULT_PARTITION ? null : raw];
}

/**
 * The data file at `file` (relative to `location`, or absolute below it), its partition values
 * read from the `col=value` folders between the two.
 */
export function dataFileAt(
  location: string,
  file: string,
  size: number,
  wanted: ReadonlySet<string>,
): DataFile {
  const full = path.resolve(location, file);
  const values = new Map<string, string | null>();
  const dir = path.relative(location, path.dirname(full));
  if (dir !== '') {
    for (const segment of dir.split(path.sep)) {
      const partition = partitionOf(segment, wanted);
      if (partition !== null) values.set(partition[0], partition[1]);
    }
  }
  return { path: full, size, partitionValues: values };
}

// ---- snapshots ---------------------------------------------------------------------------------

/** The folder of a table's snapshots, below its location (`_`: readers of folders skip it). */
export const SNAPSHOTS_DIR = '_kindling_snapshots';
const SNAPSHOT_KIND = 'kindling.table-snapshot';

/** A data file of a snapshot: its path relative to the table's folder and its size in bytes. */
export interface SnapshotFile {
  readonly path: string;
  readonly size: number;
}

/**
 * One version of a table's data: the complete list of its files. Snapshots are written once and
 * never changed; the table's definition names the current one.
 */
export interface Snapshot {
  readonly id: string;
  readonly version: number;
  /** `db.table` that wrote it. */
  readonly table: string;
  readonly files: readonly SnapshotFile[];
}

export function snapshotPath(location: string, id: string): string {
  return path.join(location, SNAPSHOTS_DIR, `${id}.json`);
}

/** The snapshot `id` of the table at `location`; XX001 naming the file when it is missing or corrupt. */
export function readSnapshot(location: string, id: string): Snapshot {
  const file = snapshotPath(location, id);
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    throw new EngineError(
      SqlState.dataCorrupted,
      `the table's file list "${file}" cannot be read: ${(err as Error).message}`,
    );
  }
  return decodeSnapshot(file, id, text);
}

export function encodeSnapshot(s: Snapshot): string {
  return (
    JSON.stringify({ kind: SNAPSHOT_KIND, version: s.version, table: s.table, files: s.files }, null, 1) +
    '\n'
  );
}

export function decodeSnapshot(file: string, id: string, text: string): Snapshot {
  const bad = (why: string): EngineError =>
    new EngineError(SqlState.dataCorrupted, `the table's file list "${file}" is corrupt: ${why}`);
  let o: unknown;
  try {
    o = JSON.parse(text);
  } catch (err) {
    throw bad((err as Error).message);
  }
  if (typeof o !== 'object' || o === null) throw bad('not an object');
  const r = o as Record<string, unknown>;
  if (r.kind !== SNAPSHOT_KIND) throw bad('not a snapshot');
  if (typeof r.version !== 'number' || !Number.isSafeInteger(r.version)) throw bad('no version');
  if (typeof r.table !== 'string') throw bad('no table name');
  if (!Array.isArray(r.files)) throw bad('no file list');
  const files: SnapshotFile[] = [];
  for (const f of r.files as unknown[]) {
    const e = f as Record<string, unknown> | null;
    if (
      typeof e !== 'object' ||
      e === null ||
      typeof e.path !== 'string' ||
      typeof e.size !== 'number' ||
      e.path === '' ||
      path.isAbsolute(e.path) ||
      e.path.split(/[\\/]/).includes('..')
    ) {
      throw bad('a file entry is not a relative path inside the table and a size');
    }
    files.push({ path: e.path, size: e.size });
  }
  return { id, version: r.version, table: r.table, files };
}
