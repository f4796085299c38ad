import { describe, expect, it } from 'vitest';
import { ProfilerOptionsError, createProfiler, profilerDefaults, resolveProfilerOptions } from '../src/index.js';

describe('resolveProfilerOptions', () => {
  it('fills in modest defaults and makes the directory absolute', () => {
    const options = resolveProfilerOptions({ directory: 'data/profiles' });
    expect(options).toMatchObject({
      rate: 0,
      taskRate: 0,
      samplingIntervalUs: 1000,
      maxOverhead: 0.01,
      maxDurationMs: 30_000,
      maxFiles: 100,
      maxBytes: 100 * 1024 * 1024,
    });
    expect(options.directory).toBe(`${process.cwd()}/data/profiles`);
    expect(Object.isFrozen(options)).toBe(true);
    expect(profilerDefaults.rate).toBe(0);
  });

  it('gives jobs the request rate unless they have their own', () => {
    expect(resolveProfilerOptions({ directory: '/p', rate: 0.1 }).taskRate).toBe(0.1);
    expect(resolveProfilerOptions({ directory: '/p', rate: 0.1, taskRate: 0 }).taskRate).toBe(0);
    expect(resolveProfilerOptions({ directory: '/p', rate: 0, taskRate: 1 }).taskRate).toBe(1);
  });

  it('lists every problem at once, by option name', () => {
    let error: unknown;
    try {
      createProfiler({
        directory: '',
        rate: 10,
        taskRate: -0.5,
        samplingIntervalUs: 1.5,
        maxFiles: 0,
        maxBytes: 10,
        maxOverhead: 0,
        onEvent: 'count' as never,
        sampleRate: 0.1,
      } as never);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ProfilerOptionsError);
    const { problems, message, code } = error as ProfilerOptionsError;
    expect(code).toBe('KW_PROFILER_OPTIONS_INVALID');
    for (const key of [
      'directory',
      'rate',
      'taskRate',
      'samplingIntervalUs',
      'maxFiles',
      'maxBytes',
      'maxOverhead',
      'onEvent',
      'sampleRate',
    ]) {
      expect(message).toContain(key);
    }
    expect(problems).toHaveLength(9);
    expect(problems.find((p) => p.startsWith('rate:'))).toMatch(/from 0 to 1/);
  });

  it('rejects a rate that is not a number', () => {
    expect(() => resolveProfilerOptions({ directory: '/p', rate: '0.1' as never })).toThrow(/rate: must be a number/);
  });
});
