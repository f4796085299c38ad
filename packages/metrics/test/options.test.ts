import { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import {
  MetricsOptionsError,
  defaultBuckets,
  resolveExpositionOptions,
  resolveMetricsOptions,
  resolveViewOptions,
} from '../src/index.js';

// Never connected: option validation must not touch the network.
const redis = new Redis({ lazyConnect: true });

function thrown(fn: () => unknown): MetricsOptionsError {
  try {
    fn();
  } catch (error) {
    return error as MetricsOptionsError;
  }
  throw new Error('expected a throw');
}

describe('resolveMetricsOptions', () => {
  it('fills the documented defaults', () => {
    const options = resolveMetricsOptions({ redis });
    expect(options.namespace).toBe('pretix');
    expect(options.keyPrefix).toBe('keepwatch:');
    expect(options.flushIntervalMs).toBe(1000);
    expect(options.buckets).toEqual([...defaultBuckets]);
    expect(options.maxBufferedSeries).toBe(10_000);
    expect(options.instance).toMatch(new RegExp(`:${process.pid}$`));
    expect(Object.isFrozen(options)).toBe(true);
  });

  it('lists every problem at once, naming each option', () => {
    const error = thrown(() =>
      resolveMetricsOptions({
        redis: {} as never,
        namespace: 'has space',
        keyPrefix: 'a{b}',
        flushIntervalMs: -1,
        buckets: [1, 0.5],
        processIntervalMs: 5000,
        processTtlMs: 1000,
      }),
    );
    expect(error).toBeInstanceOf(MetricsOptionsError);
    expect(error.code).toBe('KW_METRICS_OPTIONS_INVALID');
    for (const key of ['redis', 'namespace', 'keyPrefix', 'flushIntervalMs', 'buckets'])
      expect(error.message).toContain(`${key}:`);
  });

  it('checks the process TTL against the publication interval', () => {
    expect(
      thrown(() => resolveMetricsOptions({ redis, processIntervalMs: 5000, processTtlMs: 1000 })).message,
    ).toContain('processTtlMs:');
  });
});

describe('resolveExpositionOptions', () => {
  const store = { read: async () => [], flush: async () => true, options: resolveMetricsOptions({ redis }) };

  it('wants user and passphrase together, and never echoes the passphrase', () => {
    const error = thrown(() => resolveExpositionOptions({ store, passphrase: 'hunter2-secret' }));
    expect(error.message).toContain('passphrase:');
    expect(error.message).not.toContain('hunter2-secret');
  });

  it('rejects a user basic auth cannot carry', () => {
    expect(thrown(() => resolveExpositionOptions({ store, user: 'a:b', passphrase: 'x' })).message).toContain('user:');
  });
});

describe('resolveViewOptions', () => {
  it('leaves out the health check and the metrics endpoint by default', () => {
    expect([...resolveViewOptions().excludePaths]).toEqual(['/healthcheck/', '/metrics']);
    expect(resolveViewOptions().unmatchedName).toBe('__unmatched__');
  });
});
