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

/**
 * Test-only: with `KINDLING_TEST_CRASH_AT=<point>` (or `<point>@<n>`) in the environment, the
 * process kills itself with SIGKILL the first (or `n`th) time it reaches `crashPoint(point)`. The
 * crash tests (test/e2e/crash.test.ts) use it to stop a write exactly between two steps of its
 * commit; without the variable a call costs one comparison.
 */
export function crashPoint(point: string): void {
  if (CRASH_AT === null || CRASH_AT.point !== point) return;
  CRASH_AT.reached++;
  if (CRASH_AT.reached === CRASH_AT.count) process.kill(process.pid, 'SIGKILL');
}

const CRASH_AT = ((): { point: string; count: number; reached: number } | null => {
  const raw = process.env['KINDLING_TEST_CRASH_AT'];
  if (raw === undefined || raw === '') return null;
  const at = raw.lastIndexOf('@');
  if (at < 0) return { point: raw, count: 1, reached: 0 };
  return { point: raw.slice(0, at), count: Math.max(1, Number(raw.slice(at + 1)) || 1), reached: 0 };
})();
