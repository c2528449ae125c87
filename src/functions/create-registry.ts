/**
 * The function registry: every scalar and aggregate function by canonical name and alias
 * (case-insensitive), and the listing SHOW FUNCTIONS prints.
 */
import type { FunctionDef, FunctionRegistry } from './registry.ts';
import { aggregateFunctions } from './aggregate/index.ts';
import { scalarFunctions } from './scalar/index.ts';

export interface FunctionListing {
  readonly name: string;
  readonly kind: 'scalar' | 'aggregate';
  /** The canonical name when `name` is an alias. */
  readonly canonical: string;
  readonly description: string;
  readonly deterministic: boolean;
}

export interface KindlingFunctionRegistry extends FunctionRegistry {
  /** Every name and alias, sorted, for SHOW FUNCTIONS. */
  listing(): readonly FunctionListing[];
}

export function createFunctionRegistry(extra: readonly FunctionDef[] = []): KindlingFunctionRegistry {
  const byName = new Map<string, FunctionDef>();
  const canonical: string[] = [];
  for (const def of [...scalarFunctions, ...aggregateFunctions, ...extra]) {
    byName.set(def.name.toLowerCase(), def);
    canonical.push(def.name);
    for (const alias of def.aliases ?? [])
      if (!byName.has(alias.toLowerCase())) byName.set(alias.toLowerCase(), def);
  }
  const names = [...new Set(canonical)].sort();
  const listing: FunctionListing[] = [...byName.entries()]
    .map(([name, def]) => ({
      name,
      kind: def.kind,
      canonical: def.name,
      description: def.description,
      deterministic: def.kind === 'scalar' ? def.deterministic !== false : true,
    }))
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return {
    lookup: (name) => byName.get(name.toLowerCase()),
    names: () => names,
    listing: () => listing,
  };
}
