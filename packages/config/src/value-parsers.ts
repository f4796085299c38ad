import { createRequire } from 'node:module';
import { isIP } from 'node:net';

/**
 * What one setting's text (from the file or the environment) becomes: its typed value, or a
 * message that says what is expected. A parser for a secret-bearing setting never repeats the
 * value it rejects.
 *
 * Plain functions, not zod schemas: every setting is one string in, one value or one message out,
 * and zod's classic API cost a command's start-up about 100 modules and every locale.
 */
export interface ValueParser<T> {
  parse(raw: string): Parsed<T>;
}

export type Parsed<T> = { ok: true; value: T } | { ok: false; message: string };

/** How a parsed value is shown to a person again (durations as `2s`, not 2000). */
const displays = new WeakMap<object, (value: never) => string>();

export function displayValue(parser: ValueParser<unknown>, value: unknown): unknown {
  const display = displays.get(parser);
  return display && value !== undefined ? display(value as never) : value;
}

export function withDisplay<T>(parser: ValueParser<T>, display: (value: T) => string): ValueParser<T> {
  displays.set(parser, display as (value: never) => string);
  return parser;
}

const show = (raw: string) => JSON.stringify(raw.length > 60 ? `${raw.slice(0, 57)}...` : raw);

export class Rejected {
  constructor(readonly expected: string) {}
}

// Tabs are whitespace like any other; every other control character is a typo or binary junk, and
// a NUL would reach fs calls ([data] dir) as a TypeError instead of a message naming the key.
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what it finds
const CONTROL = /[\x00-\x08\x0a-\x1f\x7f]/;

export function fromText<T>(convert: (raw: string) => T | Rejected, opts: { secret?: boolean } = {}): ValueParser<T> {
  return {
    parse(raw) {
      if (CONTROL.test(raw)) return { ok: false, message: 'expected text without control characters' };
      const result = convert(raw.trim());
      if (result instanceof Rejected) {
        return { ok: false, message: opts.secret ? result.expected : `${result.expected}, got ${show(raw)}` };
      }
      return { ok: true, value: result };
    },
  };
}

/** `parser`, and then `check` on its value: `message` (as is, no value repeated) when it fails. */
export function refine<T>(parser: ValueParser<T>, check: (value: T) => boolean, message: string): ValueParser<T> {
  return {
    parse(raw) {
      const result = parser.parse(raw);
      return !result.ok || check(result.value) ? result : { ok: false, message };
    },
  };
}

export const reject = (expected: string) => new Rejected(expected);

export const text = (opts: { minLength?: number; secret?: boolean; pattern?: RegExp; patternText?: string } = {}) =>
  fromText<string>((raw) => {
    if (raw.length < (opts.minLength ?? 1)) {
      return reject(
        opts.minLength && opts.minLength > 1 ? `expected at least ${opts.minLength} characters` : 'expected a value',
      );
    }
    if (opts.pattern && !opts.pattern.test(raw)) return reject(`expected ${opts.patternText ?? opts.pattern.source}`);
    return raw;
  }, opts);

export const boolean = () =>
  fromText<boolean>((raw) => {
    const v = raw.toLowerCase();
    if (['true', 'yes', 'on', '1'].includes(v)) return true;
    if (['false', 'no', 'off', '0'].includes(v)) return false;
    return reject('expected true or false (yes/no, on/off and 1/0 work too)');
  });

export const integer = (min: number, max: number) =>
  fromText<number>((raw) => {
    if (!/^-?\d+$/.test(raw)) return reject(`expected a whole number from ${min} to ${max}`);
    const n = Number(raw);
    if (n < min || n > max) return reject(`expected a whole number from ${min} to ${max}`);
    return n;
  });

/** A fraction from 0 to 1; `10%` is accepted as 0.1 because people write it that way. */
export const fraction = () =>
  fromText<number>((raw) => {
    const percent = raw.endsWith('%');
    const n = Number(percent ? raw.slice(0, -1) : raw);
    const value = percent ? n / 100 : n;
    if (raw === '' || !Number.isFinite(value) || value < 0 || value > 1) {
      return reject('expected a fraction from 0 to 1 (0.1 means 10 % of requests)');
    }
    return value;
  });

/** Microseconds per unit. */
const durationUnits: Record<string, number> = { us: 1, ms: 1000, s: 1_000_000, m: 60_000_000, h: 3_600_000_000 };

/**
 * A duration: `500ms`, `2s`, `1.5m`, `1h`; a bare number means seconds. Parsed to milliseconds.
 * Whole milliseconds unless `fractionalMs`: every consumer but the profiler's interval takes an
 * integer (zod's `.int()` in health, metrics, backup), so `1.5ms` is refused here rather than there.
 */
export const duration = (minMs: number, maxMs: number, opts: { fractionalMs?: boolean } = {}) =>
  withDisplay(
    fromText<number>((raw) => {
      const match = /^(\d{1,12})(?:\.(\d{1,9}))?\s*(us|ms|s|m|h)?$/.exec(raw.toLowerCase());
      const examples = opts.fractionalMs ? '500us, 1ms or 2.5ms' : '500ms, 2s, 5m or 1h';
      const expected = `expected a duration from ${formatMs(minMs)} to ${formatMs(maxMs)} such as ${examples}`;
      if (!match) return reject(expected);
      const us = exactMicroseconds(match[1]!, match[2] ?? '', durationUnits[match[3] ?? 's']!);
      if (us === undefined) return reject(`${expected}, to the microsecond`);
      const ms = us / 1000;
      if (ms < minMs || ms > maxMs) return reject(expected);
      if (!opts.fractionalMs && us % 1000 !== 0) return reject(`${expected}, in whole milliseconds`);
      return ms;
    }),
    formatMs,
  );

/**
 * `whole.fraction` times `unitUs`, computed on the digits: 1.1 * 1000 is 1100.0000000000002 in
 * floating point, which zod's `.int()` downstream refuses. Undefined when finer than 1 µs.
 */
function exactMicroseconds(whole: string, fraction: string, unitUs: number): number | undefined {
  const scaled = BigInt(whole + fraction) * BigInt(unitUs);
  const divisor = 10n ** BigInt(fraction.length);
  return scaled % divisor === 0n ? Number(scaled / divisor) : undefined;
}

function formatMs(ms: number): string {
  if (ms === 0) return '0';
  if (!Number.isInteger(ms)) return `${Math.round(ms * 1000)}us`;
  if (ms % 3_600_000 === 0) return `${ms / 3_600_000}h`;
  if (ms % 60_000 === 0) return `${ms / 60_000}m`;
  if (ms % 1000 === 0) return `${ms / 1000}s`;
  return `${ms}ms`;
}

const byteUnits: Record<string, number> = {
  b: 1,
  kb: 1e3,
  mb: 1e6,
  gb: 1e9,
  kib: 1024,
  mib: 1024 ** 2,
  gib: 1024 ** 3,
};

/** A size: `50MB`, `1GiB`, `4096`; parsed to bytes, from `min` to `max` (a safe integer: consumers check `.int()`). */
export const bytes = (min: number, max: number) =>
  fromText<number>((raw) => {
    const match = /^(\d{1,16}(?:\.\d{1,9})?)\s*([kmg]i?b|b)?$/.exec(raw.toLowerCase());
    if (!match) return reject('expected a size such as 4096, 50MB or 1GiB');
    const n = Math.floor(Number(match[1]) * byteUnits[match[2] ?? 'b']!);
    if (n < min || n > max) return reject(`expected a size from ${min} bytes to ${formatBytes(max)}`);
    return n;
  });

function formatBytes(n: number): string {
  for (const [unit, size] of [
    ['TiB', 1024 ** 4],
    ['GiB', 1024 ** 3],
    ['MiB', 1024 ** 2],
    ['KiB', 1024],
  ] as const) {
    if (n % size === 0) return `${n / size}${unit}`;
  }
  return `${n} bytes`;
}

export const oneOf = <const T extends readonly string[]>(values: T) =>
  fromText<T[number]>((raw) => {
    const v = raw.toLowerCase();
    return (values as readonly string[]).includes(v) ? v : reject(`expected one of ${values.join(', ')}`);
  });

export interface ListenAddress {
  host: string;
  port: number;
}

/** A host name (`localhost`, `app.internal`) or an IPv4 address: what Node's `listen` resolves. */
const LISTEN_HOST =
  /^(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/;

/** `host:port`, `[::1]:port` or `:port` (all interfaces). */
export const listenAddress = () =>
  withDisplay(
    fromText<ListenAddress>((raw) => {
      const match = /^(?:\[([0-9a-fA-F:.]+)\]|([^:[\]]*)):(\d{1,5})$/.exec(raw);
      const expected = 'expected host:port such as 127.0.0.1:8080, [::1]:8080 or 0.0.0.0:8080';
      if (!match) return reject(expected);
      if (match[1] !== undefined && isIP(match[1]) !== 6)
        return reject(`${expected}; [${match[1]}] is no IPv6 address`);
      if (match[2] && !LISTEN_HOST.test(match[2]))
        return reject(`${expected}; the host is no host name or IPv4 address`);
      const port = Number(match[3]);
      if (port > 65535) return reject(expected);
      const host = match[1] ?? (match[2] === '' ? '0.0.0.0' : match[2]!);
      return { host, port };
    }),
    ({ host, port }) => (host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`),
  );

/** Increasing positive numbers separated by commas, e.g. histogram buckets. */
export const increasingNumbers = () =>
  fromText<number[]>((raw) => {
    const parts = raw
      .split(',')
      .map((p) => p.trim())
      .filter((p) => p !== '' && p !== '+Inf');
    const values = parts.map(Number);
    const expected = 'expected increasing positive numbers separated by commas, e.g. 0.01, 0.1, 1, 10';
    if (values.length === 0 || values.some((v) => !Number.isFinite(v) || v <= 0)) return reject(expected);
    if (values.some((v, i) => i > 0 && v <= values[i - 1]!)) return reject(expected);
    return values;
  });

/** Comma-separated non-empty words, each at most `maxLength` characters. */
export const wordList = (opts: { maxLength?: number } = {}) =>
  fromText<string[]>((raw) => {
    const parts = raw
      .split(',')
      .map((p) => p.trim())
      .filter(Boolean);
    if (parts.length === 0) return reject('expected one or more values separated by commas');
    const max = opts.maxLength ?? Infinity;
    return parts.every((p) => p.length <= max) ? parts : reject(`expected values of at most ${max} characters each`);
  });

type CronParser = typeof import('cron-parser').CronExpressionParser;
let cronParser: CronParser | undefined;

/**
 * cron-parser, loaded on the first schedule checked: with luxon it costs a process ~50 ms to
 * load, and most commands (and most configs) check none. `require`, since the check is sync.
 */
function loadCronParser(): CronParser {
  cronParser ??= (createRequire(import.meta.url)('cron-parser') as typeof import('cron-parser')).CronExpressionParser;
  return cronParser;
}

/**
 * A cron expression as BullMQ's job schedulers read it (cron-parser, the library BullMQ uses):
 * five fields, or six with seconds first. Checked here so a typo stops start-up with the key named.
 */
export const cronExpression = () =>
  fromText<string>((raw) => {
    const fields = raw.split(/\s+/).length;
    if (fields < 5 || fields > 6)
      return reject('expected a cron expression of 5 fields (or 6 with seconds), e.g. 0 3 * * *');
    try {
      loadCronParser().parse(raw);
      return raw;
    } catch (error) {
      return reject(`expected a cron expression such as 0 3 * * * (${(error as Error).message})`);
    }
  });

/**
 * Zones every Intl knows, accepted without asking it: a process's first `Intl.DateTimeFormat`
 * loads the ICU time-zone data (~25 ms), and the default is `UTC`.
 */
const ALWAYS_KNOWN_ZONES = new Set(['UTC', 'Etc/UTC']);

/** An IANA time zone such as Europe/Berlin, as Intl knows them. */
export const timeZone = () =>
  fromText<string>((raw) => {
    if (ALWAYS_KNOWN_ZONES.has(raw)) return raw;
    try {
      new Intl.DateTimeFormat('en', { timeZone: raw });
      return raw;
    } catch {
      return reject('expected an IANA time zone such as UTC or Europe/Berlin');
    }
  });
