import { bucketField, labelsField, sumField } from './series-fields.js';
import { Slot } from './series-buffer.js';

/** The buffer slots of one label set of one family. */
export interface SeriesSlots {
  /** The series itself (counter or gauge), or a histogram's `_count`-free base: its labels. */
  readonly value: Slot;
  /** A histogram's sum. */
  readonly sum: Slot;
  /** A histogram's bucket `index` (`buckets.length` is `+Inf`). */
  bucket(index: number): Slot;
}

interface Node<T> {
  children?: Map<string, Node<T>>;
  entry?: T;
}

/**
 * What each label set of a family (or of several families sharing labels) maps to, built once:
 * the request path then only walks a tree of maps (one level per label, so no key string is
 * built) instead of serialising JSON and concatenating strings on every observation. Cleared
 * whole when it grows past `maxEntries`, which only costs rebuilding the entries still in use.
 */
export class SeriesCache<T> {
  private root: Node<T> = {};
  private size = 0;

  constructor(
    private readonly build: (values: readonly string[]) => T,
    private readonly maxEntries = 4096,
  ) {}

  get(values: readonly string[]): T {
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
    if (node.entry === undefined) {
      if (this.size >= this.maxEntries) {
        this.root = {};
        this.size = 0;
        return this.get(values);
      }
      node.entry = this.build(values);
      this.size++;
    }
    return node.entry;
  }
}

/** Builds the slots of one label set in the family stored under `key`. */
export function seriesSlots(key: string, buckets: readonly number[]): (values: readonly string[]) => SeriesSlots {
  const bounds = [...buckets, Number.POSITIVE_INFINITY];
  return (values) => {
    const labels = labelsField(values);
    const bucketSlots: Array<Slot | undefined> = [];
    return {
      value: new Slot(key, labels, 'i'),
      sum: new Slot(key, sumField(labels), 'f'),
      bucket: (index) => (bucketSlots[index] ??= new Slot(key, bucketField(labels, bounds[index]!), 'i')),
    };
  };
}

/** The slots of one family per label set. */
export class SeriesSlotCache extends SeriesCache<SeriesSlots> {
  constructor(key: string, buckets: readonly number[], maxEntries?: number) {
    super(seriesSlots(key, buckets), maxEntries);
  }
}

/** Index of the smallest bound that holds `value`; `buckets.length` past the last (`+Inf`). */
export function bucketIndex(value: number, buckets: readonly number[]): number {
  // Linear scan: 15 bounds, and most observations land in the first few.
  for (let i = 0; i < buckets.length; i++) if (value <= buckets[i]!) return i;
  return buckets.length;
}
