import { parseLabels } from './series-fields.js';

type Labels = Record<string, string>;

/** What one read parsed of one family, in the order it asked. */
interface Parsed {
  fields: string[];
  labels: Array<Labels | undefined>;
  /** Built on the first field out of order. */
  byField?: Map<string, Labels | undefined>;
}

/**
 * The label objects of the series one scrape read, handed to the next scrape for the same fields:
 * a scrape of 100 000 series spent half its time collecting the garbage of parsing every field
 * again (an array and an object per series). Redis lists an unchanged hash in the same order, so
 * a field is first compared with the one at its place last time (no hashing of a new string);
 * only a hash that changed shape is looked up by field. What a scrape did not read is gone after
 * it, so the cache holds the series Redis holds, no more. Concurrent scrapes stay correct (a miss
 * only parses).
 */
export class LabelCache {
  private previous = new Map<string, Parsed>();
  private current = new Map<string, Parsed>();

  /** Starts a read: what the last one found is what this one may reuse. */
  begin(): void {
    this.previous = this.current;
    this.current = new Map();
  }

  /** The parser of one family's fields (`[...label values]` as JSON) for this read. */
  family(name: string, labelNames: readonly string[]): (field: string) => Labels | undefined {
    const key = `${name}\u0000${labelNames.join(',')}`;
    const before = this.previous.get(key);
    const now: Parsed = { fields: [], labels: [] };
    this.current.set(key, now);
    return (field) => {
      const at = now.fields.length;
      let labels: Labels | undefined;
      if (before !== undefined && before.fields[at] === field) labels = before.labels[at];
      else if (before !== undefined && lookup(before).has(field)) labels = lookup(before).get(field);
      else {
        const parsed = parseLabels(field, labelNames);
        // Frozen: the renderer formats a frozen label object once and keeps the text.
        labels = parsed && Object.freeze(parsed);
      }
      now.fields.push(field);
      now.labels.push(labels);
      return labels;
    };
  }
}

function lookup(parsed: Parsed): Map<string, Labels | undefined> {
  parsed.byField ??= new Map(parsed.fields.map((field, i) => [field, parsed.labels[i]]));
  return parsed.byField;
}
