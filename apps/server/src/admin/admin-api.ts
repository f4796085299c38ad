import type { FastifyPluginAsync } from 'fastify';
import { bearerAuth } from './bearer-auth.js';
import { profilesRoutes } from './profiles-routes.js';

export interface AdminApiOptions {
  /** `[server] admin_token`. */
  token: string;
  /** `<data dir>/profiles`. */
  profilesDirectory: string;
}

/** The token-protected admin API, mounted under `/api`. Every route needs the bearer token. */
export const adminApi: FastifyPluginAsync<AdminApiOptions> = async (app, options) => {
  app.addHook('onRequest', bearerAuth(options.token));
  await app.register(profilesRoutes, { directory: options.profilesDirectory });
};
