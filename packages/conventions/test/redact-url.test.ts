import { describe, expect, it } from 'vitest';
import { REDACTED, redactUrl, urlPasswords } from '../src/index.js';

describe('redactUrl', () => {
  it('hides the password, credential-like parameters and the fragment', () => {
    expect(redactUrl('postgres://app:pw1@db/app?sslmode=require&sslpassword=pw2&p%61ss=pw3#frag')).toBe(
      'postgres://app:***@db/app?sslmode=require&sslpassword=***&p%61ss=***#***',
    );
  });

  it('shows no part of what is no URL', () => {
    expect(redactUrl('postgres://app:pw@db:port/app')).toBe(REDACTED);
  });
});

describe('urlPasswords', () => {
  it('gives the password as written and as decoded, for scrubbing either from a message', () => {
    expect(urlPasswords('postgres://app:p%40ss@db/app')).toEqual(['p%40ss', 'p@ss']);
    expect(urlPasswords('postgres://app:plain@db/app')).toEqual(['plain']);
    expect(urlPasswords('postgres://app:p%ZZ@db/app')).toEqual(['p%ZZ']);
  });

  it('gives nothing for a URL without a password or a libpq key=value string', () => {
    expect(urlPasswords('postgres://app@db/app')).toEqual([]);
    expect(urlPasswords('host=db password=secret')).toEqual([]);
  });
});
