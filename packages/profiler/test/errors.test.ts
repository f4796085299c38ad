import { describeErrorClasses } from '@keepwatch/test-support/error-classes';
import * as errors from '../src/errors.js';
import * as api from '../src/index.js';

describeErrorClasses('profiler', {
  api,
  defined: [errors],
  prefix: /^KW_PROFILER?_/,
  samples: [
    new api.ProfilerOptionsError(['rate: must be from 0 to 1']),
    new api.ProfileFilterError('since', '"soon" is neither …'),
    new api.ProfileFilterConflictError('/users/:id', 'backup'),
    new api.ProfileNotFoundError('x.cpuprofile', '/data/profiles'),
    new api.ProfileFormatError('/data/profiles/x.cpuprofile', 'not JSON'),
  ],
});
