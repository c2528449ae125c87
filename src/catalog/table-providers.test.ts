import * as fs from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { EngineError, T, batchRows, field } from '../common/index.ts';
import { csvDef, tempDir, writeFile } from './csv/csv-test-support.ts';
import { MemoryTableProvider } from './memory/memory-table-provider.ts';
import { createTableProvider, registerTableFormat } from './table-providers.ts';

const dir = tempDir('kindling-providers-');
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('createTableProvider', () => {
  it('reads format tbl as |-separated CSV by default', async () => {
    const f = writeFile(dir, 'x.tbl', '1|a|\n');
    const def = { ...csvDef(f, [field('a', T.int), field('b', T.string)]), format: 'tbl' };
    const provider = createTableProvider(def);
    expect(provider.qualifiedName).toEqual(['default', 't']);
    const scan = provider.scan({ projection: null, filters: [], limit: null, targetPartitions: 1 });
    expect(scan.partitions).toBe(1);
    const rows: unknown[][] = [];
    for await (const batch of scan.open(0, { signal: new AbortController().signal, batchSize: 16 })) {
      rows.push(...batchRows(batch, [T.int, T.string]));
    }
    expect(rows).toEqual([[1, 'a']]);
  });

  it('refuses views and unknown formats, and accepts registered ones', () => {
    const def = csvDef('/nowhere', [field('a', T.int)]);
    expect(() => createTableProvider({ ...def, format: 'view' })).toThrow(EngineError);
    let err: unknown;
    try {
      createTableProvider({ ...def, format: 'orc' });
    } catch (e) {
      err = e;
    }
    expect((err as EngineError).sqlstate).toBe('0A000');
    registerTableFormat('fake', (d) => new MemoryTableProvider(d, []));
    expect(createTableProvider({ ...def, format: 'FAKE' })).toBeInstanceOf(MemoryTableProvider);
  });
});
