/**
 * Which folders SQL may name: every path a statement names (a table's or database's LOCATION, and
 * whatever names files later) must resolve — symbolic links followed — inside one of the engine's
 * allowed folders (`kindling.sql.allowed_paths`; by default the warehouse). The list is fixed when
 * the engine starts; no session can change it. A path outside fails with 42501 naming it.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { EngineError, SqlState } from '../common/index.ts';

/**
 * The absolute path with symbolic links resolved in its longest existing prefix (the rest does not
 * exist yet, so it holds no link; `path.resolve` has already removed `.` and `..`).
 */
export function realPathOf(p: string): string {
  const absolute = path.resolve(p);
  const rest: string[] = [];
  let existing = absolute;
  for (;;) {
    try {
      return path.join(fs.realpathSync.native(existing), ...rest.reverse());
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code !== 'ENOENT' && code !== 'ENOTDIR') throw err;
      const parent = path.dirname(existing);
      if (parent === existing) return absolute;
      rest.push(path.basename(existing));
      existing = parent;
    }
  }
}

function inside(p: string, root: string): boolean {
  if (p === root) return true;
  return p.startsWith(root.endsWith(path.sep) ? root : root + path.sep);
}

export class AllowedPaths {
  readonly roots: readonly string[];

  constructor(roots: readonly string[]) {
    this.roots = roots.map(realPathOf);
  }

  /**
   * `location` resolved (relative to the working directory) with its links followed, when it lies
   * inside an allowed folder; else 42501 at `position`.
   */
  check(location: string, position?: number): string {
    const real = realPathOf(location);
    if (this.roots.some((root) => inside(real, root))) return real;
    throw new EngineError(
      SqlState.insufficientPrivilege,
      `[INSUFFICIENT_PRIVILEGE] The path "${location}" is outside the folders SQL may use (kindling.sql.allowed_paths).`,
      position === undefined ? {} : { position },
    );
  }
}

/** `kindling.sql.allowed_paths`: folders separated by commas (each resolved when the engine starts). */
export function parseAllowedPaths(value: string): string[] {
  const folders = value
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  if (folders.length === 0) {
    throw new EngineError(
      SqlState.invalidParameterValue,
      'kindling.sql.allowed_paths needs at least one folder',
    );
  }
  return folders;
}
