import type { FastifyRequest } from 'fastify';
import { unmatchedUrlName } from './unmatched-url-name.js';

/**
 * A request's url_name: the route's `config.name` when it has one, else its pattern
 * (`/users/:id`), never the raw path, which may hold ids and query strings.
 */
export function defaultUrlName(request: FastifyRequest): string {
  const options = request.routeOptions;
  const configured = (options.config as { name?: unknown } | undefined)?.name;
  if (typeof configured === 'string' && configured !== '') return configured;
  return options.url ?? unmatchedUrlName;
}
