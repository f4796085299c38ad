import { MetricsObservationError } from './errors.js';
import type { DeclaredFamily } from './family-declaration.js';
import type { Flusher } from './flusher.js';
import { LabelSets, type LabelValues } from './label-sets.js';
import type { MetricsKeys } from './redis-keys.js';
import { type SeriesBuffer, Slot } from './series-buffer.js';
import { labelsField } from './series-fields.js';
import { type SeriesSlots, bucketIndex, seriesSlots } from './series-names.js';

/** What a declared family's handle records into: the store's own buffer and flusher. */
export interface FamilyContext {
  readonly keys: MetricsKeys;
  readonly instance: string;
  /** The most label sets one family takes in this process (`maxSeriesPerFamily`). */
  readonly maxSeries: number;
  readonly buffer: SeriesBuffer;
  readonly flusher: Flusher;
  /** Set once the store is closed: observations are ignored from then on, as the built-in families' are. */
  readonly state: { closed: boolean };
}

/** A fleet-wide counter: prom-client's `Counter` methods, summed over every process in Redis. */
export interface FleetCounter {
  readonly name: string;
  /** Adds `value` (default 1, never negative) to the series of `labels`. */
  inc(value?: number): void;
  inc(labels: LabelValues, value?: number): void;
  /** The series of one label set, found once (prom-client's `labels()`). */
  labels(labels: LabelValues): { inc(value?: number): void };
  labels(...values: (string | number)[]): { inc(value?: number): void };
}

/** A fleet-wide gauge: prom-client's `Gauge` methods; see `GaugeOptions.aggregate`. */
export interface FleetGauge {
  readonly name: string;
  set(value: number): void;
  set(labels: LabelValues, value: number): void;
  /** Per-process gauges only. */
  inc(value?: number): void;
  inc(labels: LabelValues, value?: number): void;
  /** Per-process gauges only. */
  dec(value?: number): void;
  dec(labels: LabelValues, value?: number): void;
  labels(labels: LabelValues): FleetGaugeSeries;
  labels(...values: (string | number)[]): FleetGaugeSeries;
}

export interface FleetGaugeSeries {
  set(value: number): void;
  inc(value?: number): void;
  dec(value?: number): void;
}

/** A fleet-wide histogram: prom-client's `Histogram.observe`, buckets summed over every process. */
export interface FleetHistogram {
  readonly name: string;
  observe(value: number): void;
  observe(labels: LabelValues, value: number): void;
  labels(labels: LabelValues): { observe(value: number): void };
  labels(...values: (string | number)[]): { observe(value: number): void };
}

type Args = [labels?: LabelValues | number, value?: number];

/** prom-client's overloads: `(value?)` or `(labels, value?)`. */
function split(args: Args): [LabelValues | undefined, number | undefined] {
  const [first, second] = args;
  return typeof first === 'object' ? [first, second] : [undefined, first];
}

function finite(family: string, what: string, value: number): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new MetricsObservationError(`${family}: ${what} takes a finite number, got ${String(value)}`);
  }
  return value;
}

function entryOf<T>(sets: LabelSets<T>, args: readonly unknown[]): T | undefined {
  return typeof args[0] === 'object' && args[0] !== null
    ? sets.byName(args[0] as LabelValues)
    : sets.byPosition(args as (string | number)[]);
}

export class CounterHandle implements FleetCounter {
  readonly name: string;
  private readonly sets: LabelSets<Slot>;

  constructor(
    family: DeclaredFamily,
    private readonly context: FamilyContext,
  ) {
    this.name = family.name;
    const key = context.keys.custom(family.name);
    // HINCRBYFLOAT: prom-client's inc() takes fractions.
    this.sets = new LabelSets(
      family.name,
      family.labelNames,
      context.maxSeries,
      (v) => new Slot(key, labelsField(v), 'f'),
    );
  }

  inc(...args: Args): void {
    const [labels, value] = split(args);
    this.add(this.sets.byName(labels), value);
  }

  labels(...args: unknown[]): { inc(value?: number): void } {
    const slot = entryOf(this.sets, args);
    return { inc: (value) => this.add(slot, value) };
  }

  private add(slot: Slot | undefined, value = 1): void {
    if (!(value >= 0) || value === Number.POSITIVE_INFINITY) {
      throw new MetricsObservationError(
        `${this.name}: a counter only goes up; inc() takes a finite number >= 0, got ${String(value)}`,
      );
    }
    const { state, buffer, flusher } = this.context;
    if (state.closed) return;
    if (slot === undefined) buffer.dropForCardinality();
    else flusher.recordAmount(slot, value);
  }
}

const combiners = {
  last: (_held: number, value: number) => value,
  max: Math.max,
  min: Math.min,
  sum: (held: number, value: number) => held + value,
} as const;

export class GaugeHandle implements FleetGauge {
  readonly name: string;
  private readonly sets: LabelSets<Slot>;
  private readonly perProcess: boolean;
  private readonly combine: (held: number, value: number) => number;

  constructor(
    family: DeclaredFamily,
    private readonly context: FamilyContext,
  ) {
    this.name = family.name;
    const aggregate = family.aggregate ?? 'sum';
    this.perProcess = family.perProcess !== false;
    this.combine = combiners[aggregate];
    const { keys, instance } = context;
    // A process's own values share one hash of its own (with a TTL), named by family and labels;
    // a fleet-wide value lives in the family's hash, as a counter's does.
    const build = this.perProcess
      ? (v: readonly string[]) =>
          new Slot(keys.gauges(instance), `${family.name}\t${labelsField(v)}`, 's', aggregate === 'last')
      : (v: readonly string[]) =>
          new Slot(
            keys.custom(family.name),
            labelsField(v),
            aggregate === 'max' ? 'x' : aggregate === 'min' ? 'n' : 's',
          );
    this.sets = new LabelSets(family.name, family.labelNames, context.maxSeries, build);
  }

  /** This process's own values (those set at least once), for writing them again before their TTL runs out. */
  *ownSlots(): Generator<Slot> {
    if (!this.perProcess) return;
    for (const slot of this.sets.entries()) if (slot.at > 0) yield slot;
  }

  set(...args: [LabelValues | number, number?]): void {
    const [labels, value] = typeof args[0] === 'object' ? [args[0], args[1]] : [undefined, args[0]];
    this.write(this.sets.byName(labels), finite(this.name, 'set()', value as number), false);
  }

  inc(...args: Args): void {
    const [labels, value] = split(args);
    this.write(this.sets.byName(labels), finite(this.name, 'inc()', value ?? 1), true);
  }

  dec(...args: Args): void {
    const [labels, value] = split(args);
    this.write(this.sets.byName(labels), -finite(this.name, 'dec()', value ?? 1), true);
  }

  labels(...args: unknown[]): FleetGaugeSeries {
    const slot = entryOf(this.sets, args);
    return {
      set: (value) => this.write(slot, finite(this.name, 'set()', value), false),
      inc: (value = 1) => this.write(slot, finite(this.name, 'inc()', value), true),
      dec: (value = 1) => this.write(slot, -finite(this.name, 'dec()', value), true),
    };
  }

  private write(slot: Slot | undefined, value: number, add: boolean): void {
    if (add && !this.perProcess) {
      throw new MetricsObservationError(
        `${this.name}: a fleet-wide gauge (perProcess: false) takes set() only; inc() and dec() need a per-process gauge`,
      );
    }
    const { state, buffer, flusher } = this.context;
    if (state.closed) return;
    if (slot === undefined) {
      buffer.dropForCardinality();
      return;
    }
    if (!this.perProcess) {
      flusher.recordSet(slot, value, this.combine, false);
      return;
    }
    // The process's own value lives in the slot, whether or not this write finds room in the buffer.
    slot.delta = add ? slot.delta + value : value;
    slot.at = Date.now();
    flusher.recordSet(slot, slot.delta, this.combine, true);
  }
}

export class HistogramHandle implements FleetHistogram {
  readonly name: string;
  private readonly sets: LabelSets<SeriesSlots>;
  private readonly buckets: readonly number[];

  constructor(
    family: DeclaredFamily,
    private readonly context: FamilyContext,
  ) {
    this.name = family.name;
    this.buckets = family.buckets ?? [];
    const slots = seriesSlots(context.keys.custom(family.name), this.buckets);
    this.sets = new LabelSets(family.name, family.labelNames, context.maxSeries, slots);
  }

  observe(...args: [LabelValues | number, number?]): void {
    const [labels, value] = typeof args[0] === 'object' ? [args[0], args[1]] : [undefined, args[0]];
    this.record(this.sets.byName(labels), value as number);
  }

  labels(...args: unknown[]): { observe(value: number): void } {
    const slots = entryOf(this.sets, args);
    return { observe: (value) => this.record(slots, value) };
  }

  private record(slots: SeriesSlots | undefined, value: number): void {
    finite(this.name, 'observe()', value);
    const { state, buffer, flusher } = this.context;
    if (state.closed) return;
    if (slots === undefined) buffer.dropForCardinality();
    else flusher.record(slots.bucket(bucketIndex(value, this.buckets)), undefined, slots.sum, value);
  }
}
