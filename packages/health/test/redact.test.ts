import { describe, expect, it } from 'vitest';
import { redactMessage } from '../src/index.js';

describe('redactMessage', () => {
  it('removes the credentials of URLs, also when the password holds @ / :', () => {
    expect(redactMessage('cannot reach postgres://app:p@ss/w:rd@db:5432/main now')).toBe(
      'cannot reach postgres://[redacted]@db:5432/main now',
    );
    expect(redactMessage('redis://:only-pw@cache:6379')).toBe('redis://[redacted]@cache:6379');
  });

  it('removes password=, token= and JSON password fields, and bearer/basic credentials', () => {
    const out = redactMessage(
      'host=db password=hunter2 user=x token="abc def" {"password":"p\\"q"} Authorization: Bearer t0k.en Basic dXNlcjpwYXNz',
    );
    for (const secret of ['hunter2', 'abc def', 'p\\"q', 't0k.en', 'dXNlcjpwYXNz']) expect(out).not.toContain(secret);
    expect(out).toContain('host=db');
    expect(out).toContain('user=x');
  });

  it('removes secrets it is told about, wherever they appear', () => {
    expect(redactMessage('auth failed for s3cr3t-value', ['s3cr3t-value', ''])).toBe('auth failed for [redacted]');
  });

  it('keeps a message to one line of at most 200 characters', () => {
    const out = redactMessage(`line one\n  line two ${'x'.repeat(500)}`);
    expect(out).not.toContain('\n');
    expect(out.startsWith('line one line two')).toBe(true);
    expect(out.length).toBe(200);
  });

  it('leaves ordinary messages alone', () => {
    expect(redactMessage(`Access denied for user 'root'@'localhost' (using password: YES)`)).toBe(
      `Access denied for user 'root'@'localhost' (using password: YES)`,
    );
  });
});
