import { describeErrorClasses } from '@keepwatch/test-support/error-classes';
import * as errors from '../src/errors.js';
import * as listenError from '../src/listen-error.js';

describeErrorClasses('server', {
  api: { ...errors, ...listenError },
  defined: [errors, listenError],
  prefix: /^KW_(JOB_QUEUE|SERVER)_/,
  samples: [
    new errors.JobQueueUnavailableError('the job queue (Redis) is unreachable: try again once Redis is back'),
    new listenError.ListenError('127.0.0.1:80', Object.assign(new Error('listen EACCES'), { code: 'EACCES' })),
  ],
});
