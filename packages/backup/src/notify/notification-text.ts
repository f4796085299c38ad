const REDACTED = '[redacted]';
/** The longest error text a notification carries: the first lines say what failed. */
const MAX_ERROR = 2000;

// The password of `scheme://user:password@`, and every query value of a URL in free text.
const USER_INFO = /(\b[a-z][a-z0-9+.-]*:\/\/[^\s/?#@:]*:)[^\s/?#@]+@/gi;
const QUERY_VALUE = /([?&][^\s?&#="'<>]+=)[^\s&#"'<>]+/g;

/**
 * An error as a notification may carry it: `KW_CODE: message`, without any of `secrets` (longest
 * first, so a secret holding a shorter one goes whole), URL passwords or query values, cut to
 * 2000 characters. A receiver is a third party: a chat channel, a paging service.
 */
export function errorText(error: unknown, secrets: readonly string[]): { text: string; code: string | null } {
  const code = (error as { code?: unknown } | null)?.code;
  const kwCode = typeof code === 'string' && code.startsWith('KW_') ? code : null;
  let message = error instanceof Error ? error.message : String(error);
  if (kwCode && !message.startsWith(kwCode)) message = `${kwCode}: ${message}`;
  return { text: redactText(message, secrets).slice(0, MAX_ERROR), code: kwCode };
}

export function redactText(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of [...secrets].filter((s) => s.length > 0).sort((a, b) => b.length - a.length)) {
    out = out.split(secret).join(REDACTED);
  }
  return out.replace(USER_INFO, `$1${REDACTED}@`).replace(QUERY_VALUE, `$1${REDACTED}`);
}

/**
 * A notification URL as a log line may show it: scheme and host only. Its path is the secret as
 * often as not (a healthchecks.io check's UUID, an Uptime Kuma push token, a chat webhook's key).
 */
export function redactNotificationUrl(url: URL | string): string {
  try {
    const parsed = typeof url === 'string' ? new URL(url) : url;
    const hidden = parsed.pathname !== '/' || parsed.search !== '' ? `/${REDACTED}` : '/';
    return `${parsed.protocol}//${parsed.host}${hidden}`;
  } catch {
    return REDACTED;
  }
}
