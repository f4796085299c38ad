import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { type MetricsExposition, metricsPath } from '../exposition.js';
import type { ViewRecorder } from '../metrics-store.js';
import { type ViewInstrumentationOptions, resolveViewOptions, viewName } from '../view-options.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The route's `url_name` in keepwatch metrics; defaults to the route's pattern. */
    urlName?: string;
  }
}

export interface FastifyMetricsOptions extends ViewInstrumentationOptions {
  /** Where observations go (a `MetricsStore`). */
  recorder: ViewRecorder;
  /**
   * When given (and enabled), registers `GET /metrics` served by it.
   * @defaultValue `undefined` (no route)
   */
  exposition?: MetricsExposition;
}

/**
 * The route's name as the metrics record it: `config.urlName`, else the route's pattern;
 * `undefined` when no route matched. Other per-request tools (the profiler) call this so their
 * names agree with the metrics.
 */
export function fastifyRouteName(request: FastifyRequest): string | undefined {
  // routeOptions is a getter that builds an object: read it once. No url means no route matched.
  const { config, url } = request.routeOptions;
  return url === undefined ? undefined : (config.urlName ?? url);
}

/**
 * Records every response of the Fastify instance it is registered on (and its children: it
 * is wrapped in fastify-plugin so the hook is not encapsulated). `url_name` is the route's
 * `config.urlName`, else its pattern (`/orders/:id`), never the raw path.
 */
const plugin: FastifyPluginAsync<FastifyMetricsOptions> = async (fastify, options) => {
  const view = resolveViewOptions(options);
  const { recorder, exposition } = options;

  // A callback hook, not an async one: Fastify runs it without allocating a promise per request.
  fastify.addHook('onResponse', (request, reply, done) => {
    const urlName = viewName(view, fastifyRouteName(request), request.url);
    if (urlName !== undefined) {
      recorder.observeView({
        urlName,
        method: request.method,
        statusCode: reply.statusCode,
        durationSeconds: reply.elapsedTime / 1000,
      });
    }
    done();
  });

  if (exposition?.enabled) {
    fastify.get(metricsPath, async (request, reply) => {
      const result = await exposition.scrape({ authorization: request.headers.authorization, accept: request.headers.accept });
      return reply.code(result.status).headers(result.headers).send(result.body);
    });
  }
};

export const fastifyMetrics = fp(plugin, { fastify: '5.x', name: '@keepwatch/metrics' });
