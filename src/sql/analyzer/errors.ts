/**
 * The analyzer's user-facing errors, with Spark's error classes and the SQLSTATE of each.
 */
import { EngineError, SqlState, editDistance } from '../../common/index.ts';

export function quoteIdent(name: string): string {
  return '`' + name.replace(/`/g, '``') + '`';
}

export function quoteParts(parts: readonly string[]): string {
  return parts.map(quoteIdent).join('.');
}

/** Up to five candidates ordered by similarity to `name` (Spark's orderSuggestedIdentifiersBySimilarity). */
export function suggestions(name: string, candidates: Iterable<string>): string[] {
  const lower = name.toLowerCase();
  const unique = [...new Set(candidates)];
  return unique
    .map((c) => ({ c, d: editDistance(lower, c.toLowerCase()) }))
    .sort((a, b) => a.d - b.d || (a.c < b.c ? -1 : a.c > b.c ? 1 : 0))
    .slice(0, 5)
    .map((x) => x.c);
}

export function unresolvedColumn(
  parts: readonly string[],
  candidates: readonly string[],
  pos: number,
): EngineError {
  const base = `A column, variable, or function parameter with name ${quoteParts(parts)} cannot be resolved.`;
  const best = suggestions(parts[parts.length - 1] ?? '', candidates);
  const pgMessage = `column ${parts.map((p) => `"${p}"`).join('.')} does not exist`;
  if (best.length === 0) {
    return new EngineError(SqlState.undefinedColumn, `[UNRESOLVED_COLUMN.WITHOUT_SUGGESTION] ${base}`, {
      position: pos,
      pgMessage,
    });
  }
  return new EngineError(
    SqlState.undefinedColumn,
    `[UNRESOLVED_COLUMN.WITH_SUGGESTION] ${base} Did you mean one of the following? [${best.map(quoteIdent).join(', ')}].`,
    { position: pos, pgMessage },
  );
}

export function ambiguousReference(
  parts: readonly string[],
  matches: readonly string[],
  pos: number,
): EngineError {
  return new EngineError(
    SqlState.undefinedObject,
    `[AMBIGUOUS_REFERENCE] Reference ${quoteParts(parts)} is ambiguous, could be: [${matches.join(', ')}].`,
    { position: pos },
  );
}

export function tableNotFound(
  parts: readonly string[],
  candidates: readonly string[],
  pos: number,
): EngineError {
  const best = suggestions(parts[parts.length - 1] ?? '', candidates).filter(
    (c) =>
      editDistance(c.toLowerCase(), (parts[parts.length - 1] ?? '').toLowerCase()) <=
      Math.max(2, Math.floor((parts[parts.length - 1] ?? '').length / 3)),
  );
  const hint = best.length > 0 ? ` Did you mean ${quoteIdent(best[0]!)}?` : '';
  return new EngineError(
    SqlState.undefinedTable,
    `[TABLE_OR_VIEW_NOT_FOUND] The table or view ${quoteParts(parts)} cannot be found.${hint} Verify the spelling and correctness of the schema and catalog.`,
    { position: pos, pgMessage: `relation "${parts.join('.')}" does not exist` },
  );
}

export function unresolvedRoutine(parts: readonly string[], pos: number): EngineError {
  return new EngineError(
    SqlState.undefinedFunction,
    `[UNRESOLVED_ROUTINE] Cannot resolve routine ${quoteParts(parts)} on search path [\`system\`.\`builtin\`, \`system\`.\`session\`, \`spark_catalog\`.\`default\`].`,
    { position: pos, pgMessage: `function ${parts.join('.')} does not exist` },
  );
}

export function analysisError(sqlstate: string, message: string, pos: number | undefined): EngineError {
  return new EngineError(sqlstate, message, { position: pos });
}

export function typeMismatch(message: string, pos: number | undefined): EngineError {
  return new EngineError(SqlState.datatypeMismatch, `[DATATYPE_MISMATCH] ${message}`, { position: pos });
}

export function notSupported(what: string, pos: number | undefined): EngineError {
  return new EngineError(SqlState.featureNotSupported, `[UNSUPPORTED_FEATURE] ${what} is not supported.`, {
    position: pos,
  });
}
