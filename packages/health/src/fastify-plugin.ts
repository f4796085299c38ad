import type { FastifyPluginAsync, FastifyReply } from 'fastify';
import fp from 'fastify-plugin';
import * as z from 'zod/mini';
import type { HealthChecker } from './health-checker.js';
import { liveResponse, readinessResponse, type HealthResponse } from './health-response.js';
import { healthHttpSchema, toResolvedHttpOptions, type HealthHttpOptions } from './http-options.js';
import { parseOptions } from './options.js';

export interface HealthPluginOptions extends HealthHttpOptions {
  checker: HealthChecker;
  /**
   * Log level of the health routes: load balancers call them every few seconds, which would
   * otherwise fill the access log.
   * @defaultValue 'warn'
   */
  logLevel?: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
}

const pluginSchema = z.extend(healthHttpSchema, {
  checker: z.custom<HealthChecker>(
    (v) => typeof (v as HealthChecker | undefined)?.check === 'function',
    'must be a HealthChecker (createHealthChecker)',
  ),
  logLevel: z._default(z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']), 'warn'),
});

/**
 * Registers `GET`/`HEAD <path>` (readiness, default `/healthcheck/`) and `GET`/`HEAD <path>live`
 * (liveness). Needs nothing else registered on the instance.
 */
const healthPlugin: FastifyPluginAsync<HealthPluginOptions> = async (fastify, options) => {
  const parsed = parseOptions('health plugin options', pluginSchema, options);
  const http = toResolvedHttpOptions(parsed);
  const { logLevel } = parsed;
  const { checker } = options;

  const send = (reply: FastifyReply, response: HealthResponse) => {
    reply.code(response.status).headers(response.headers);
    return response.body === '' ? reply.send() : reply.send(response.body);
  };

  fastify.route({
    method: ['GET', 'HEAD'],
    url: http.path,
    logLevel,
    handler: async (request, reply) =>
      send(reply, await readinessResponse(checker, http, request.headers.authorization)),
  });
  fastify.route({
    method: ['GET', 'HEAD'],
    url: http.livePath,
    logLevel,
    handler: async (_request, reply) => send(reply, liveResponse),
  });
};

/** The Fastify plugin (wrapped with fastify-plugin, so routes honour the caller's prefix). */
export const fastifyHealth = fp(healthPlugin, { fastify: '5.x', name: '@keepwatch/health' });
