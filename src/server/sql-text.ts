/**
 * The little the server itself needs to know about SQL text: whether a string holds no statement,
 * and whether it starts with a statement that ends a transaction block (allowed in a failed one).
 */

/** The text with leading whitespace, `;` and comments (`-- …`, nested `/* … *\/`) removed. */
function skipLeadingNoise(sql: string): string {
  let i = 0;
  const n = sql.length;
  while (i < n) {
    const c = sql.charCodeAt(i);
    if (c === 32 || c === 9 || c === 10 || c === 13 || c === 12 || c === 59) {
      i++;
    } else if (c === 45 && sql.charCodeAt(i + 1) === 45) {
      const end = sql.indexOf('\n', i);
      i = end < 0 ? n : end + 1;
    } else if (c === 47 && sql.charCodeAt(i + 1) === 42) {
      let depth = 1;
      i += 2;
      while (i < n && depth > 0) {
        if (sql.charCodeAt(i) === 47 && sql.charCodeAt(i + 1) === 42) {
          depth++;
          i += 2;
        } else if (sql.charCodeAt(i) === 42 && sql.charCodeAt(i + 1) === 47) {
          depth--;
          i += 2;
        } else i++;
      }
    } else break;
  }
  return sql.slice(i);
}

/** True when `sql` is empty or holds only whitespace, comments and semicolons. */
export function isEmptyQuery(sql: string): boolean {
  return skipLeadingNoise(sql).length === 0;
}

/** True when the first statement is COMMIT, ROLLBACK, END or ABORT (allowed in a failed transaction). */
export function startsWithTransactionEnd(sql: string): boolean {
  return /^(commit|rollback|end|abort)\b/i.test(skipLeadingNoise(sql));
}
