/**
 * How a series is named inside its family's Redis hash.
 *
 * A field is the JSON array of label values (in the family's label order); histogram fields add
 * a tab and `le=<bound>` or `sum`. JSON never contains a raw tab, so the split is unambiguous
 * whatever the label values hold. Buckets are stored per bucket (not cumulative): one
 * observation increments one bucket field, and the cumulative counts are computed on read.
 */
const separator = '\t';

export function labelsField(values: readonly string[]): string {
  return JSON.stringify(values);
}

export function bucketField(labels: string, bound: number): string {
  return `${labels}${separator}le=${bound === Number.POSITIVE_INFINITY ? '+Inf' : String(bound)}`;
}

export function sumField(labels: string): string {
  return `${labels}${separator}sum`;
}

export type ParsedField =
  | { kind: 'value'; labels: string }
  | { kind: 'bucket'; labels: string; bound: number }
  | { kind: 'sum'; labels: string };

export function parseField(field: string): ParsedField | undefined {
  const tab = field.indexOf(separator);
  if (tab === -1) return { kind: 'value', labels: field };
  const labels = field.slice(0, tab);
  const rest = field.slice(tab + 1);
  if (rest === 'sum') return { kind: 'sum', labels };
  if (!rest.startsWith('le=')) return undefined;
  const bound = rest === 'le=+Inf' ? Number.POSITIVE_INFINITY : Number(rest.slice(3));
  return Number.isNaN(bound) ? undefined : { kind: 'bucket', labels, bound };
}

/** Label values back from a field; undefined for a field this version cannot read. */
export function parseLabels(labels: string, names: readonly string[]): Record<string, string> | undefined {
  let values: unknown;
  try {
    values = JSON.parse(labels);
  } catch {
    return undefined;
  }
  if (!Array.isArray(values) || values.length !== names.length) return undefined;
  const result: Record<string, string> = {};
  names.forEach((name, i) => {
    result[name] = String(values[i]);
  });
  return result;
}
