import { bucketField, labelsField, sumField } from './series-fields.js';
import type { Slot } from './series-buffer.js';

/** The buffer slots of one label set of one family. */
export interface SeriesSlots {
  /** The series itself (counter or gauge), or a histogram's `_count`-free base: its labels. */
  readonly value: Slot;
  /** A histogram's sum. */
  readonly sum: Slot;
  /** A histogram's bucket `index` (`buckets.length` is `+Inf`). */
  bucket(index: number): Slot;
}

interface Node {
  children?: Map<string, Node>;
  slots?: SeriesSlots;
}

/**
 * Slots per label set of one family, built once: the request path then only walks a tree of
 * maps (one level per label, so no key string is built) instead of serialising JSON and
 * concatenating strings on every observation. Cleared whole when it grows past `maxEntries`,
 * which only costs rebuilding the slots of label sets still in use.
 */
export class SeriesSlotCache {
  private root: Node = {};
  private size = 0;
  private readonly bounds: readonly number[];

  constructor(
    private readonly key: string,
    buckets: readonly number[],
    private readonly maxEntries = 4096,
  ) {
    this.bounds = [...buckets, Number.POSITIVE_INFINITY];
  }

  get(values: readonly string[]): SeriesSlots {
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
    if (!node.slots) {
      if (this.size >= this.maxEntries) {
        this.root = {};
        this.size = 0;
        return this.get(values);
      }
      node.slots = this.build(values);
      this.size++;
    }
    return node.slots;
  }

  private build(values: readonly string[]): SeriesSlots {
    const { key, bounds } = this;
    const labels = labelsField(values);
    const buckets: Array<Slot | undefined> = [];
    return {
      value: { key, field: labels, float: false },
      sum: { key, field: sumField(labels), float: true },
      bucket: (index) => (buckets[index] ??= { key, field: bucketField(labels, bounds[index]!), float: false }),
    };
  }
}

/** Index of the smallest bound that holds `value`; `buckets.length` past the last (`+Inf`). */
export function bucketIndex(value: number, buckets: readonly number[]): number {
  // Linear scan: 15 bounds, and most observations land in the first few.
  for (let i = 0; i < buckets.length; i++) if (value <= buckets[i]!) return i;
  return buckets.length;
}
