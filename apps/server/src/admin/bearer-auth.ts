import { bearerMatches, bearerTokenDigest } from '@keepwatch/health';
import type { FastifyReply, FastifyRequest } from 'fastify';

/**
 * An onRequest hook that lets through only `Authorization: Bearer <token>`, compared as the
 * health check's admin view compares it (`bearerMatches`: hashed, constant time); a missing or
 * malformed header is a 401 like a wrong token, never a 500.
 */
export function bearerAuth(token: string) {
  const expected = bearerTokenDigest(token);
  return async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
    if (bearerMatches(request.headers.authorization, expected)) return;
    await reply
      .code(401)
      .header('www-authenticate', 'Bearer realm="keepwatch admin"')
      .send({ error: 'unauthorized', message: 'send Authorization: Bearer <[server] admin_token>' });
  };
}
