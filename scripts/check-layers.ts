/**
 * Checks the layer rules of ARCHITECTURE.md: a layer imports only the layers below it, and only
 * through their `index.ts`. Run by `npm test` (scripts/check-layers.test.ts) and on its own with
 * `npm run check:layers`. Prints one line per violation and exits non-zero if there is any.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Each layer and the layers it may import (`common` is implied for everyone). */
export const LAYER_RULES: Readonly<Record<string, readonly string[]>> = {
  'src/common': [],
  'src/sql/parser': ['src/common'],
  'src/plan': ['src/common'],
  'src/functions': ['src/common', 'src/plan'],
  'src/catalog': ['src/common', 'src/plan'],
  'src/sql/analyzer': ['src/sql/parser', 'src/plan', 'src/functions', 'src/catalog', 'src/common'],
  'src/optimizer': ['src/plan', 'src/catalog', 'src/common'],
  'src/physical': ['src/plan', 'src/functions', 'src/catalog', 'src/common'],
  // exec builds the function registry in each executor to rebuild the plans it is sent.
  'src/exec': ['src/physical', 'src/functions', 'src/catalog', 'src/common'],
  'src/session': [
    'src/sql/parser',
    'src/sql/analyzer',
    'src/plan',
    'src/functions',
    'src/catalog',
    'src/optimizer',
    'src/physical',
    'src/exec',
    'src/common',
  ],
  'src/server': ['src/session', 'src/catalog', 'src/common'],
  'src/cli': ['src/session', 'src/server', 'src/common', 'src/index.ts', 'tpch'],
  tpch: ['src/index.ts'],
};

const LAYERS = Object.keys(LAYER_RULES).sort((a, b) => b.length - a.length);

function layerOf(repoPath: string): string | undefined {
  if (repoPath === 'src/index.ts') return 'src/index.ts';
  return LAYERS.find((l) => repoPath === l || repoPath.startsWith(l + '/'));
}

function listTs(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name.startsWith('.')) continue;
    const p = join(dir, name);
    if (statSync(p).isDirectory()) listTs(p, out);
    else if (p.endsWith('.ts') && !p.endsWith('.d.ts')) out.push(p);
  }
  return out;
}

const IMPORT_RE =
  /(?:^|\n)\s*(?:import|export)\s[^'"`;]*?from\s*['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g;

export function checkLayers(root: string): string[] {
  const problems: string[] = [];
  const files = [...listTs(join(root, 'src')), ...listTs(join(root, 'tpch'))];
  for (const file of files) {
    const from = relative(root, file).split(sep).join('/');
    const fromLayer = layerOf(from);
    if (fromLayer === undefined || fromLayer === 'src/index.ts') continue;
    const isTest = from.endsWith('.test.ts');
    const text = readFileSync(file, 'utf8');
    for (const m of text.matchAll(IMPORT_RE)) {
      const spec = m[1] ?? m[2];
      if (spec === undefined || !spec.startsWith('.')) continue;
      const target = relative(root, resolve(dirname(file), spec))
        .split(sep)
        .join('/');
      const toLayer = layerOf(target);
      if (toLayer === undefined || toLayer === fromLayer) continue;
      // Tests may reach into lower layers' helpers; production code may not.
      const allowed = toLayer === 'src/common' || LAYER_RULES[fromLayer]!.includes(toLayer);
      if (!allowed) {
        problems.push(`${from}: imports ${target} — layer ${fromLayer} may not import ${toLayer}`);
        continue;
      }
      const viaIndex = target === `${toLayer}/index.ts` || toLayer === 'src/index.ts' || toLayer === 'tpch';
      if (!viaIndex && !isTest) {
        problems.push(`${from}: imports ${target} — import ${toLayer}/index.ts instead of its inner files`);
      }
    }
  }
  return problems;
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
  const problems = checkLayers(root);
  for (const p of problems) console.error(p);
  if (problems.length > 0) {
    console.error(`${problems.length} layer violation(s)`);
    process.exit(1);
  }
  console.log('layer rules hold');
}
