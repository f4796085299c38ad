/**
 * Methods kept as their own label value; anything else (WebDAV verbs, garbage from scanners)
 * folds into `other` so a client cannot mint series at will.
 */
const knownMethods = new Set(['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'CONNECT', 'TRACE']);

export const otherMethod = 'other';

export function normalizeMethod(method: string | undefined): string {
  if (method === undefined) return otherMethod;
  if (knownMethods.has(method)) return method;
  const upper = method.toUpperCase();
  return knownMethods.has(upper) ? upper : otherMethod;
}
