/**
 * The JSONPath subset of Spark's get_json_object (and json_tuple's field names): `$` the root,
 * `.name` and `['name']` an object's field, `[n]` an array's element, `[*]` every element. A
 * path that does not parse matches nothing. Matching follows Spark (Hive): a wildcard's matches
 * are collected into an array, unwrapped when there is exactly one; a string result is its raw
 * text, any other its compact JSON; nothing matched (or a JSON null) is NULL.
 */
import { jsonNodeText, type JsonNode } from '../../common/index.ts';

export type JsonPathStep =
  | { readonly kind: 'key'; readonly name: string }
  | { readonly kind: 'index'; readonly index: number }
  | { readonly kind: 'wildcard' };

/** The steps of a path, or null when it is not one Spark accepts. */
export function parseJsonPath(path: string): JsonPathStep[] | null {
  if (!path.startsWith('$')) return null;
  const steps: JsonPathStep[] = [];
  let i = 1;
  while (i < path.length) {
    const c = path[i];
    if (c === '.') {
      let j = i + 1;
      while (j < path.length && path[j] !== '.' && path[j] !== '[') j++;
      const name = path.slice(i + 1, j);
      if (name === '' || name === '*') return null;
      steps.push({ kind: 'key', name });
      i = j;
    } else if (c === '[') {
      const close = path.indexOf(']', i);
      if (close < 0) return null;
      const inner = path.slice(i + 1, close);
      if (inner === '*') steps.push({ kind: 'wildcard' });
      else if (/^\d+$/.test(inner)) steps.push({ kind: 'index', index: Number(inner) });
      else if (inner.length >= 2 && inner.startsWith("'") && inner.endsWith("'")) {
        const name = inner.slice(1, -1);
        if (name === '' || name.includes("'")) return null;
        steps.push({ kind: 'key', name });
      } else return null;
      i = close + 1;
    } else return null;
  }
  return steps;
}

function fieldOf(node: JsonNode, name: string): JsonNode | undefined {
  if (node.kind !== 'object') return undefined;
  for (const [k, v] of node.entries) if (k === name) return v;
  return undefined;
}

/** What steps `at`… reach from `node`: one node (a wildcard's matches gathered into an array). */
function walk(node: JsonNode, steps: readonly JsonPathStep[], at: number): JsonNode | undefined {
  if (at === steps.length) return node;
  const step = steps[at]!;
  switch (step.kind) {
    case 'key': {
      const child = fieldOf(node, step.name);
      return child === undefined ? undefined : walk(child, steps, at + 1);
    }
    case 'index': {
      if (node.kind !== 'array') return undefined;
      const child = node.items[step.index];
      return child === undefined ? undefined : walk(child, steps, at + 1);
    }
    case 'wildcard': {
      if (node.kind !== 'array') return undefined;
      const matches: JsonNode[] = [];
      for (const item of node.items) {
        const m = walk(item, steps, at + 1);
        if (m === undefined || m.kind === 'null') continue;
        // A wildcard under a wildcard flattens its matches into the outer array.
        if (m.kind === 'array' && steps.slice(at + 1).some((s) => s.kind === 'wildcard'))
          matches.push(...m.items);
        else matches.push(m);
      }
      if (matches.length === 0) return undefined;
      if (matches.length === 1) return matches[0];
      return { kind: 'array', items: matches };
    }
  }
}

/** What get_json_object gives for `root` and a parsed path: the text, or null. */
export function evaluateJsonPath(root: JsonNode, steps: readonly JsonPathStep[]): string | null {
  const m = walk(root, steps, 0);
  if (m === undefined || m.kind === 'null') return null;
  return m.kind === 'string' ? m.value : jsonNodeText(m);
}
