import { describe, expect, it } from 'vitest';
import { KeepwatchError, errorMessage, isKeepwatchError } from '../src/index.js';

class ExampleError extends KeepwatchError<'KW_EXAMPLE'> {
  constructor(message: string, cause?: unknown) {
    super('KW_EXAMPLE', message, { cause });
  }
}

describe('KeepwatchError', () => {
  it('carries its code, the subclass name and the cause', () => {
    const cause = new Error('socket closed');
    const error = new ExampleError('[database] url: cannot connect', cause);
    expect(error.code).toBe('KW_EXAMPLE');
    expect(error.name).toBe('ExampleError');
    expect(error.cause).toBe(cause);
    expect(error).toBeInstanceOf(Error);
    expect(isKeepwatchError(error)).toBe(true);
    expect(JSON.parse(JSON.stringify(error))).toEqual({
      name: 'ExampleError',
      code: 'KW_EXAMPLE',
      message: '[database] url: cannot connect',
    });
  });

  it('does not take a plain error or a foreign code for its own', () => {
    expect(isKeepwatchError(new Error('x'))).toBe(false);
    expect(isKeepwatchError(Object.assign(new Error('x'), { code: 'ECONNREFUSED' }))).toBe(false);
  });

  it('errorMessage never throws on odd values', () => {
    const circular: Record<string, unknown> = {};
    circular.self = circular;
    expect(errorMessage(new Error('boom'))).toBe('boom');
    expect(errorMessage('plain')).toBe('plain');
    expect(errorMessage(circular)).toBe('[object Object]');
    expect(errorMessage(undefined)).toBe('undefined');
  });
});
