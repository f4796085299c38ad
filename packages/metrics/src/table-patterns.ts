/**
 * Table-name patterns for include/exclude: exact names, `*` matching any run of characters.
 * Hand-written rather than a glob library: one wildcard over flat names, nothing path-like.
 */
export function tableMatcher(include: readonly string[], exclude: readonly string[]): (table: string) => boolean {
  const included = include.map(toRegExp);
  const excluded = exclude.map(toRegExp);
  return (table) =>
    (included.length === 0 || included.some((re) => re.test(table))) && !excluded.some((re) => re.test(table));
}

function toRegExp(pattern: string): RegExp {
  const escaped = pattern.split('*').map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'));
  return new RegExp(`^${escaped.join('.*')}$`);
}
