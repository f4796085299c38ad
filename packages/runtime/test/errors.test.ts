import { describeErrorClasses } from '@keepwatch/test-support/error-classes';
import * as errors from '../src/errors.js';
import * as api from '../src/index.js';

describeErrorClasses('runtime', {
  api,
  defined: [errors],
  prefix: /^KW_(USAGE$|RUNTIME_)/,
  samples: [
    new api.UsageError('unknown option --colour'),
    new api.DatabaseUrlError('expected a user name in the URL (postgres://USER:PASSWORD@HOST:5432/NAME)'),
  ],
});
