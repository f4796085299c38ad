import type { JobHandlers } from './job-router.js';
import { backupHandlers } from './jobs/backup.js';
import { modelInstancesHandlers } from './jobs/model-instances.js';
import type { WorkerContext } from './worker-context.js';

/** Every job the worker runs, by name; each file under jobs/ contributes its own. */
export function buildHandlers(context: WorkerContext): JobHandlers {
  return {
    ...backupHandlers(context),
    ...modelInstancesHandlers(context),
  };
}
