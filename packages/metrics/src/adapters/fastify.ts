import type { FastifyPluginAsync, FastifyReply, FastifyRequest, onSendHookHandler, RouteOptions } from 'fastify';
import fp from 'fastify-plugin';
import { type MetricsExposition, metricsPath } from '../exposition.js';
import type { ViewRecorder } from '../metrics-store.js';
import { type ViewInstrumentationOptions, resolveViewOptions, viewName } from '../view-options.js';
import { onResponseDone } from './response-timer.js';

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

/** The request decoration holding `performance.now()` at the plugin's `onRequest` hook; 0 until then. */
const startedAt = Symbol('keepwatch.metrics.startedAt');
type StampedRequest = FastifyRequest & { [startedAt]: number };

/** Seconds since the plugin's `onRequest` hook stamped the request. */
function elapsedSeconds(request: FastifyRequest, reply: FastifyReply): number {
  const start = (request as StampedRequest)[startedAt];
  // 0: a hook that ran before the plugin's answered the request. Fastify's own clock runs only
  // when it has a logger or an onResponse hook (elapsedTime is 0 otherwise).
  return start > 0 ? (performance.now() - start) / 1000 : reply.elapsedTime / 1000;
}

/** The route's name as the metrics record it, from its options at registration; see {@link fastifyRouteName}. */
function registeredRouteName(route: RouteOptions): string {
  return route.config?.urlName ?? route.url;
}

/**
 * Records every response of the routes registered after it, on the instance it is registered on
 * and its children (it is wrapped in fastify-plugin so its hooks are not encapsulated).
 * `url_name` is the route's `config.urlName`, else its pattern (`/orders/:id`), never the raw
 * path; requests that matched no route share `unmatchedName`.
 *
 * The cost per request is kept small: no `onResponse` hook (any one makes Fastify put listeners
 * on every response), and the name is worked out once per route, not per request.
 * - `onRequest` stamps the start time into a request decoration.
 * - `onRoute` gives each route registered afterwards its own `onSend` hook that knows its name
 *   (routes whose name is in `excludePaths` get none). Fastify's automatic `HEAD` route of a
 *   `GET` route gets its own and is recorded as `HEAD`.
 * - The same `onRequest` hook gives a request that matched no route a 'finish' listener that
 *   records it (only such requests pay for a listener; a global `onSend` would cost them all).
 *
 * The duration runs from `onRequest` to `onSend`: the reply is serialised but not yet written,
 * as pretix's django-prometheus measures the view, not the socket write. Not recorded: routes
 * registered before the plugin (register it first, and `await` it), replies taken over with
 * `reply.hijack()` or written to `reply.raw` directly. Errors are recorded with the status the
 * error handler sends (`onSend` runs after it).
 */
const plugin: FastifyPluginAsync<FastifyMetricsOptions> = async (fastify, options) => {
  const view = resolveViewOptions(options);
  const { recorder, exposition } = options;
  // Declared once, so every Request keeps one shape; a second registration (another recorder)
  // shares it.
  if (!fastify.hasRequestDecorator(startedAt)) fastify.decorateRequest(startedAt, 0);

  // Callback hooks, not async ones: Fastify runs them without allocating a promise per request.
  // The one global hook: every other global hook would cost every request, and the requests no
  // route matched (their own not-found context, which only global hooks reach) are recorded from
  // a 'finish' listener that only they get.
  fastify.addHook('onRequest', (request, reply, done) => {
    (request as StampedRequest)[startedAt] = performance.now();
    if (request.is404) recordUnmatchedOnFinish(request, reply);
    done();
  });

  const recordUnmatchedOnFinish = (request: FastifyRequest, reply: FastifyReply): void => {
    const urlName = viewName(view, undefined, request.url);
    if (urlName === undefined) return;
    onResponseDone(reply.raw, (statusCode, durationSeconds) => {
      recorder.observeView({ urlName, method: request.method, statusCode, durationSeconds });
    });
  };

  fastify.addHook('onRoute', (route) => {
    const urlName = viewName(view, registeredRouteName(route), undefined);
    if (urlName === undefined) return;
    const existing = route.onSend;
    const hooks = existing === undefined ? [] : Array.isArray(existing) ? existing : [existing];
    const record: onSendHookHandler = function recordView(request, reply, payload, done) {
      recorder.observeView({
        urlName,
        method: request.method,
        statusCode: reply.statusCode,
        durationSeconds: elapsedSeconds(request, reply),
      });
      done(null, payload);
    };
    // A new array: the route's own array may be shared with other routes (its HEAD route, which
    // Fastify builds from the options as given, before any onRoute hook, so it gets its own).
    route.onSend = [...hooks, record];
  });

  if (exposition?.enabled) {
    fastify.get(metricsPath, async (request, reply) => {
      const result = await exposition.scrape({ authorization: request.headers.authorization, accept: request.headers.accept });
      return reply.code(result.status).headers(result.headers).send(result.body);
    });
  }
};

export const fastifyMetrics = fp(plugin, { fastify: '5.x', name: '@keepwatch/metrics' });
