import { describeErrorClasses } from '@keepwatch/test-support/error-classes';
import * as errors from '../src/errors.js';
import * as api from '../src/index.js';

describeErrorClasses('jobs', {
  api,
  defined: [errors],
  prefix: /^KW_JOB_/,
  samples: [new api.JobPayloadError('backup', ['source: Required'])],
});
