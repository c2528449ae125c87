/**
 * The one switch point of every write to a table.
 *
 * A table Kindling writes lists its data files in a snapshot (`_kindling_snapshots/<id>.json`
 * below its folder, written once and never changed), and its definition in the metastore names
 * the current snapshot; readers list exactly those files (file-listing.ts). A write's files are
 * written under hidden names (data-files-writer.ts); `commitTable` then
 *
 *   1. writes the new snapshot — every file of the table after the write — as a new file;
 *   2. renames the new files to their final names, still invisible: no current snapshot lists them;
 *   3. switches: the table's definition naming the new snapshot (with the new schema and
 *      statistics) replaces the old one in one atomic rename, or, for a new table, is created;
 *   4. deletes the files the old snapshot lists and the new one does not, then the old snapshot.
 *
 * A crash before step 3 leaves the old table and a snapshot no definition names; after it, the new
 * table and an old snapshot. `sweepSnapshots` finishes either: it deletes what a snapshot other
 * than the current one lists and the current one does not — the files of a write that never
 * switched, or those a switched write replaced — and then that snapshot. It runs under the
 * table's write lock (before each write, and at start-up), so it never races a live write.
 *
 * A table first written by Kindling (one created over existing files, or by an older version)
 * first gets a snapshot of the files its folder holds, switched to on its own (`adoptSnapshot`):
 * readers see no change, and the files the write adds stay invisible until its switch. Files put
 * into such a folder by other means afterwards are not part of the table.
 */
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { EngineError, SqlState, crashPoint, makeDirectories } from '../common/index.ts';
import type { WrittenFile } from './data-files-writer.ts';
import {
  SNAPSHOTS_DIR,
  encodeSnapshot,
  listDataFiles,
  namesIn,
  readSnapshot,
  snapshotPath,
  type Snapshot,
  type SnapshotFile,
} from './file-listing.ts';
import { createFileExclusive, fsyncDirectory, isTempFileName } from './metastore/atomic-file.ts';
import type { Metastore } from './metastore/metastore.ts';
import type { TableDefinition } from './types.ts';

/** The names data-files-writer.ts gives the files of a write: `part-<task>-<write id>.c<n>.<ext>`. */
const WRITTEN_FILE =
  /^part-\d{5}-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\.c\d{3}\.[a-z0-9]+$/;
/** A file still being written: `.part-….<random>.inprogress`. */
const IN_PROGRESS = /^\.part-.*\.inprogress$/;

function tableKey(def: TableDefinition): string {
  return `${def.database}.${def.name}`;
}

function newSnapshotId(version: number): string {
  return `${String(version).padStart(10, '0')}-${randomBytes(4).toString('hex')}`;
}

function ioError(what: string, err: unknown): EngineError {
  return new EngineError(SqlState.ioError, `${what}: ${(err as Error).message}`, { cause: err });
}

/** Writes `snapshot` as a new file of the table at `location` (fsynced; never replaces one). */
function writeSnapshot(location: string, snapshot: Snapshot): void {
  const file = snapshotPath(location, snapshot.id);
  try {
    makeDirectories(path.dirname(file));
  } catch (err) {
    throw ioError(`could not create "${path.dirname(file)}"`, err);
  }
  if (!createFileExclusive(file, encodeSnapshot(snapshot))) {
    throw new EngineError(SqlState.internalError, `internal error: snapshot "${file}" already exists`);
  }
}

/**
 * The table's current snapshot. A table without one first gets one listing the files its folder
 * holds (a switch readers cannot notice); `table` is then its definition naming it.
 */
export function adoptSnapshot(
  metastore: Metastore,
  def: TableDefinition,
): { readonly table: TableDefinition; readonly snapshot: Snapshot } {
  if (def.snapshot !== undefined) return { table: def, snapshot: readSnapshot(def.location, def.snapshot) };
  let files: SnapshotFile[] = [];
  let stat: fs.Stats | null = null;
  try {
    stat = fs.statSync(def.location);
  } catch {
    stat = null; // no folder yet: the write creates it
  }
  if (stat !== null && !stat.isDirectory()) {
    throw new EngineError(
      SqlState.ioError,
      `cannot write into table ${tableKey(def)}: its location "${def.location}" is a file, not a folder`,
    );
  }
  if (stat !== null) {
    files = listDataFiles(def.location, []).map((f) => ({
      path: path.relative(def.location, f.path),
      size: f.size,
    }));
  }
  const snapshot: Snapshot = { id: newSnapshotId(0), version: 0, table: tableKey(def), files };
  writeSnapshot(def.location, snapshot);
  const table = metastore.alterTable({ ...def, snapshot: snapshot.id });
  crashPoint('commit.adopted');
  return { table, snapshot };
}

export interface TableCommit {
  /** The table as the write leaves it (its `snapshot` is filled in by the commit). */
  readonly table: TableDefinition;
  /** Registers a new table rather than replacing the definition of an existing one. */
  readonly create: boolean;
  /** The snapshot at `table.location` the write started from (null: the folder is new). */
  readonly base: Snapshot | null;
  /** Files of `base` the table keeps. */
  readonly keep: readonly SnapshotFile[];
  /** The write's files, closed under their hidden names. */
  readonly added: readonly WrittenFile[];
}

/** Commits a write (steps 1–4 above); returns the stored definition. On failure nothing changed. */
export function commitTable(metastore: Metastore, c: TableCommit): TableDefinition {
  const location = c.table.location;
  const version = (c.base?.version ?? 0) + 1;
  let snapshot: Snapshot | null = null;
  let stored: TableDefinition;
  try {
    const added = c.added.map((f) => ({
      path: path.relative(location, f.final),
      size: fs.statSync(f.hidden).size,
    }));
    snapshot = {
      id: newSnapshotId(version),
      version,
      table: tableKey(c.table),
      files: [...c.keep, ...added],
    };
    writeSnapshot(location, snapshot);
    crashPoint('commit.snapshot-written');
    const folders = new Set<string>();
    for (const f of c.added) {
      fs.renameSync(f.hidden, f.final);
      folders.add(path.dirname(f.final));
      crashPoint('commit.file-renamed');
    }
    for (const folder of folders) fsyncDirectory(folder);
    crashPoint('commit.files-renamed');
    const next: TableDefinition = { ...c.table, snapshot: snapshot.id };
    stored = c.create ? metastore.createTable(next, false, true) : metastore.alterTable(next);
  } catch (err) {
    for (const f of c.added) {
      fs.rmSync(f.hidden, { force: true });
      fs.rmSync(f.final, { force: true });
    }
    if (snapshot !== null) fs.rmSync(snapshotPath(location, snapshot.id), { force: true });
    throw err instanceof EngineError
      ? err
      : ioError(`could not commit the write to ${tableKey(c.table)}`, err);
  }
  crashPoint('commit.switched');
  if (c.base !== null) {
    try {
      dropSnapshot(location, c.base, new Set(snapshot.files.map((f) => f.path)), 'commit.file-deleted');
    } catch {
      // Committed; what is left over is swept before the table's next write.
    }
  }
  return stored;
}

/**
 * Deletes the files of `snapshot` not in `keep`, the partition folders that leaves empty, and
 * the snapshot itself. `point`: the crash point after each file.
 */
function dropSnapshot(location: string, snapshot: Snapshot, keep: ReadonlySet<string>, point: string): void {
  const folders = new Set<string>();
  for (const f of snapshot.files) {
    if (keep.has(f.path)) continue;
    const full = path.join(location, f.path);
    fs.rmSync(full, { force: true });
    folders.add(path.dirname(full));
    crashPoint(point);
  }
  removeEmptyFolders(location, folders);
  fs.rmSync(snapshotPath(location, snapshot.id), { force: true });
}

/** Removes each of `folders` (below `location`) and its parents up to `location` while empty. */
function removeEmptyFolders(location: string, folders: Iterable<string>): void {
  for (const start of folders) {
    let dir = start;
    while (dir !== location && dir.startsWith(location + path.sep)) {
      try {
        fs.rmdirSync(dir);
      } catch {
        break; // not empty, or gone
      }
      dir = path.dirname(dir);
    }
  }
}

/**
 * Finishes or undoes writes to the table that stopped between steps of their commit (a crash):
 * every snapshot other than `def.snapshot` gives up the files the current one does not list, then
 * goes. Run only under the table's write lock. A table without a current snapshot loses only
 * snapshots (an adoption that never switched lists nothing but the folder's own files).
 */
export function sweepSnapshots(def: TableDefinition): void {
  const dir = path.join(def.location, SNAPSHOTS_DIR);
  const names = namesIn(dir);
  if (names.length === 0) return;
  let current: ReadonlySet<string> | null = null;
  if (def.snapshot !== undefined) {
    current = new Set(readSnapshot(def.location, def.snapshot).files.map((f) => f.path));
  }
  for (const name of names) {
    if (!name.endsWith('.json') || isTempFileName(name)) continue;
    const id = name.slice(0, -'.json'.length);
    if (id === def.snapshot) continue;
    let old: Snapshot;
    try {
      old = readSnapshot(def.location, id);
    } catch {
      continue; // not one of ours to judge
    }
    if (current === null) fs.rmSync(snapshotPath(def.location, id), { force: true });
    else dropSnapshot(def.location, old, current, 'sweep.file-deleted');
  }
}

/**
 * Removes what writes of table `key` (`db.name`) that never registered it — a CREATE TABLE … AS
 * SELECT that failed or crashed, a DROP TABLE killed while deleting — left at `location`: the
 * files their snapshots list under the names writes give, files still hidden, the snapshots, and
 * then the folders left empty. Other files are never touched. Run only under the table's write
 * lock, and only when no registered table uses `location`'s snapshots. Returns whether
 * `location` is gone (or was never there).
 */
export function removeUnregisteredWrite(location: string, key: string): boolean {
  const dir = path.join(location, SNAPSHOTS_DIR);
  const folders = new Set<string>([location]);
  let ownsAll = true;
  for (const name of namesIn(dir)) {
    if (isTempFileName(name)) {
      fs.rmSync(path.join(dir, name), { force: true });
      continue;
    }
    if (!name.endsWith('.json')) {
      ownsAll = false;
      continue;
    }
    let s: Snapshot;
    try {
      s = readSnapshot(location, name.slice(0, -'.json'.length));
    } catch {
      ownsAll = false;
      continue;
    }
    if (s.table !== key) {
      ownsAll = false;
      continue;
    }
    for (const f of s.files) {
      if (!WRITTEN_FILE.test(path.basename(f.path))) continue;
      const full = path.join(location, f.path);
      fs.rmSync(full, { force: true });
      folders.add(path.dirname(full));
    }
    fs.rmSync(path.join(dir, name), { force: true });
  }
  if (ownsAll) removeHiddenWrites(location, folders, 0);
  removeEmptyFolders(path.dirname(location), [dir, ...folders]);
  return !fs.existsSync(location);
}

/** Collects the folders below `dir` and deletes the hidden files of unfinished writes in them. */
function removeHiddenWrites(dir: string, folders: Set<string>, depth: number): void {
  for (const entry of readEntries(dir)) {
    const full = path.join(dir, entry.name);
    if (entry.isFile() && IN_PROGRESS.test(entry.name)) fs.rmSync(full, { force: true });
    else if (entry.isDirectory() && entry.name.indexOf('=') > 0 && depth < 64) {
      folders.add(full);
      removeHiddenWrites(full, folders, depth + 1);
    }
  }
}

function readEntries(dir: string): fs.Dirent[] {
  try {
    return fs.readdirSync(dir, { withFileTypes: true });
  } catch {
    return [];
  }
}
