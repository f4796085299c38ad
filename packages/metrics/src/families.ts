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
  labels: [],
  help: 'Observations dropped because the in-process buffer was full while Redis was unreachable.',
};

/** Families stored in Redis hashes, in the order they are rendered. */
export const storedFamilies: readonly FamilySpec[] = [
  viewRequests,
  viewDurations,
  taskRuns,
  taskDurations,
  modelInstances,
  droppedObservations,
];

export const taskStatuses = ['success', 'error', 'expected-error'] as const;
export type TaskStatus = (typeof taskStatuses)[number];

/** The histogram buckets pretix uses (seconds), `+Inf` implied. */
export const defaultBuckets: readonly number[] = [
  0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10, 30,
];
