import { bucketField, labelsField, sumField } from './series-fields.js';

export interface SeriesNames {
  /** The field of a counter or gauge series. */
  readonly labels: string;
  /** The field of a histogram's sum. */
  readonly sum: string;
  /** The field of histogram bucket `index` (`buckets.length` is `+Inf`). */
  bucket(index: number): string;
}

/**
 * Field names per label set, built once: the request path then only looks them up instead of
 * serialising JSON and concatenating strings on every observation. Cleared whole when it grows
 * past `maxEntries`, which only costs rebuilding names for a label set still in use.
 */
export class SeriesNameCache {
  private readonly entries = new Map<string, SeriesNames>();

  constructor(
    private readonly buckets: readonly number[],
    private readonly maxEntries = 4096,
  ) {}

  get(values: readonly string[]): SeriesNames {
    const cacheKey = values.join('\u0000');
    let names = this.entries.get(cacheKey);
    if (!names) {
      if (this.entries.size >= this.maxEntries) this.entries.clear();
      names = this.build(values);
      this.entries.set(cacheKey, names);
    }
    return names;
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
