/** Finding a query's answer file in a folder: `q1.out` or `q01.out`. */
import { existsSync } from 'node:fs';
import { join } from 'node:path';

export function answerFile(dir: string, query: number): string | undefined {
  for (const name of [`q${query}.out`, `q${String(query).padStart(2, '0')}.out`]) {
    if (existsSync(join(dir, name))) return join(dir, name);
  }
  return undefined;
}
