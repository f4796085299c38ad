import { KeepwatchError } from '@keepwatch/errors';
import { describe, expect, it } from 'vitest';
import { ConfigError, ConfigFileError, ConfigFileTooLargeError, DataDirError, SecretFileError } from '../src/index.js';

describe('config errors', () => {
  const cases: [KeepwatchError, string, new (...args: never[]) => KeepwatchError][] = [
    [new ConfigError([{ key: 'a.b', origin: { kind: 'default' }, message: 'x' }]), 'KW_CONFIG_INVALID', ConfigError],
    [
      new ConfigFileError('/x.ini', Object.assign(new Error('x'), { code: 'ENOENT' })),
      'KW_CONFIG_FILE_UNREADABLE',
      ConfigFileError,
    ],
    [new ConfigFileTooLargeError('/dev/zero', 1024 * 1024), 'KW_CONFIG_FILE_TOO_LARGE', ConfigFileTooLargeError],
    [new DataDirError('/d', 'is odd'), 'KW_DATA_DIR_UNUSABLE', DataDirError],
    [new SecretFileError('KW_SECRET_EMPTY', '/d/.secret'), 'KW_SECRET_EMPTY', SecretFileError],
    [new SecretFileError('KW_SECRET_UNREADABLE', '/d/.secret'), 'KW_SECRET_UNREADABLE', SecretFileError],
  ];

  it('each has its own stable code and class name', () => {
    for (const [error, code, cls] of cases) {
      expect(error.code).toBe(code);
      expect(error).toBeInstanceOf(cls);
      expect(error).toBeInstanceOf(KeepwatchError);
      expect(error.name).toBe(cls.name);
    }
    expect(new Set(cases.map(([, code]) => code)).size).toBe(cases.length);
  });
});
