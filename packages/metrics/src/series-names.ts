import { bucketField, labelsField, sumField } from './series-fields.js';

export interface SeriesNames {
  /** The field of a counter or gauge series. */
  readonly labels: string;
  /** The field of a histogram's sum. */
  readonly sum: string;
  /** The field of histogram bucket `index` (`buckets.length` is `+Inf`). */
  bucket(index: number): string;
}

interface Node {
  children?: Map<string, Node>;
  names?: SeriesNames;
}

/**
 * Field names per label set, built once: the request path then only looks them up instead of
 * serialising JSON and concatenating strings on every observation. A tree of maps, one level
 * per label, so a lookup builds no key string either. Cleared whole when it grows past
 * `maxEntries`, which only costs rebuilding names for label sets still in use.
 */
export class SeriesNameCache {
  private root: Node = {};
  private size = 0;

  constructor(
    private readonly buckets: readonly number[],
    private readonly maxEntries = 4096,
  ) {}

  get(values: readonly string[]): SeriesNames {
    let node = this.root;
    for (const value of values) {
      node.children ??= new Map();
      let child = node.children.get(value);
      if (!child) {
        child = {};
        node.children.set(value, child);
      }
      node = child;
    }
    if (!node.names) {
      if (this.size >= this.maxEntries) {
        this.root = {};
        this.size = 0;
        return this.get(values);
      }
      node.names = this.build(values);
      this.size++;
    }
    return node.names;
  }

  private build(values: readonly string[]): SeriesNames {
    const labels = labelsField(values);
    const bounds = [...this.buckets, Number.POSITIVE_INFINITY];
    const bucketFields: Array<string | undefined> = [];
    return {
      labels,
      sum: sumField(labels),
      bucket: (index) => (bucketFields[index] ??= bucketField(labels, bounds[index]!)),
    };
  }
}

/** Index of the smallest bound that holds `value`; `buckets.length` past the last (`+Inf`). */
export function bucketIndex(value: number, buckets: readonly number[]): number {
  // Linear scan: 15 bounds, and most observations land in the first few.
  for (let i = 0; i < buckets.length; i++) if (value <= buckets[i]!) return i;
  return buckets.length;
}
