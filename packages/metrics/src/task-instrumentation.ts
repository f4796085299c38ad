import type { TaskStatus } from './families.js';
import type { TaskRecorder } from './metrics-store.js';

/** An error class, or a class name (to match classes from packages this one does not import). */
export type ExpectedError = (abstract new (...args: never[]) => Error) | string;

export interface TaskInstrumentationOptions {
  /**
   * Errors that are part of the task's contract (`expected-error`, not `error`). A string
   * matches the error's `name`, which is how BullMQ's `UnrecoverableError` is matched without
   * importing bullmq (an optional peer of this package).
   * @defaultValue `['UnrecoverableError']`
   */
  expected?: readonly ExpectedError[];
}

const defaultExpected: readonly ExpectedError[] = ['UnrecoverableError'];

/** The outcome label of a failed run. */
export function errorStatus(error: unknown, expected: readonly ExpectedError[] = defaultExpected): TaskStatus {
  for (const candidate of expected) {
    if (typeof candidate === 'string') {
      if (error instanceof Error && error.name === candidate) return 'expected-error';
    } else if (error instanceof candidate) {
      return 'expected-error';
    }
  }
  return 'error';
}

/**
 * Wraps a function as a task: every call is counted in `task_runs_total` with its outcome, and
 * successful calls are timed into `task_duration_seconds`. The wrapper is always async: it
 * resolves with what the function returns and rejects with what it throws, also when the
 * function is synchronous (its caller must then await the wrapper).
 */
export function instrumentTask<Args extends unknown[], Result>(
  recorder: TaskRecorder,
  taskName: string | ((...args: Args) => string),
  fn: (...args: Args) => Promise<Result> | Result,
  options: TaskInstrumentationOptions = {},
): (...args: Args) => Promise<Result> {
  const expected = options.expected ?? defaultExpected;
  return async (...args: Args): Promise<Result> => {
    const name = typeof taskName === 'string' ? taskName : taskName(...args);
    const start = process.hrtime.bigint();
    const seconds = (): number => Number(process.hrtime.bigint() - start) / 1e9;
    try {
      const result = await fn(...args);
      recorder.observeTask({ taskName: name, status: 'success', durationSeconds: seconds() });
      return result;
    } catch (error) {
      recorder.observeTask({ taskName: name, status: errorStatus(error, expected), durationSeconds: seconds() });
      throw error;
    }
  };
}

/** The part of a BullMQ job the processor wrapper reads. */
export interface JobLike {
  name: string;
}

/**
 * Wraps a BullMQ processor (`new Worker(queue, instrumentProcessor(store, processor))`): each
 * job is a task named after the job (`job.name`), unless `taskName` says otherwise.
 */
export function instrumentProcessor<J extends JobLike, Rest extends unknown[], Result>(
  recorder: TaskRecorder,
  processor: (job: J, ...rest: Rest) => Promise<Result>,
  options: TaskInstrumentationOptions & { taskName?: (job: J) => string } = {},
): (job: J, ...rest: Rest) => Promise<Result> {
  const { taskName = (job: J) => job.name } = options;
  return instrumentTask(recorder, (job: J, ..._rest: Rest) => taskName(job), processor, options);
}
