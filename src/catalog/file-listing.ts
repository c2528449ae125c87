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
 * Lists the data files at `location`, sorted by path. Throws 58030 `[PATH_NOT_FOUND]` if it does not
 * exist. Only folder names of `partitionColumns` become partition values.
 */
export function listDataFiles(location: string, partitionColumns: readonly Field[]): DataFile[] {
  let stat: fs.Stats;
  try {
    stat = fs.statSync(location);
  } catch {
    throw new EngineError(SqlState.ioError, `[PATH_NOT_FOUND] Path does not exist: ${location}.`);
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
        const eq = entry.name.indexOf('=');
        let next = values;
        if (eq > 0) {
          const column = unescapePathName(entry.name.slice(0, eq)).toLowerCase();
          if (wanted.has(column)) {
            const raw = unescapePathName(entry.name.slice(eq + 1));
            const copy = new Map(values);
            copy.set(column, raw === HIVE_DEFAULT_PARTITION ? null : raw);
            next = copy;
          }
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
