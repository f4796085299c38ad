import type { Profiler } from './profiler.js';

/**
 * Runs one job, profiled at the profiler's `taskRate`, and returns (or throws) what it does.
 * The profile's status is `ok` or `failed`; the job's error is passed on untouched.
 *
 *   new Worker(QueueName.backup, (job) => profileTask(profiler, job.name, () => runBackup(job)))
 */
export async function profileTask<T>(profiler: Profiler, name: string, task: () => Promise<T> | T): Promise<T> {
  if (!profiler.shouldSample('task')) return task();
  const capture = profiler.start({ kind: 'task', name });
  if (capture === undefined) return task();
  try {
    const result = await task();
    capture.finish('ok');
    return result;
  } catch (error) {
    capture.finish('failed');
    throw error;
  }
}
