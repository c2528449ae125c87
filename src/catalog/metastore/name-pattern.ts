/**
 * Spark's `SHOW TABLES LIKE` / `SHOW DATABASES LIKE` patterns: `*` matches any run of characters,
 * `|` separates alternatives, matching is case-insensitive and whole-name. Everything else is literal.
 */

export type NameMatcher = (name: string) => boolean;

function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

export function compileNamePattern(pattern: string): NameMatcher {
  const alternatives = pattern
    .split('|')
    .map((alt) => alt.trim())
    .map((alt) => alt.split('*').map(escapeRegex).join('.*'));
  const regex = new RegExp(`^(?:${alternatives.join('|')})$`, 'is');
  return (name) => regex.test(name);
}

export function filterByPattern(names: readonly string[], pattern: string | undefined | null): string[] {
  if (pattern === undefined || pattern === null) return [...names];
  const matches = compileNamePattern(pattern);
  return names.filter(matches);
}
