/**
 * Comparing two result sets with the rules of tpch/answers.ts (numbers within 0.01, averages
 * within 0.05, row order as the query fixes it, ties compared as multisets where possible).
 */
import { compareAnswer, parseAnswer, type Answer } from '../answers.ts';

export interface TextResult {
  readonly columns: readonly string[];
  readonly rows: readonly (readonly string[])[];
}

/** Problems found comparing `actual` with `expected` for query `query`; empty when they agree. */
export function compareResults(expected: TextResult, actual: TextResult, query: number): string[] {
  const answer: Answer = {
    columns: expected.columns,
    rows: expected.rows.map((r) => r.map((v) => v.trim())),
  };
  const problems: string[] = [];
  if (expected.columns.length !== actual.columns.length) {
    problems.push(`expected ${expected.columns.length} columns, got ${actual.columns.length}`);
  }
  return [...problems, ...compareAnswer(answer, actual.rows, query)];
}

/** Problems comparing `actual` with an answer file's text (the format of test/data/tpch/answers). */
export function compareWithAnswerText(answerText: string, actual: TextResult, query: number): string[] {
  return compareResults(parseAnswer(answerText), actual, query);
}
