import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { checkLayers } from './check-layers.ts';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');

function fakeRepo(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'kindling-layers-'));
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  mkdirSync(join(dir, 'tpch'), { recursive: true });
  return dir;
}

describe('layer rules', () => {
  it('hold for the repository', () => {
    expect(checkLayers(root)).toEqual([]);
  });

  it('reject a lower layer importing a higher one', () => {
    const dir = fakeRepo({
      'src/sql/parser/grammar.ts': "import { Catalog } from '../../catalog/index.ts';\n",
      'src/catalog/index.ts': 'export {};\n',
    });
    expect(checkLayers(dir)).toEqual([
      'src/sql/parser/grammar.ts: imports src/catalog/index.ts — layer src/sql/parser may not import src/catalog',
    ]);
  });

  it('reject importing another layer’s inner file', () => {
    const dir = fakeRepo({
      'src/physical/planner.ts': "import type { ScanNode } from '../plan/logical-plan.ts';\n",
      'src/plan/logical-plan.ts': 'export {};\n',
    });
    expect(checkLayers(dir)).toEqual([
      'src/physical/planner.ts: imports src/plan/logical-plan.ts — import src/plan/index.ts instead of its inner files',
    ]);
  });

  it('accept imports within a layer and downward through index.ts', () => {
    const dir = fakeRepo({
      'src/physical/planner.ts':
        "import type { ScanNode } from '../plan/index.ts';\nimport { x } from './operators/filter.ts';\n",
      'src/plan/index.ts': 'export {};\n',
      'src/physical/operators/filter.ts': 'export const x = 1;\n',
    });
    expect(checkLayers(dir)).toEqual([]);
  });
});
