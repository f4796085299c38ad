import { MetricsObservationError } from './errors.js';

/** Label values by name, as prom-client takes them. */
export type LabelValues = Readonly<Record<string, string | number>>;

interface Node<T> {
  children?: Map<string, Node<T>>;
  entry?: T;
}

/**
 * The label sets one declared family has seen in this process, each built once (its buffer
 * slots), at most `max` of them: a label fed from user input (an id, a path) must not grow the
 * process's memory and Redis without bound. A tree of maps, one level per label, so finding a
 * known set allocates nothing and builds no key string.
 */
export class LabelSets<T> {
  private readonly root: Node<T> = {};
  private readonly known: Set<string>;
  private count = 0;

  constructor(
    private readonly family: string,
    private readonly labelNames: readonly string[],
    private readonly max: number,
    private readonly build: (values: readonly string[]) => T,
  ) {
    this.known = new Set(labelNames);
  }

  get size(): number {
    return this.count;
  }

  /**
   * The entry of a label set given by name; undefined when it is new and the family is full.
   * A missing label is the empty value (which Prometheus treats as no label); an unknown one
   * is an error, as in prom-client.
   */
  byName(labels: LabelValues | undefined): T | undefined {
    if (labels !== undefined) {
      for (const name in labels) if (!this.known.has(name)) throw this.unknown(name);
    }
    const names = this.labelNames;
    let node = this.root;
    for (let i = 0; i < names.length; i++) {
      const next = this.child(node, text(labels?.[names[i]!]));
      if (next === undefined) return undefined;
      node = next;
    }
    return this.entry(node, () => names.map((name) => text(labels?.[name])));
  }

  /** The entry of a label set given as values in `labelNames` order (prom-client's `labels(a, b)`). */
  byPosition(values: readonly (string | number)[]): T | undefined {
    if (values.length !== this.labelNames.length) {
      throw new MetricsObservationError(
        `${this.family} takes ${this.labelNames.length} label values (${this.labelNames.join(', ')}), got ${values.length}`,
      );
    }
    let node = this.root;
    for (const value of values) {
      const next = this.child(node, text(value));
      if (next === undefined) return undefined;
      node = next;
    }
    return this.entry(node, () => values.map(text));
  }

  /** Every entry built so far. */
  *entries(): Generator<T> {
    const stack: Node<T>[] = [this.root];
    while (stack.length > 0) {
      const node = stack.pop()!;
      if (node.entry !== undefined) yield node.entry;
      if (node.children) stack.push(...node.children.values());
    }
  }

  private child(node: Node<T>, value: string): Node<T> | undefined {
    let children = node.children;
    if (children === undefined) {
      if (this.count >= this.max) return undefined;
      children = node.children = new Map();
    }
    let child = children.get(value);
    if (child === undefined) {
      // A new path is a new label set: none is started once the family is full.
      if (this.count >= this.max) return undefined;
      child = {};
      children.set(value, child);
    }
    return child;
  }

  private entry(node: Node<T>, values: () => string[]): T | undefined {
    if (node.entry !== undefined) return node.entry;
    if (this.count >= this.max) return undefined;
    this.count++;
    node.entry = this.build(values());
    return node.entry;
  }

  private unknown(name: string): MetricsObservationError {
    return new MetricsObservationError(
      `${this.family} has no label ${JSON.stringify(name)} (declared: ${this.labelNames.join(', ') || 'none'})`,
    );
  }
}

function text(value: string | number | undefined): string {
  return typeof value === 'string' ? value : value === undefined ? '' : String(value);
}
