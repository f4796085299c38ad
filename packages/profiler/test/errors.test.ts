import { KeepwatchError } from '@keepwatch/errors';
import { describe, expect, it } from 'vitest';
import * as api from '../src/index.js';

// Every error class the package exports, with one instance each: a new class must be added here,
// and the test below fails if two share a code or a code does not match its class.
const instances: KeepwatchError[] = [
  new api.ProfilerOptionsError(['rate: must be from 0 to 1']),
  new api.ProfileFilterError('since', '"soon" is neither …'),
  new api.ProfileFilterConflictError('/users/:id', 'backup'),
  new api.ProfileNotFoundError('x.cpuprofile', '/data/profiles'),
  new api.ProfileFormatError('/data/profiles/x.cpuprofile', 'not JSON'),
];

const expectedCodes: Record<string, string> = {
  ProfilerOptionsError: 'KW_PROFILER_OPTIONS_INVALID',
  ProfileFilterError: 'KW_PROFILE_FILTER_INVALID',
  ProfileFilterConflictError: 'KW_PROFILE_FILTER_CONFLICT',
  ProfileNotFoundError: 'KW_PROFILE_NOT_FOUND',
  ProfileFormatError: 'KW_PROFILE_INVALID',
};

describe('profiler errors', () => {
  it('covers every exported error class', () => {
    const exported = Object.entries(api)
      .filter(([, value]) => typeof value === 'function' && value.prototype instanceof KeepwatchError)
      .map(([name]) => name)
      .sort();
    expect(exported).toEqual(Object.keys(expectedCodes).sort());
    expect(instances.map((e) => e.name).sort()).toEqual(exported);
  });

  it('gives each class its own stable KW_ code', () => {
    for (const error of instances) {
      expect(error).toBeInstanceOf(KeepwatchError);
      expect(error.code).toBe(expectedCodes[error.name]);
      expect(error.code).toMatch(/^KW_[A-Z_]+$/);
    }
    expect(new Set(instances.map((e) => e.code)).size).toBe(instances.length);
  });
});
