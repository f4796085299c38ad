import { describe, expect, it } from 'vitest';
import { relativeInside } from '../src/index.js';

describe('relativeInside', () => {
  it('gives the path below the directory, or the empty string for the directory itself', () => {
    expect(relativeInside('/srv/data', '/srv/data')).toBe('');
    expect(relativeInside('/srv/data/', '/srv/data')).toBe('');
    expect(relativeInside('/srv/data', '/srv/data/backups/daily')).toBe('backups/daily');
    expect(relativeInside('/srv/data', '/srv/data/a/../b')).toBe('b');
  });

  it('treats a name that only starts with .. as inside', () => {
    expect(relativeInside('/srv/data', '/srv/data/..cache')).toBe('..cache');
    expect(relativeInside('/srv/data', '/srv/data/...')).toBe('...');
  });

  it('gives undefined for the parent, a sibling sharing the name as prefix, and a way out through ..', () => {
    expect(relativeInside('/srv/data', '/srv')).toBeUndefined();
    expect(relativeInside('/srv/data', '/srv/data-old')).toBeUndefined();
    expect(relativeInside('/srv/data', '/srv/data/../other')).toBeUndefined();
    expect(relativeInside('/srv/data', '/')).toBeUndefined();
  });

  it('resolves relative paths against the working directory', () => {
    expect(relativeInside('data', `${process.cwd()}/data/x`)).toBe('x');
    expect(relativeInside(process.cwd(), 'data')).toBe('data');
  });
});
