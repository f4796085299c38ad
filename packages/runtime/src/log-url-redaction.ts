// A URL's query string can carry a secret (a signed download link's `signature`, a token some
// client puts there), and its user info a password. What a log line shows of a URL keeps the path
// and the parameter names, never a value: a list of secret parameter names would miss the one a
// route adds tomorrow.

const CENSORED = '[redacted]';

/**
 * A URL as a log line may show it: the path and the names of the query parameters, every value
 * `[redacted]` (a parameter without `=` may itself be the secret, so it goes whole), and the
 * password of `scheme://user:password@host` too. The fragment never reaches a server; it goes.
 */
export function redactUrlForLog(url: string): string {
  const hash = url.indexOf('#');
  const withoutFragment = hash === -1 ? url : url.slice(0, hash);
  const question = withoutFragment.indexOf('?');
  const path = redactUserInfo(question === -1 ? withoutFragment : withoutFragment.slice(0, question));
  if (question === -1) return path;
  const query = withoutFragment
    .slice(question + 1)
    .split('&')
    .map((part) => {
      if (part === '') return part;
      const equals = part.indexOf('=');
      return equals === -1 ? CENSORED : `${part.slice(0, equals)}=${CENSORED}`;
    })
    .join('&');
  return `${path}?${query}`;
}

// `?name=value` or `&name=value` anywhere in free text (a message, an error's message or stack).
const QUERY_VALUE = /([?&][^\s?&#="'<>]+=)[^\s&#"'<>]+/g;
// The password of `scheme://user:password@`.
const USER_INFO = /(\b[a-z][a-z0-9+.-]*:\/\/[^\s/?#@:]*:)[^\s/?#@]+@/gi;

/**
 * Free text with every query value and URL password `[redacted]`: for messages and errors, which
 * have no structure to go by. A cheap test first, because every log line passes through here.
 */
export function redactUrlsInText(text: string): string {
  if (!text.includes('=') && !text.includes('@')) return text;
  return text.replace(QUERY_VALUE, `$1${CENSORED}`).replace(USER_INFO, `$1${CENSORED}@`);
}

function redactUserInfo(url: string): string {
  return url.includes('@') ? url.replace(USER_INFO, `$1${CENSORED}@`) : url;
}
