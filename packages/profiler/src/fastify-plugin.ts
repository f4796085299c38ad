import type { FastifyPluginCallback, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import type { Profiler } from './profiler.js';
import { defaultUrlName } from './url-name.js';

export interface ProfilerPluginOptions {
  /** The process's profiler; its `rate` decides which requests are profiled. */
  profiler: Profiler;
  /**
   * Names a request's route for the file name and metadata; pass the metrics package's own
   * function so profiles and metrics agree.
   * @defaultValue the route's `config.name`, else its pattern, else `unmatched`
   */
  urlName?: (request: FastifyRequest) => string;
}

const plugin: FastifyPluginCallback<ProfilerPluginOptions> = (fastify, options, done) => {
  const { profiler, urlName = defaultUrlName } = options;
  // At rate 0 the plugin adds nothing at all, so unsampled servers pay nothing per request.
  if (profiler.options.rate === 0) {
    done();
    return;
  }
  // A callback-style hook: an async one costs a promise on every request, sampled or not.
  fastify.addHook('onRequest', (request, reply, next) => {
    if (!profiler.shouldSample('request')) {
      next();
      return;
    }
    const capture = profiler.start({ kind: 'request', name: urlName(request), method: request.method });
    if (capture !== undefined) {
      // The end is the sampled response's own 'finish' (sent: what Fastify's onResponse waits
      // for) or 'close' without it (the client went away), rather than an onResponse hook: with
      // one, Fastify attaches response listeners on every request, ~9 % more CPU per request
      // on the benchmark's small route, where profiling needs them on sampled ones only.
      // finish() counts once, so the 'close' that follows every 'finish' changes nothing.
      const response = reply.raw;
      response.once('finish', () => capture.finish(reply.statusCode));
      response.once('close', () => capture.finish('aborted'));
    }
    next();
  });
  done();
};

/**
 * Profiles a random fraction of requests (`rate`), from `onRequest` to the response being sent.
 * Registered with fastify-plugin, so it covers every route of the instance it is registered on.
 */
export const profilerPlugin = fp(plugin, { fastify: '5.x', name: '@keepwatch/profiler' });
