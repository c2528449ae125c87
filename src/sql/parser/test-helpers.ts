/**
 * Test helpers: AST snapshots without positions, and shorthand node builders.
 */
import type { Expr } from './ast.ts';

/** A deep copy of `node` without `pos` fields (so tests compare structure only). */
export function strip(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(strip);
  if (node !== null && typeof node === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(node)) if (k !== 'pos') out[k] = strip(v);
    return out;
  }
  return node;
}

export function col(...parts: string[]): unknown {
  return { kind: 'column', name: { parts: parts.map((name) => ({ name, quoted: false })) } };
}

export function int(text: string): unknown {
  return { kind: 'literal', value: { type: 'integer', text, suffix: null } };
}

export function str(value: string): unknown {
  return { kind: 'literal', value: { type: 'string', value } };
}

export function bin(op: string, left: unknown, right: unknown): unknown {
  return { kind: 'binary', op, left, right };
}

export function call(name: string, args: unknown[], extra: Record<string, unknown> = {}): unknown {
  return {
    kind: 'function',
    name: { parts: name.split('.').map((n) => ({ name: n, quoted: false })) },
    args,
    distinct: false,
    star: false,
    filter: null,
    ignoreNulls: null,
    over: null,
    orderBy: [],
    ...extra,
  };
}

export type { Expr };
