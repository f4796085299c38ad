import { exposedNames } from './family-declaration.js';

/**
 * The documented metric families. Names and label sets are a contract with dashboards and
 * alerts (they match pretix's), so they live here as data; the namespace is the only variable.
 */
export type FamilyType = 'counter' | 'histogram' | 'gauge';

export interface FamilySpec {
  /** Stable id, also the Redis hash name: renaming the namespace does not move data. */
  readonly id: string;
  /** Name without the namespace, e.g. `view_requests_total`. */
  readonly suffix: string;
  readonly type: FamilyType;
  readonly labels: readonly string[];
  readonly help: string;
}

export const viewRequests: FamilySpec = {
  id: 'view_requests',
  suffix: 'view_requests_total',
  type: 'counter',
  labels: ['url_name', 'method', 'status_code'],
  help: 'Requests answered, by route name, method and status code.',
};

export const viewDurations: FamilySpec = {
  id: 'view_durations',
  suffix: 'view_durations_seconds',
  type: 'histogram',
  labels: ['url_name', 'method', 'status_code'],
  help: 'Time from receiving a request to finishing its response, in seconds.',
};

export const taskRuns: FamilySpec = {
  id: 'task_runs',
  suffix: 'task_runs_total',
  type: 'counter',
  labels: ['task_name', 'status'],
  help: 'Task runs, by task name and outcome (success, error, expected-error).',
};

export const taskDurations: FamilySpec = {
  id: 'task_durations',
  suffix: 'task_duration_seconds',
  type: 'histogram',
  labels: ['task_name'],
  help: 'Duration of successful task runs, in seconds.',
};

export const modelInstances: FamilySpec = {
  id: 'model_instances',
  suffix: 'model_instances',
  type: 'gauge',
  labels: ['model'],
  help: 'Rows per table of the application database (exact below a threshold, else the planner estimate).',
};

export const droppedObservations: FamilySpec = {
  id: 'dropped_observations',
  suffix: 'metrics_dropped_observations_total',
  type: 'counter',
  labels: ['reason'],
  help: 'Observations dropped: reason="buffer" when the in-process buffer was full while Redis was unreachable, reason="cardinality" when a declared family had reached maxSeriesPerFamily label sets.',
};

/** The reasons of `droppedObservations`, each shown from 0 so that increase() sees the first drop. */
export const dropReasons = ['buffer', 'cardinality'] as const;

/** Families stored in Redis hashes, in the order they are rendered. */
export const storedFamilies: readonly FamilySpec[] = [
  viewRequests,
  viewDurations,
  taskRuns,
  taskDurations,
  modelInstances,
  droppedObservations,
];

/** Families a scrape-time collector of this package adds (`queueCollector`), by suffix and type. */
export const scrapeTimeFamilies: ReadonlyArray<Pick<FamilySpec, 'suffix' | 'type'>> = [
  { suffix: 'queue_jobs', type: 'gauge' },
  { suffix: 'queue_oldest_waiting_job_age_seconds', type: 'gauge' },
];

/** Every name the built-in families take in the exposition (a histogram's `_bucket`, …), and the family's name. */
export function builtInNames(namespace: string): Map<string, string> {
  const names = new Map<string, string>();
  for (const { suffix, type } of [...storedFamilies, ...scrapeTimeFamilies]) {
    const name = `${namespace}_${suffix}`;
    for (const exposed of exposedNames(name, type)) names.set(exposed, name);
  }
  return names;
}

export const taskStatuses = ['success', 'error', 'expected-error'] as const;
export type TaskStatus = (typeof taskStatuses)[number];

/** The histogram buckets pretix uses (seconds), `+Inf` implied. */
export const defaultBuckets: readonly number[] = [
  0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10, 30,
];
