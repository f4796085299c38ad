import { ensureDataDir, loadOrCreateSecret, type KeepwatchConfig, type ListenAddress } from '@keepwatch/config';
import { openResources, waitForRedis } from '@keepwatch/runtime';
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { buildApp, type BuiltApp } from './build-app.js';
import { ListenError } from './listen-error.js';

export interface StartServerOptions {
  config: Readonly<KeepwatchConfig>;
  logger: Logger;
  /** Overrides `[server] listen` (tests listen on port 0). */
  listen?: ListenAddress;
}

export interface RunningServer {
  app: FastifyInstance;
  /** `http://host:port` actually bound. */
  url: string;
  /**
   * Graceful shutdown: the health check turns 503 at once, the listener stops accepting, requests
   * in flight finish, buffers flush, clients close.
   */
  close(): Promise<void>;
}

export async function startServer(options: StartServerOptions): Promise<RunningServer> {
  const { config, logger } = options;
  await ensureDataDir(config.data.dir);
  const secret = await loadOrCreateSecret(config.data.dir, config.data.secret);
  for (const warning of secret.warnings) logger.warn(warning);
  if (secret.source === 'generated')
    logger.info({ dir: config.data.dir }, 'generated a new instance secret in .secret');

  const resources = openResources(config, logger);
  const listen = options.listen ?? config.server.listen;
  const host = listen.host.includes(':') ? `[${listen.host}]` : listen.host;
  let built: BuiltApp | undefined;
  try {
    // Readiness should not fail in the first milliseconds only because Redis is still connecting;
    // a Redis that stays down is reported by the health check, so this waits a bounded time only.
    if (resources.redis && !(await waitForRedis(resources.redis, config.health.timeout))) {
      logger.warn('redis not reachable at start-up; /healthcheck/ reports 503 until it is');
    }
    built = await buildApp({ config, logger, resources, secret: secret.secret });
    try {
      await built.app.listen({ host: listen.host, port: listen.port });
    } catch (error) {
      throw new ListenError(`${host}:${listen.port}`, error);
    }
  } catch (error) {
    // Whatever failed, nothing opened so far may keep the process alive.
    await built?.close().catch(() => undefined);
    await resources.close().catch(() => undefined);
    throw error;
  }
  const app: BuiltApp = built;
  const address = app.app.server.address();
  const port = typeof address === 'object' && address ? address.port : listen.port;

  let closing: Promise<void> | undefined;
  return {
    app: app.app,
    url: `http://${host}:${port}`,
    close: () => {
      closing ??= (async () => {
        await app.close();
        await resources.close();
      })();
      return closing;
    },
  };
}
