import * as z from 'zod/mini';
import { digest } from './bearer-token.js';
import { parseOptions } from './options.js';

export interface HealthHttpOptions {
  /**
   * Path of the readiness check; liveness answers at `<path>live`.
   * @defaultValue '/healthcheck/'
   */
  path?: string;
  /**
   * With `Authorization: Bearer <adminToken>`, the readiness check answers the per-probe JSON
   * (`{ ok, checks }`) instead of an empty body. At least 16 characters.
   * @defaultValue none: always the empty answer
   */
  adminToken?: string;
}

export interface ResolvedHealthHttpOptions {
  readonly path: string;
  readonly livePath: string;
  /** sha256 of the admin token; the token itself is not kept. */
  readonly adminTokenDigest: Buffer | undefined;
}

export const healthHttpSchema = z.object({
  path: z._default(
    z
      .string()
      .check(z.regex(/^\/(?:[^\s?#]*\/)?$/, 'must start and end with "/" and have no query (e.g. "/healthcheck/")')),
    '/healthcheck/',
  ),
  // The message names the key only, never the value.
  adminToken: z.optional(z.string().check(z.minLength(16, 'must be at least 16 characters'))),
});

/** Validates the HTTP adapters' options once; throws `HealthOptionsError` listing every problem. */
export function resolveHealthHttpOptions(options: HealthHttpOptions = {}): ResolvedHealthHttpOptions {
  return toResolvedHttpOptions(parseOptions('health HTTP options', healthHttpSchema, options));
}

export function toResolvedHttpOptions({
  path,
  adminToken,
}: z.output<typeof healthHttpSchema>): ResolvedHealthHttpOptions {
  return Object.freeze({
    path,
    livePath: `${path}live`,
    adminTokenDigest: adminToken === undefined ? undefined : digest(adminToken),
  });
}
