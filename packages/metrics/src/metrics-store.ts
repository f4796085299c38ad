import { MetricsStoreClosedError, MetricsStoreUnavailableError } from './errors.js';
import {
  type FamilySpec,
  type TaskStatus,
  builtInNames,
  droppedObservations,
  modelInstances,
  storedFamilies,
  taskDurations,
  taskRuns,
  viewDurations,
  viewRequests,
} from './families.js';
import { DeclaredFamilies, type FamilyDeclarations } from './declared-families.js';
import type { CounterOptions, GaugeOptions, HistogramOptions } from './family-declaration.js';
import type { FleetCounter, FleetGauge, FleetHistogram } from './fleet-metrics.js';
import { LabelCache } from './label-cache.js';
import { Flusher } from './flusher.js';
import { normalizeMethod } from './http-method.js';
import type { MetricFamily } from './metric-family.js';
import { type MetricsOptions, type ResolvedMetricsOptions, resolveMetricsOptions } from './options.js';
import { ProcessMetricsPublisher } from './process-metrics.js';
import { readFleet } from './redis-reader.js';
import { type MetricsKeys, metricsKeys } from './redis-keys.js';
import { writeSnapshot } from './redis-writer.js';
import { type BufferSnapshot, SeriesBuffer, Slot } from './series-buffer.js';
import { labelsField } from './series-fields.js';
import { SeriesCache, SeriesSlotCache, bucketIndex, seriesSlots, type SeriesSlots } from './series-names.js';
import { withTimeout } from './with-timeout.js';

export interface ViewObservation {
  /** The route's name or pattern, never the raw path. */
  urlName: string;
  /** HTTP method; unknown methods fold into `other`. */
  method: string;
  statusCode: number | string;
  durationSeconds: number;
}

/** `view_requests` and `view_durations` of one label set. */
interface ViewSlots {
  requests: Slot;
  durations: SeriesSlots;
}

export interface TaskObservation {
  taskName: string;
  status: TaskStatus;
  /** Recorded in the duration histogram for successful runs only. */
  durationSeconds: number;
}

/** One label set of the view families, resolved once: observing it touches no name or map. */
export interface ViewSeries {
  observe(durationSeconds: number): void;
}

/** What the adapters need: the recorder side of the store. */
export interface ViewRecorder {
  observeView(observation: ViewObservation): void;
  /**
   * The series of one (url_name, method, status), for an adapter that keeps it and observes it
   * again and again (per route and status): cheaper per request than `observeView`.
   */
  viewSeries(urlName: string, method: string, statusCode: number | string): ViewSeries;
}

export interface TaskRecorder {
  observeTask(observation: TaskObservation): void;
}

export interface MetricsStore extends ViewRecorder, TaskRecorder, FamilyDeclarations {
  readonly options: ResolvedMetricsOptions;
  /**
   * Observations dropped by this process: the buffer was full (Redis unreachable for long), or a
   * declared family had reached `maxSeriesPerFamily` label sets.
   */
  readonly droppedObservations: number;
  /**
   * Replaces every `model_instances` series at once (the gauge has one writer: the scheduled
   * job). Awaited, and rejects when Redis is unreachable: the job should fail and retry.
   */
  setModelInstances(counts: Readonly<Record<string, number>>): Promise<void>;
  /**
   * Sends the buffer (and this process's own metrics) now; resolves false (never rejects) when
   * Redis is unreachable or does not answer within `timeoutMs` (the deltas stay buffered).
   */
  flush(): Promise<boolean>;
  /** Reads the whole fleet's families; rejects with `KW_METRICS_STORE_UNAVAILABLE` after `timeoutMs`. */
  read(): Promise<MetricFamily[]>;
  /**
   * Last flush and removal of this process's own series, within `timeoutMs` in all whatever
   * Redis and the client's retry settings do; never rejects. What the client still holds for an
   * unreachable Redis then is the caller's to end: a bounded `quit()`, then `disconnect()`.
   */
  close(): Promise<void>;
}

/** Creates the store and starts its flusher (and process metrics publisher); timers are unref'd. */
export function createMetricsStore(options: MetricsOptions): MetricsStore {
  return new RedisMetricsStore(resolveMetricsOptions(options));
}

class RedisMetricsStore implements MetricsStore {
  private readonly keys: MetricsKeys;
  private readonly buffer: SeriesBuffer;
  private readonly flusher: Flusher;
  private readonly publisher: ProcessMetricsPublisher | undefined;
  /** `view_requests` and `view_durations` share their labels: one walk finds both. */
  private readonly views: SeriesCache<ViewSlots>;
  private readonly taskRuns: SeriesSlotCache;
  private readonly taskDurations: SeriesSlotCache;
  private readonly declared: DeclaredFamilies;
  /** The built-in families' exposed names, which no declared family may take. */
  private readonly reserved: ReadonlyMap<string, string>;
  private readonly state = { closed: false };
  private readonly labels = new LabelCache();
  private closing: Promise<void> | undefined;

  constructor(readonly options: ResolvedMetricsOptions) {
    const { redis, logger } = options;
    this.keys = metricsKeys(options.keyPrefix, options.namespace);
    const slots = (family: FamilySpec) => new SeriesSlotCache(this.keys.family(family.id), options.buckets);
    const requestsKey = this.keys.family(viewRequests.id);
    const durationSlots = seriesSlots(this.keys.family(viewDurations.id), options.buckets);
    // The counter's field is the histogram's labels field: built once, for both.
    this.views = new SeriesCache((values) => {
      const durations = durationSlots(values);
      return { requests: new Slot(requestsKey, durations.value.field, 'i'), durations };
    });
    this.taskRuns = slots(taskRuns);
    this.taskDurations = slots(taskDurations);
    this.buffer = new SeriesBuffer(options.maxBufferedSeries);
    this.reserved = builtInNames(options.namespace);
    this.flusher = new Flusher({
      buffer: this.buffer,
      write: (claimKey, forget, snapshot) => this.write(claimKey, forget, snapshot),
      release: (claimKeys) => redis.del(...claimKeys),
      claimKey: (id) => this.keys.claim(id),
      due: () => this.declared.isMetaDue,
      intervalMs: options.flushIntervalMs,
      logger,
    });
    this.declared = new DeclaredFamilies({
      ...options,
      keys: this.keys,
      reserved: this.reserved,
      buffer: this.buffer,
      flusher: this.flusher,
      state: this.state,
    });
    this.publisher = options.processMetrics
      ? new ProcessMetricsPublisher({
          redis,
          keys: this.keys,
          instance: options.instance,
          intervalMs: options.processIntervalMs,
          ttlMs: options.processTtlMs,
          logger,
        })
      : undefined;
  }

  get droppedObservations(): number {
    return this.buffer.droppedCount;
  }

  counter(options: CounterOptions): FleetCounter {
    return this.declared.counter(options);
  }

  gauge(options: GaugeOptions): FleetGauge {
    return this.declared.gauge(options);
  }

  histogram(options: HistogramOptions): FleetHistogram {
    return this.declared.histogram(options);
  }

  /** One flush attempt: the snapshot, and what must go with it (metadata, this process's gauges' TTL). */
  private async write(claimKey: string, forget: readonly string[], snapshot: BufferSnapshot): Promise<unknown> {
    const extra = this.declared.extraOps(snapshot);
    const droppedKey = this.keys.family(droppedObservations.id);
    try {
      return await writeSnapshot(this.options.redis, { claimKey, droppedKey, forget, snapshot, extra });
    } catch (error) {
      this.declared.writeFailed(extra);
      throw error;
    }
  }

  observeView({ urlName, method, statusCode, durationSeconds }: ViewObservation): void {
    this.recordView(this.viewSlots(urlName, method, statusCode), durationSeconds);
  }

  viewSeries(urlName: string, method: string, statusCode: number | string): ViewSeries {
    const slots = this.viewSlots(urlName, method, statusCode);
    return { observe: (durationSeconds) => this.recordView(slots, durationSeconds) };
  }

  private viewSlots(urlName: string, method: string, statusCode: number | string): ViewSlots {
    return this.views.get([urlName, normalizeMethod(method), String(statusCode)]);
  }

  private recordView({ requests, durations }: ViewSlots, durationSeconds: number): void {
    if (this.state.closed) return;
    const seconds = validSeconds(durationSeconds);
    this.flusher.record(requests, durations.bucket(bucketIndex(seconds, this.options.buckets)), durations.sum, seconds);
  }

  observeTask({ taskName, status, durationSeconds }: TaskObservation): void {
    if (this.state.closed) return;
    const runs = this.taskRuns.get([taskName, status]).value;
    if (status !== 'success') {
      this.flusher.record(runs);
      return;
    }
    const seconds = validSeconds(durationSeconds);
    const histogram = this.taskDurations.get([taskName]);
    this.flusher.record(runs, histogram.bucket(bucketIndex(seconds, this.options.buckets)), histogram.sum, seconds);
  }

  async setModelInstances(counts: Readonly<Record<string, number>>): Promise<void> {
    if (this.state.closed) throw new MetricsStoreClosedError('set model instances');
    const key = this.keys.family(modelInstances.id);
    const multi = this.options.redis.multi().del(key);
    const fields = Object.entries(counts).flatMap(([model, count]) => [labelsField([model]), String(count)]);
    if (fields.length > 0) multi.hset(key, ...fields);
    const results = await multi.exec();
    const failed = results?.find(([error]) => error);
    if (failed) throw failed[0];
  }

  flush(): Promise<boolean> {
    // Publishing this process's own metrics too makes the scraping replica's series current.
    const flushed = Promise.all([this.flusher.flush(), this.publisher?.publish()]).then(([ok]) => ok);
    // A flush stuck behind an unreachable Redis must not hold up a scrape or a shutdown.
    return withTimeout(flushed, this.options.timeoutMs).catch(() => false);
  }

  async read(): Promise<MetricFamily[]> {
    const { redis, namespace, buckets, timeoutMs } = this.options;
    const families = storedFamilies as FamilySpec[];
    try {
      return await withTimeout(
        readFleet({
          redis,
          keys: this.keys,
          namespace,
          buckets,
          families,
          reserved: this.reserved,
          labels: this.labels,
        }),
        timeoutMs,
      );
    } catch (error) {
      throw new MetricsStoreUnavailableError(`cannot read metrics from Redis within ${timeoutMs} ms`, error);
    }
  }

  close(): Promise<void> {
    this.closing ??= this.shutDown();
    return this.closing;
  }

  private async shutDown(): Promise<void> {
    this.state.closed = true;
    this.declared.stop();
    const { timeoutMs, logger, redis } = this.options;
    // This process's own gauge values leave with it, after the last flush that could write them.
    const lastFlush = this.flusher.close().then(async (done) => {
      await this.declared.removeOwn(redis);
      return done;
    });
    // One deadline over both steps, run side by side: bounded one after the other, they took
    // 2 × timeoutMs with Redis down. The client may keep retrying what they sent (ioredis's
    // default: 20 reconnections per command, about 10 s); that is no longer the store's wait.
    const steps = Promise.all([lastFlush, this.publisher?.close().catch(() => undefined)]);
    const flushed = await withTimeout(steps, timeoutMs).then(
      ([done]) => done,
      () => false,
    );
    if (!flushed)
      logger.warn({ timeoutMs }, 'metrics: closed before Redis took the last flush; its observations may be missing');
  }
}

/** A negative or non-finite duration (a clock step, a caller's bug) counts as 0, never NaN. */
function validSeconds(seconds: number): number {
  return Number.isFinite(seconds) && seconds >= 0 ? seconds : 0;
}
