/**
 * TPC-H answer files (`qN.out`: `|`-separated, one header line, padded values) and the comparison
 * rules of the reference README: strings exactly (after trimming padding), numbers within 0.01
 * (averages within 0.05), NULL as `NULL`, row order as the query orders it — except where the
 * official answers may order ties differently (Q2, Q3, Q10, Q18, Q21), which are compared as
 * multisets.
 */

export interface Answer {
  readonly columns: readonly string[];
  readonly rows: readonly (readonly string[])[];
}

export function parseAnswer(text: string): Answer {
  const lines = text.split('\n').filter((l) => l.trim() !== '');
  const [header, ...body] = lines;
  return {
    columns: (header ?? '').split('|').map((c) => c.trim()),
    rows: body.map((l) => l.split('|').map((v) => v.trim())),
  };
}

/** Queries whose answers may list rows with equal sort keys in another order. */
export const TIES_POSSIBLE: ReadonlySet<number> = new Set([2, 3, 10, 18, 21]);

const NUMBER = /^-?\d+(\.\d+)?$/;

function valuesMatch(expected: string, actual: string, column: string): boolean {
  if (expected === actual) return true;
  if (expected === 'NULL' || actual === 'NULL') return false;
  if (NUMBER.test(expected) && NUMBER.test(actual)) {
    const tolerance = column.toLowerCase().includes('avg') ? 0.05 : 0.01;
    return Math.abs(Number(expected) - Number(actual)) <= tolerance + 1e-9;
  }
  return false;
}

function rowsMatch(
  expected: readonly string[],
  actual: readonly string[],
  columns: readonly string[],
): boolean {
  return (
    expected.length === actual.length &&
    expected.every((v, i) => valuesMatch(v, actual[i]!, columns[i] ?? ''))
  );
}

/** Problems found comparing `actual` rows with an answer; empty when they agree. */
export function compareAnswer(
  answer: Answer,
  rawActual: readonly (readonly string[])[],
  query: number,
): string[] {
  // The answer files pad values, so they are compared trimmed; trim the actual values alike.
  const actual = rawActual.map((row) => row.map((v) => v.trim()));
  const problems: string[] = [];
  if (actual.length !== answer.rows.length) {
    problems.push(`expected ${answer.rows.length} rows, got ${actual.length}`);
  }
  const n = Math.min(actual.length, answer.rows.length);
  const inOrder: number[] = [];
  for (let i = 0; i < n; i++) if (!rowsMatch(answer.rows[i]!, actual[i]!, answer.columns)) inOrder.push(i);
  if (inOrder.length === 0) return problems;
  if (TIES_POSSIBLE.has(query)) {
    // Match each actual row to a distinct expected row.
    const unused = answer.rows.map((_, i) => i);
    const unmatched: number[] = [];
    for (let i = 0; i < actual.length; i++) {
      const k = unused.findIndex((j) => rowsMatch(answer.rows[j]!, actual[i]!, answer.columns));
      if (k < 0) unmatched.push(i);
      else unused.splice(k, 1);
    }
    if (unmatched.length === 0) return problems;
    for (const i of unmatched.slice(0, 5))
      problems.push(`row ${i + 1} not in the answer: ${actual[i]!.join('|')}`);
    return problems;
  }
  for (const i of inOrder.slice(0, 5)) {
    problems.push(`row ${i + 1}: expected ${answer.rows[i]!.join('|')}, got ${actual[i]!.join('|')}`);
  }
  return problems;
}
