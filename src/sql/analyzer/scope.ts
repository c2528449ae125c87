/**
 * Name resolution scopes: the columns a clause can see, each with the qualifier path it answers to
 * (`['l']` for an alias, `['tpch', 'lineitem']` for a table), and the enclosing query's scope for
 * correlated references. Names match case-insensitively.
 */
import type { Attribute } from '../../plan/index.ts';
import { ambiguousReference, analysisError, quoteParts } from './errors.ts';

export interface ScopeColumn {
  readonly attr: Attribute;
  /** Lower-cased qualifier parts; a written qualifier must be a suffix of this path. */
  readonly path: readonly string[];
  /** Columns reachable only by a qualified name or when no visible column matches (USING joins). */
  readonly hidden: boolean;
  /** A system column (PostgreSQL's `tableoid`): hidden, and in no `*`, not even a qualified one. */
  readonly system?: boolean;
}

export class Scope {
  readonly columns: readonly ScopeColumn[];
  readonly outer: Scope | null;

  constructor(columns: readonly ScopeColumn[], outer: Scope | null) {
    this.columns = columns;
    this.outer = outer;
  }

  visible(): ScopeColumn[] {
    return this.columns.filter((c) => !c.hidden);
  }

  /**
   * The columns `*` or `q.*` stands for: the visible ones, or a relation's own columns in order
   * (hidden USING columns included); CANNOT_RESOLVE_STAR_EXPAND when `q` names no relation.
   */
  starColumns(qualifier: readonly string[] | null, pos: number): ScopeColumn[] {
    if (qualifier === null) return this.visible();
    const q = qualifier.map((p) => p.toLowerCase());
    const cols = this.columns.filter((c) => isSuffix(q, c.path) && c.system !== true);
    if (cols.length === 0) {
      throw analysisError(
        '42704',
        `[CANNOT_RESOLVE_STAR_EXPAND] Cannot resolve ${quoteParts(qualifier)}.* given input columns ${this.visible()
          .map((c) => '`' + c.attr.name + '`')
          .join(', ')}.`,
        pos,
      );
    }
    return cols;
  }

  /**
   * The column `parts` names in this scope only (not outer scopes); undefined when none.
   * Throws AMBIGUOUS_REFERENCE when two different columns match.
   */
  lookup(parts: readonly string[], pos: number): ScopeColumn | undefined {
    const name = parts[parts.length - 1]!.toLowerCase();
    const qualifier = parts.slice(0, -1).map((p) => p.toLowerCase());
    const match = (hidden: boolean): ScopeColumn[] => {
      const found: ScopeColumn[] = [];
      for (const c of this.columns) {
        if (c.hidden !== hidden || c.attr.name.toLowerCase() !== name) continue;
        if (!isSuffix(qualifier, c.path)) continue;
        if (!found.some((f) => f.attr.id === c.attr.id)) found.push(c);
      }
      return found;
    };
    let found = match(false);
    if (found.length === 0) found = match(true);
    if (found.length > 1) {
      throw ambiguousReference(
        parts,
        found.map((f) =>
          quoteParts([...(f.path.length > 0 ? [f.path[f.path.length - 1]!] : []), f.attr.name]),
        ),
        pos,
      );
    }
    return found[0];
  }

  /** Column names visible here and in outer scopes, for suggestions. */
  candidateNames(): string[] {
    const names = this.columns.map((c) => c.attr.name);
    if (this.outer !== null) names.push(...this.outer.candidateNames());
    return names;
  }
}

function isSuffix(qualifier: readonly string[], path: readonly string[]): boolean {
  if (qualifier.length > path.length) return false;
  const offset = path.length - qualifier.length;
  for (let i = 0; i < qualifier.length; i++) if (path[offset + i] !== qualifier[i]) return false;
  return true;
}

export function scopeColumns(attrs: readonly Attribute[], path: readonly string[]): ScopeColumn[] {
  const lower = path.map((p) => p.toLowerCase());
  const qualifier = path.length > 0 ? path[path.length - 1]! : null;
  return attrs.map((a) => ({ attr: { ...a, qualifier }, path: lower, hidden: false }));
}
