import { KeepwatchError } from '@keepwatch/errors';
import { describe, expect, it } from 'vitest';
import * as errors from '../src/errors.js';
import * as api from '../src/index.js';

// One instance of every error class, built as the package builds it.
const samples: Record<keyof typeof errors, KeepwatchError> = {
  HealthOptionsError: new errors.HealthOptionsError('health checker options', ['timeoutMs: too small']),
  ProbeTimeoutError: new errors.ProbeTimeoutError('postgres', 2000),
  HealthDeadlineError: new errors.HealthDeadlineError(2500),
  ProbeFailedError: new errors.ProbeFailedError('cache', 'read back a different value'),
  ProbeClientNotReadyError: new errors.ProbeClientNotReadyError('redis', 'reconnecting'),
  ShuttingDownError: new errors.ShuttingDownError(),
  HealthDependencyMissingError: new errors.HealthDependencyMissingError('pg', 'postgresProbe({ connection })'),
};

const expectedCodes: Record<keyof typeof errors, string> = {
  HealthOptionsError: 'KW_HEALTH_OPTIONS_INVALID',
  ProbeTimeoutError: 'KW_HEALTH_PROBE_TIMEOUT',
  HealthDeadlineError: 'KW_HEALTH_DEADLINE_EXCEEDED',
  ProbeFailedError: 'KW_HEALTH_PROBE_FAILED',
  ProbeClientNotReadyError: 'KW_HEALTH_CLIENT_NOT_READY',
  ShuttingDownError: 'KW_HEALTH_SHUTTING_DOWN',
  HealthDependencyMissingError: 'KW_HEALTH_DEPENDENCY_MISSING',
};

describe('error classes', () => {
  it('has a sample and a code for every class in errors.ts, and exports each one', () => {
    expect(Object.keys(samples).sort()).toEqual(Object.keys(errors).sort());
    for (const name of Object.keys(errors)) expect(api).toHaveProperty(name, errors[name as keyof typeof errors]);
  });

  it('gives each class its own stable KW_HEALTH_ code, name and KeepwatchError base', () => {
    for (const [className, error] of Object.entries(samples)) {
      expect(error).toBeInstanceOf(KeepwatchError);
      expect(error).toBeInstanceOf(errors[className as keyof typeof errors]);
      expect(error.name).toBe(className);
      expect(error.code).toBe(expectedCodes[className as keyof typeof errors]);
      expect(error.code).toMatch(/^KW_HEALTH_[A-Z_]+$/);
      expect(error.message.length).toBeGreaterThan(0);
    }
    const codes = Object.values(samples).map((error) => error.code);
    expect(new Set(codes).size).toBe(codes.length);
  });

  it('keeps the cause', () => {
    const cause = new Error('Cannot find package pg');
    expect(new errors.HealthDependencyMissingError('pg', 'x', { cause }).cause).toBe(cause);
  });
});
