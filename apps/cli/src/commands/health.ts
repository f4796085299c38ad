import { describeRedis } from '@keepwatch/config';
import { createHealthCheckerFromConfig, createLogger, openResources, waitForRedis } from '@keepwatch/runtime';
import type { Command } from '../command.js';
import { formatTable } from '../output.js';

/**
 * `keepwatch health`: runs the same checks as `GET /healthcheck/` from this machine and prints
 * one row per probe; exit 1 when one fails. Useful when the server is down, or to see why a load
 * balancer marks it unhealthy.
 */
export const health: Command = {
  words: ['health'],
  summary: 'run the health checks (database, Redis, cache) and print a table; exit 1 when one fails',
  async run({ loadConfig, print }) {
    const { config } = await loadConfig();
    const logger = createLogger({ name: 'keepwatch', level: 'silent' });
    const resources = openResources(config, logger);
    const checker = createHealthCheckerFromConfig(config, resources);
    try {
      if (resources.redis) await waitForRedis(resources.redis, config.health.timeout);
      const report = await checker.check();
      // Which Redis was checked: one server, the master the Sentinels name, or a Cluster.
      const redis = describeRedis(config);
      print(
        { ...report, redis },
        (r) =>
          `redis: ${redis.summary}\n\n` +
          formatTable(
            ['check', 'status', 'latency', 'error'],
            r.checks.map((c) => [c.name, c.ok ? 'ok' : 'FAIL', `${Math.round(c.latencyMs)} ms`, c.error ?? '']),
          ) +
          (r.ok ? '\nhealthy\n' : '\nunhealthy\n'),
      );
      return report.ok ? 0 : 1;
    } finally {
      await checker.close();
      await resources.close();
    }
  },
};
