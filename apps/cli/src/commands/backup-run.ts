import { runBackup, type BackupManifest, type BackupSource, type Destination, type BackupOptions } from '@keepwatch/backup';
import {
  backupLockFromConfig,
  backupOptionsFromConfig,
  createRedisClient,
  waitForRedis,
} from '@keepwatch/runtime';
import type { Command } from '../command.js';
import { writeJson } from '../output.js';
import { formatBytes, formatDuration, progressLine, type ProgressLine } from '../progress.js';
import { asUsage, backupSetup, fail, interruptSignal, noPositionals, sourceOption } from './backup-setup.js';

const REDIS_WAIT_MS = 5000;

interface RunInput {
  source: BackupSource;
  destination: Destination;
  options: BackupOptions;
  progress: ProgressLine;
}

/**
 * `keepwatch backup run`: one backup, in this process, under the same per-source Redis lock as
 * the workers, so it never overlaps a scheduled backup of the same source.
 */
export const backupRun: Command = {
  words: ['backup', 'run'],
  summary: 'back up a source now, in this process (waits for a running backup of it); --json prints the manifest',
  args: '[--source database]',
  options: { source: { type: 'string' } },
  run: (context) =>
    asUsage(async () => {
      noPositionals(context);
      const name = sourceOption(context.values, 'database')!;
      const { config } = await context.loadConfig();
      const { destination, sources } = backupSetup(config);
      const source = sources[name as keyof typeof sources];
      if (!source) return fail(context, `backup source "${name}" needs [database] url (KEEPWATCH_DATABASE_URL)`);

      // Without [redis] url there are no workers to collide with (they need Redis), so a lone
      // backup runs without a lock.
      const redis = config.redis.url ? createRedisClient(config.redis.url, 'fast-fail') : undefined;
      const progress = progressLine(context.stderr, `backup ${name}`);
      const interrupt = interruptSignal();
      let manifest: BackupManifest;
      try {
        // Running without the lock could overlap a worker's backup of the same source.
        if (redis && !(await waitForRedis(redis, REDIS_WAIT_MS))) {
          return fail(context, `cannot reach Redis ([redis] url) within ${REDIS_WAIT_MS} ms to take the lock of source "${name}"`);
        }
        const input = { source, destination, options: backupOptionsFromConfig(config), progress };
        manifest = redis
          ? await backupLockFromConfig(config, redis).run(name, (signal) => backupOnce(input, signal), { signal: interrupt.signal })
          : await backupOnce(input, interrupt.signal);
      } finally {
        progress.done();
        interrupt.dispose();
        redis?.disconnect();
      }
      if (context.json) writeJson(context.stdout, manifest);
      else {
        const took = Date.parse(manifest.finishedAt) - Date.parse(manifest.startedAt);
        context.stdout.write(
          `backup ${manifest.id} done: ${formatBytes(manifest.rawBytes)} dumped, ${formatBytes(manifest.storedBytes)} stored ` +
            `(${manifest.compression}${manifest.encryption ? ', age' : ''}) in ${formatDuration(took)}\n`,
        );
      }
      return 0;
    }),
};

function backupOnce(input: RunInput, signal: AbortSignal): Promise<BackupManifest> {
  return runBackup({
    source: input.source,
    destination: input.destination,
    options: input.options,
    signal,
    ...(input.progress.listener ? { onProgress: input.progress.listener } : {}),
  });
}
