import type { BackupRepository, Destination } from '@keepwatch/backup';
import type { Queue } from 'bullmq';
import type { FastifyPluginAsync } from 'fastify';
import type { RedisClient } from '@keepwatch/runtime';
import { backupsRoutes, signedDownloadRoutes } from './backups-routes.js';
import { bearerAuth } from './bearer-auth.js';
import { profilesRoutes } from './profiles-routes.js';

export interface AdminApiOptions {
  /** `[server] admin_token`. */
  token: string;
  /** The instance secret: signs download links. */
  secret: string;
  /** `<data dir>/profiles`. */
  profilesDirectory: string;
  /** Where backups are written (`[backup] destination`). */
  backupDestination: Destination;
  /** The backup repository (`backupRepositoryFromConfig`): what `GET /api/backups` lists. */
  backupRepository: Pick<BackupRepository, 'list'>;
  /** The backup queue, when `[redis] url` is set. */
  backupQueue: Queue | undefined;
  /** The backup queue's Redis connection. */
  queueConnection: RedisClient | undefined;
  /** The sources a backup can be started for (`repository.runnable`): any other is refused. */
  backupSources: readonly string[];
}

/**
 * The admin API, mounted under `/api`. Every route needs the bearer token, except the download
 * of a backup through a link the API signed (it carries its own proof and expiry).
 */
export const adminApi: FastifyPluginAsync<AdminApiOptions> = async (app, options) => {
  const backups = {
    destination: options.backupDestination,
    repository: options.backupRepository,
    queue: options.backupQueue,
    connection: options.queueConnection,
    sources: options.backupSources,
    secret: options.secret,
  };
  await app.register(async (authed) => {
    authed.addHook('onRequest', bearerAuth(options.token));
    await authed.register(profilesRoutes, { directory: options.profilesDirectory });
    await authed.register(backupsRoutes, backups);
  });
  await app.register(signedDownloadRoutes, backups);
};
