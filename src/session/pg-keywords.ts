/**
 * `pg_get_keywords()`: the SQL keywords of Kindling's grammar (src/sql/parser/keywords.ts) with
 * PostgreSQL's columns — `catcode` R (reserved) or U (unreserved), `barelabel` whether the word may
 * be a column label without AS, and their descriptions.
 */
import { T, type Field, type Value } from '../common/index.ts';
import { NON_RESERVED_KEYWORDS, NO_IMPLICIT_ALIAS, RESERVED_KEYWORDS } from '../sql/parser/index.ts';

export const PG_GET_KEYWORDS_COLUMNS: readonly Field[] = [
  { name: 'word', type: T.string, nullable: false },
  { name: 'catcode', type: T.string, nullable: false },
  { name: 'barelabel', type: T.boolean, nullable: false },
  { name: 'catdesc', type: T.string, nullable: false },
  { name: 'baredesc', type: T.string, nullable: false },
];

/** One row per keyword, in alphabetical order as PostgreSQL lists them. */
export function keywordRows(): Value[][] {
  const rows: Value[][] = [];
  const add = (word: string, reserved: boolean): void => {
    // A reserved word always needs AS; a non-reserved one unless a clause could start there.
    const bare = !reserved && !NO_IMPLICIT_ALIAS.has(word);
    rows.push([
      word.toLowerCase(),
      reserved ? 'R' : 'U',
      bare,
      reserved ? 'reserved' : 'unreserved',
      bare ? 'can be bare label' : 'requires AS',
    ]);
  };
  for (const w of RESERVED_KEYWORDS) add(w, true);
  for (const w of NON_RESERVED_KEYWORDS) add(w, false);
  return rows.sort((a, b) => ((a[0] as string) < (b[0] as string) ? -1 : 1));
}
