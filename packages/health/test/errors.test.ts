import { describeErrorClasses } from '@keepwatch/test-support/error-classes';
import { expect, it } from 'vitest';
import * as errors from '../src/errors.js';
import * as api from '../src/index.js';

describeErrorClasses('health', {
  api,
  defined: [errors],
  prefix: /^KW_HEALTH_/,
  samples: [
    new errors.HealthOptionsError('health checker options', ['timeoutMs: too small']),
    new errors.ProbeTimeoutError('postgres', 2000),
    new errors.HealthDeadlineError(2500),
    new errors.ProbeFailedError('cache', 'read back a different value'),
    new errors.ProbeClientNotReadyError('redis', 'reconnecting'),
    new errors.ShuttingDownError(),
    new errors.HealthDependencyMissingError('pg', 'postgresProbe({ connection })'),
  ],
});

it('keeps the cause', () => {
  const cause = new Error('Cannot find package pg');
  expect(new errors.HealthDependencyMissingError('pg', 'x', { cause }).cause).toBe(cause);
});
