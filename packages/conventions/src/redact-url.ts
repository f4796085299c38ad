/** What stands in for a value that may not be shown. */
export const REDACTED = '[redacted]';

/**
 * Query parameters that carry a credential, or say where one is: `password`, `sslpassword`,
 * `sslkey`, `token`, `secret`, `api_key`, a signature. Matched on the name, case-insensitively.
 */
const SECRET_PARAMETER = /pass|pwd|secret|token|key|auth|cred|sig/i;

/**
 * A connection URL as it may be shown or logged: the password of the user info, every
 * credential-like query parameter (`?password=`, `?sslpassword=`, `?sslkey=`) and a fragment
 * become `***`: postgres://app:***@db/app?sslmode=require&sslpassword=***. Not a URL: `[redacted]`.
 */
export function redactUrl(value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return REDACTED;
  }
  if (url.password) url.password = '***';
  if (url.search) url.search = redactQuery(url.search.slice(1));
  if (url.hash) url.hash = '***';
  return url.toString();
}

/**
 * The password of a URL's user info as written and decoded, for scrubbing a driver's messages,
 * which may quote either; empty when `value` is no URL or has no password.
 */
export function urlPasswords(value: string): string[] {
  let password: string;
  try {
    password = new URL(value).password;
  } catch {
    return [];
  }
  if (!password) return [];
  let decoded = password;
  try {
    decoded = decodeURIComponent(password);
  } catch {
    // A stray "%": the driver sees it as written.
  }
  return decoded === password ? [password] : [password, decoded];
}

function redactQuery(query: string): string {
  return query
    .split('&')
    .map((pair) => {
      const name = pair.split('=', 1)[0]!;
      let decoded = name;
      try {
        decoded = decodeURIComponent(name.replace(/\+/g, ' '));
      } catch {
        // A malformed name is shown as it is; its value is still hidden below when it looks secret.
      }
      return SECRET_PARAMETER.test(decoded) ? `${name}=***` : pair;
    })
    .join('&');
}
