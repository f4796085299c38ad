import {
  type CounterOptions,
  type GaugeOptions,
  type HistogramOptions,
  counterFamily,
  gaugeFamily,
  histogramFamily,
} from './family-declaration.js';
import { FamilyRegistry } from './family-registry.js';
import {
  CounterHandle,
  type FamilyContext,
  type FleetCounter,
  type FleetGauge,
  type FleetHistogram,
  GaugeHandle,
  HistogramHandle,
} from './fleet-metrics.js';
import type { Flusher } from './flusher.js';
import type { MetricsRedis } from './options.js';
import type { MetricsKeys } from './redis-keys.js';
import type { WriteOp } from './redis-writer.js';
import type { BufferSnapshot, SeriesBuffer } from './series-buffer.js';

/** Declares a service's own families on the store (see the README's "Your own metrics"). */
export interface FamilyDeclarations {
  /**
   * A counter summed over every process of the fleet. Declaring the same family again gives the
   * same handle; another type, labels or help under the name, or a built-in family's name, throws
   * `KW_METRICS_FAMILY_CONFLICT`.
   */
  counter(options: CounterOptions): FleetCounter;
  /** A gauge whose processes' values combine by `aggregate`; see `GaugeOptions`. */
  gauge(options: GaugeOptions): FleetGauge;
  /** A histogram whose buckets are summed over every process. */
  histogram(options: HistogramOptions): FleetHistogram;
}

export interface DeclaredFamiliesOptions {
  keys: MetricsKeys;
  instance: string;
  maxSeriesPerFamily: number;
  /** A histogram's buckets when its declaration names none. */
  buckets: readonly number[];
  processIntervalMs: number;
  processTtlMs: number;
  /** The built-in families' exposed names, which no declared family may take. */
  reserved: ReadonlyMap<string, string>;
  buffer: SeriesBuffer;
  flusher: Flusher;
  state: { closed: boolean };
}

/**
 * The families declared on one store, and what their flushes need besides their values: the
 * metadata that lets any replica render them, and the TTL of this process's own gauge values.
 */
export class DeclaredFamilies implements FamilyDeclarations {
  private readonly registry: FamilyRegistry<CounterHandle | GaugeHandle | HistogramHandle>;
  private readonly context: FamilyContext;
  private readonly refresher: NodeJS.Timeout;

  constructor(private readonly options: DeclaredFamiliesOptions) {
    this.registry = new FamilyRegistry(options.reserved);
    const { keys, instance, maxSeriesPerFamily, buffer, flusher, state } = options;
    this.context = { keys, instance, maxSeries: maxSeriesPerFamily, buffer, flusher, state };
    this.refresher = setInterval(() => this.refresh(), options.processIntervalMs);
    this.refresher.unref();
  }

  counter(options: CounterOptions): FleetCounter {
    return this.registry.declare(counterFamily(options), (family) => new CounterHandle(family, this.context));
  }

  gauge(options: GaugeOptions): FleetGauge {
    return this.registry.declare(gaugeFamily(options), (family) => new GaugeHandle(family, this.context));
  }

  histogram(options: HistogramOptions): FleetHistogram {
    const family = histogramFamily(options, this.options.buckets);
    return this.registry.declare(family, (declared) => new HistogramHandle(declared, this.context));
  }

  /** Whether a flush has metadata to write even with nothing buffered. */
  get isMetaDue(): boolean {
    return this.registry.isMetaDue;
  }

  /** What goes with one flush attempt of `snapshot`: the metadata when due, the own gauges' TTL. */
  extraOps(snapshot: BufferSnapshot): WriteOp[] {
    const { keys, instance, processTtlMs } = this.options;
    const extra = this.registry.takeMetaOps(keys.families);
    const gaugesKey = keys.gauges(instance);
    if (snapshot.deltas.some((delta) => delta.key === gaugesKey)) {
      const now = Date.now();
      extra.push(
        { key: gaugesKey, field: '', op: 'e', value: processTtlMs },
        { key: keys.instances, field: instance, op: 'z', value: now },
        // The index only lists candidates; entries long past any TTL are pruned here.
        { key: keys.instances, field: '', op: 'r', value: now - 10 * processTtlMs },
      );
    }
    return extra;
  }

  /** A write carrying `extra` failed: whether it landed is unknown, and a Redis that restarted lost it. */
  writeFailed(extra: readonly WriteOp[]): void {
    if (extra.length > 0) this.registry.markMetaDue();
  }

  /** Stops the refresh; then, after the last flush, removes this process's own gauge values. */
  stop(): void {
    clearInterval(this.refresher);
  }

  async removeOwn(redis: MetricsRedis): Promise<void> {
    if (!this.registry.handles().some((handle) => handle instanceof GaugeHandle)) return;
    const { keys, instance } = this.options;
    await redis
      .multi()
      .del(keys.gauges(instance))
      .zrem(keys.instances, instance)
      .exec()
      .catch(() => undefined);
  }

  /**
   * Every `processIntervalMs`: the metadata (a Redis restarted without its data lost it) and this
   * process's own gauges in full, whose TTL this renews, in one flush.
   */
  private refresh(): void {
    const { state, buffer, flusher } = this.options;
    if (state.closed || this.registry.size === 0) return;
    this.registry.markMetaDue();
    for (const handle of this.registry.handles()) {
      if (handle instanceof GaugeHandle) buffer.holdAll(handle.ownSlots());
    }
    void flusher.flush();
  }
}
