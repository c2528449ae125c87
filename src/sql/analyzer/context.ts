/**
 * What the analyzer needs from the rest of the engine: a catalog to resolve relation names, the
 * function registry, session flags and an id source for attributes. The session implements these.
 */
import type { DataType } from '../../common/index.ts';
import type { FunctionRegistry } from '../../functions/index.ts';
import type { TableSource } from '../../plan/index.ts';
import type { Query } from '../parser/index.ts';

export type RelationLookup =
  | { readonly kind: 'table'; readonly source: TableSource }
  | {
      readonly kind: 'view';
      readonly name: readonly string[];
      readonly query: Query;
      readonly columns: readonly string[] | null;
    };

export interface AnalyzerCatalog {
  /** Resolve a relation name (1–3 parts; a 1-part name checks temp views first, then the current database). */
  lookupRelation(parts: readonly string[]): RelationLookup | undefined;
  /** All relation names visible, for "did you mean" hints. */
  relationNames(): readonly string[];
}

export interface AnalyzerContext {
  readonly catalog: AnalyzerCatalog;
  readonly functions: FunctionRegistry;
  /** `spark.sql.ansi.enabled`. */
  readonly ansi: boolean;
  /** `spark.sql.caseSensitive` (only `false` is supported: names match case-insensitively). */
  readonly caseSensitive: boolean;
  /** `spark.sql.session.timeZone`: zone-less TIMESTAMP literals are wall-clock time here. */
  readonly timeZone: string;
  /** A fresh attribute id, unique for the life of the query. */
  nextId(): number;
  /** Declared types of `$1`, `$2`…; null or missing = not declared. */
  readonly parameterTypes?: readonly (DataType | null)[];
}
