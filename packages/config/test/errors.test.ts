import { describeErrorClasses } from '@keepwatch/test-support/error-classes';
import * as errors from '../src/errors.js';
import * as api from '../src/index.js';

describeErrorClasses('config', {
  api,
  defined: [errors],
  prefix: /^KW_(CONFIG|DATA_DIR|SECRET)_/,
  samples: [
    new api.ConfigError([{ key: 'a.b', origin: { kind: 'default' }, message: 'x' }]),
    new api.ConfigFileError('/x.ini', Object.assign(new Error('x'), { code: 'ENOENT' })),
    new api.ConfigFileTooLargeError('/dev/zero', 1024 * 1024),
    new api.DataDirError('/d', 'is odd'),
    new api.SecretFileError('KW_SECRET_EMPTY', '/d/.secret'),
    new api.SecretFileError('KW_SECRET_UNREADABLE', '/d/.secret'),
  ],
});
