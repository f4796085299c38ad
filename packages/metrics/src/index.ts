export { createMetricsStore } from './metrics-store.js';
export type {
  MetricsStore,
  ViewObservation,
  TaskObservation,
  ViewRecorder,
  ViewSeries,
  TaskRecorder,
} from './metrics-store.js';
export type { FamilyDeclarations } from './declared-families.js';
export type { FleetCounter, FleetGauge, FleetGaugeSeries, FleetHistogram } from './fleet-metrics.js';
export type { CounterOptions, GaugeOptions, HistogramOptions, GaugeAggregate } from './family-declaration.js';
export type { LabelValues } from './label-sets.js';
export { resolveMetricsOptions } from './options.js';
export type { MetricsOptions, ResolvedMetricsOptions, MetricsRedis } from './options.js';
export { createMetricsExposition, resolveExpositionOptions, metricsPath } from './exposition.js';
export type { ExpositionOptions, MetricsExposition, ScrapeResult } from './exposition.js';
export { renderFamilies, wantsOpenMetrics, prometheusContentType, openMetricsContentType } from './render.js';
export type { Rendered } from './render.js';
export type { MetricFamily, MetricSample, ScrapeCollector } from './metric-family.js';
export { resolveViewOptions, defaultUnmatchedName } from './view-options.js';
export type { ViewInstrumentationOptions } from './view-options.js';
export { instrumentTask, instrumentProcessor, errorStatus } from './task-instrumentation.js';
export type { TaskInstrumentationOptions, ExpectedError, JobLike } from './task-instrumentation.js';
export { queueCollector } from './queue-collector.js';
export type { QueueLike } from './queue-collector.js';
export { countModelInstances, refreshModelInstances } from './model-instances.js';
export type { ModelCountOptions, ModelCount, ModelDatabase, PgQueryable, MysqlQueryable } from './model-instances.js';
export { defaultBuckets, taskStatuses } from './families.js';
export type { TaskStatus } from './families.js';
export { normalizeMethod } from './http-method.js';
export {
  MetricsOptionsError,
  MetricsStoreUnavailableError,
  MetricsStoreClosedError,
  ModelCountError,
  MetricsFamilyError,
  MetricsFamilyConflictError,
  MetricsObservationError,
} from './errors.js';
export type { MetricsLogger } from './logger.js';
