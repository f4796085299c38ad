import { fromText, reject } from './value-parsers.js';

/**
 * An http:// or https:// URL a notification goes to. Its path or query is often the secret (a
 * healthchecks.io check's UUID, a push token), so a rejection never repeats it, and the setting
 * is marked secret. With `placeholder`, `{source}` may stand anywhere for a backup source's name.
 */
export const notificationUrl = (opts: { placeholder?: boolean } = {}) =>
  fromText<string>(
    (raw) => {
      const expected = `expected an http:// or https:// URL${opts.placeholder ? ' (with {source} for the source name, if you like)' : ''}`;
      let url: URL;
      try {
        url = new URL(opts.placeholder ? raw.replace(/\{source\}/gi, 'source') : raw);
      } catch {
        return reject(expected);
      }
      if (url.protocol !== 'http:' && url.protocol !== 'https:') return reject(expected);
      if (!opts.placeholder && /\{source\}/i.test(raw)) return reject(`${expected}; {source} works in ping_url only`);
      return raw;
    },
    { secret: true },
  );
