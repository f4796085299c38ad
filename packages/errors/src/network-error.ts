// What a socket says when the peer is gone or cannot be reached (Node's `error.code`).
const UNREACHABLE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
]);

/**
 * True for a socket error code meaning the other side was not reached or went away (refused,
 * reset, timed out, unknown host…), as opposed to an answer that was an error: another attempt
 * may succeed. Shared by the Redis clients' and the S3 storage's outage checks.
 */
export function isUnreachableCode(code: unknown): boolean {
  return typeof code === 'string' && UNREACHABLE_CODES.has(code);
}
