import { MaintenanceJobName } from '@keepwatch/jobs';
import { refreshModelInstances } from '@keepwatch/metrics';
import type { JobHandlers } from '../job-router.js';
import type { WorkerContext } from '../worker-context.js';

/**
 * Recounts the application database's tables for `pretix_model_instances`, on a schedule, so a
 * scrape never scans the database.
 */
export function modelInstancesHandlers({ loaded, resources, metrics, logger }: WorkerContext): JobHandlers {
  const { config } = loaded;
  const database = resources.database;
  if (!metrics || !database) return {};
  return {
    [MaintenanceJobName.refreshModelInstances]: async () => {
      const counts = await refreshModelInstances(metrics, {
        database:
          database.kind === 'postgres'
            ? { kind: 'postgres', client: database.pool }
            : { kind: 'mysql', client: database.pool },
        include: config.metrics.models_include ?? [],
        exclude: config.metrics.models_exclude ?? [],
        exactBelow: config.metrics.models_exact_below,
      });
      logger.debug({ tables: counts.length }, 'model instances refreshed');
      return { tables: counts.length };
    },
  };
}
