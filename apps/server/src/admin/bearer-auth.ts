import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';

const digest = (value: string) => createHash('sha256').update(value).digest();

/**
 * An onRequest hook that lets through only `Authorization: Bearer <token>`. Both sides are
 * hashed first so the comparison takes the same time whatever the length or content of the
 * guess; a missing or malformed header is a 401 like a wrong token, never a 500.
 */
export function bearerAuth(token: string) {
  const expected = digest(token);
  return async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
    const header = request.headers.authorization;
    const match = typeof header === 'string' ? /^Bearer[ ]+(\S+)\s*$/i.exec(header) : null;
    if (match && timingSafeEqual(digest(match[1]!), expected)) return;
    await reply
      .code(401)
      .header('www-authenticate', 'Bearer realm="keepwatch admin"')
      .send({ error: 'unauthorized', message: 'send Authorization: Bearer <[server] admin_token>' });
  };
}
