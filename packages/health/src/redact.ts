/**
 * Error messages end up in JSON for admins and in logs, so whatever a driver put in them is
 * scrubbed first: credentials in URLs, `password=` pairs of connection strings, bearer tokens,
 * and any secret the caller knows about. Best effort by nature, which is why probes built from
 * connection settings also pass their own password in `secrets`.
 */
const MAX_LENGTH = 200;
const REDACTED = '[redacted]';

// Greedy up to the last `@` of the token: a password may itself contain `@`, `/` or `:`.
const URL_USERINFO = /\b([a-z][a-z0-9+.-]*:\/\/)\S*@/gi;
const KEY_VALUE = /\b(password|passwd|pwd|secret|token|api[_-]?key)(\s*=\s*)("[^"]*"|'[^']*'|[^\s;&,]+)/gi;
const JSON_FIELD = /("(?:password|passwd|pwd|secret|token)"\s*:\s*)"(?:[^"\\]|\\.)*"/gi;
const BEARER = /\b(bearer|basic)\s+[a-z0-9._~+/=-]+/gi;

/** A short, single-line message that is safe to show an admin and to log. */
export function redactMessage(message: string, secrets: readonly string[] = []): string {
  let text = message;
  for (const secret of secrets) {
    if (secret.length > 0) text = text.split(secret).join(REDACTED);
  }
  text = text
    .replace(URL_USERINFO, `$1${REDACTED}@`)
    .replace(KEY_VALUE, `$1$2${REDACTED}`)
    .replace(JSON_FIELD, `$1"${REDACTED}"`)
    .replace(BEARER, `$1 ${REDACTED}`)
    .replace(/\s+/g, ' ')
    .trim();
  return text.length > MAX_LENGTH ? `${text.slice(0, MAX_LENGTH - 1)}…` : text;
}
