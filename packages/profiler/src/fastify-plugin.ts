import type { FastifyPluginCallback, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import type { Capture, Profiler } from './profiler.js';
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

const kCapture = Symbol('keepwatch.profiler.capture');
type WithCapture = { [kCapture]: Capture | null };

const plugin: FastifyPluginCallback<ProfilerPluginOptions> = (fastify, options, done) => {
  const { profiler, urlName = defaultUrlName } = options;
  // At rate 0 the plugin adds nothing at all, so unsampled servers pay nothing per request.
  if (profiler.options.rate === 0) {
    done();
    return;
  }
  fastify.decorateRequest(kCapture, null);

  // Callback-style hooks: an async hook costs a promise on every request, sampled or not.
  fastify.addHook('onRequest', (request, reply, next) => {
    if (!profiler.shouldSample('request')) {
      next();
      return;
    }
    const capture = profiler.start({ kind: 'request', name: urlName(request), method: request.method });
    if (capture !== undefined) {
      (request as unknown as WithCapture)[kCapture] = capture;
      // onResponse runs only once the response is fully sent; a client that goes away first
      // never gets there, so the socket's close ends the capture instead.
      reply.raw.once('close', () => {
        if (!reply.raw.writableFinished) capture.finish('aborted');
      });
    }
    next();
  });

  fastify.addHook('onResponse', (request, reply, next) => {
    const capture = (request as unknown as WithCapture)[kCapture];
    if (capture !== null) capture.finish(reply.statusCode);
    next();
  });
  done();
};

/**
 * Profiles a random fraction of requests (`rate`), from `onRequest` to the response being sent.
 * Registered with fastify-plugin, so it covers every route of the instance it is registered on.
 */
export const profilerPlugin = fp(plugin, { fastify: '5.x', name: '@keepwatch/profiler' });
