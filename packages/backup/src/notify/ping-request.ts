import type { NotificationRequest } from './http-delivery.js';

/** What a ping reports: a backup started, succeeded or failed. */
export type PingEvent = 'start' | 'success' | 'fail';

// `new URL()` turns `{source}` in a path into `%7Bsource%7D`, so both spellings are placeholders.
const SOURCE_PLACEHOLDER = /\{source\}|%7Bsource%7D/gi;

/** Uptime Kuma's push monitor: `/api/push/<token>`, with `?status=up|down&msg=…&ping=`. */
const UPTIME_KUMA_PUSH = /\/api\/push\/[^/]+\/?$/;

/** The URL with every `{source}` replaced by the source's name, so each source has a check of its own. */
export function fillSource(template: string, source: string): URL {
  return new URL(template.replace(SOURCE_PLACEHOLDER, encodeURIComponent(source)));
}

/**
 * The request that reports `event` to a dead-man's switch.
 *
 * healthchecks.io (and anything following its convention): `<url>/start`, `<url>`, `<url>/fail`,
 * POSTed with `message` as the body, which healthchecks.io shows in the check's log.
 *
 * An Uptime Kuma push URL (`…/api/push/<token>`) has no path suffixes (`/fail` would be "monitor
 * not found") and no start: success is `?status=up`, failure `?status=down`, each with `msg`.
 * Undefined: nothing to send for this event.
 */
export function pingRequest(
  template: string,
  source: string,
  event: PingEvent,
  message: string,
): NotificationRequest | undefined {
  const url = fillSource(template, source);
  if (UPTIME_KUMA_PUSH.test(url.pathname)) {
    if (event === 'start') return undefined;
    url.searchParams.set('status', event === 'success' ? 'up' : 'down');
    url.searchParams.set('msg', message.slice(0, 200));
    // The URL Uptime Kuma shows ends `&ping=`: an empty ping is no measurement.
    if (url.searchParams.get('ping') === '') url.searchParams.delete('ping');
    return { url, method: 'GET' };
  }
  if (event !== 'success') url.pathname = `${url.pathname.replace(/\/+$/, '')}/${event}`;
  return { url, method: 'POST', body: message, contentType: 'text/plain; charset=utf-8' };
}
