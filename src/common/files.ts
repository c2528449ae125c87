/**
 * File-system helpers shared by every layer that creates folders at paths users choose.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

/**
 * Creates `dir` and its missing parents, like `mkdir -p`. Node's own `mkdirSync(…, { recursive:
 * true })` never returns for some paths on pseudo file systems (e.g. under /proc); this walks up to
 * the first existing ancestor and creates each missing folder with a plain `mkdir`, so such paths
 * fail at once with the OS error (ENOENT, EACCES, ENOTDIR…). Throws Node's error unchanged.
 */
export function makeDirectories(dir: string): void {
  const missing: string[] = [];
  let current = path.resolve(dir);
  for (;;) {
    let stat: fs.Stats | undefined;
    try {
      stat = fs.statSync(current);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
    if (stat !== undefined) {
      if (!stat.isDirectory()) {
        const error: NodeJS.ErrnoException = new Error(`ENOTDIR: not a directory, mkdir '${current}'`);
        error.code = 'ENOTDIR';
        throw error;
      }
      break;
    }
    missing.push(current);
    const parent = path.dirname(current);
    if (parent === current) break;
    current = parent;
  }
  for (let i = missing.length - 1; i >= 0; i--) {
    try {
      fs.mkdirSync(missing[i]!);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
  }
}
