/**
 * `npm run test:slt:complete -- test/sql/area/file.slt …`: runs .slt files and rewrites each
 * query's expected output with the actual output, for review with `git diff`.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Engine } from '../../src/session/index.ts';
import { DATA_DIR, readSlt, runSlt } from './slt.ts';

const files = process.argv.slice(2);
if (files.length === 0) {
  console.error('usage: npm run test:slt:complete -- <file.slt> …');
  process.exit(2);
}
for (const file of files) {
  const warehouse = mkdtempSync(join(tmpdir(), 'kindling-slt-'));
  try {
    const session = new Engine({ warehouse, allowedPaths: [warehouse, DATA_DIR] }).createSession({
      settings: { 'spark.sql.session.timeZone': 'UTC' },
    });
    const outcome = await runSlt(readSlt(file), session);
    writeFileSync(file, outcome.completed);
    for (const f of outcome.failures.filter((x) => !x.message.startsWith('wrong result'))) {
      console.error(`${file}:${f.line}: ${f.message}`);
    }
    console.log(`${file}: completed`);
  } finally {
    rmSync(warehouse, { recursive: true, force: true });
  }
}
