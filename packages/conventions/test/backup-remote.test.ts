import { describe, expect, it } from 'vitest';
import { AGE_RECIPIENT_PATTERN, parseRemote, parseS3Remote, REMOTE_USER_PATTERN } from '../src/index.js';

// The host and path patterns are tried case by case against [backup] remote in config's
// shared-patterns test, so that the setting and backup's options stay in step.
describe('backup remote shapes', () => {
  it('takes user@host:/path apart, the host without brackets', () => {
    expect(parseRemote('backup@nas.example:/srv/keepwatch')).toEqual({
      user: 'backup',
      host: 'nas.example',
      path: '/srv/keepwatch',
    });
    expect(parseRemote('backup@[2001:db8::1]:/srv/kw')).toEqual({
      user: 'backup',
      host: '2001:db8::1',
      path: '/srv/kw',
    });
    expect(parseRemote('backup@2001:db8::1:/srv/kw')).toBeUndefined();
    expect(parseRemote('-oProxyCommand=x@nas:/srv')).toBeUndefined();
  });

  it('takes s3://BUCKET/PREFIX apart and says which part is wrong', () => {
    expect(parseS3Remote('s3://kw-backups/hosts/app1/')).toEqual({ bucket: 'kw-backups', prefix: 'hosts/app1' });
    expect(parseS3Remote('s3://kw-backups')).toEqual({ bucket: 'kw-backups', prefix: '' });
    expect(parseS3Remote('s3://kw-backups/')).toEqual({ bucket: 'kw-backups', prefix: '' });
    expect(parseS3Remote('s3://kw_backups!/x')).toEqual({ problem: 'bucket' });
    expect(parseS3Remote(`s3://${'b'.repeat(64)}`)).toEqual({ problem: 'bucket' });
    expect(parseS3Remote('s3:///prefix')).toEqual({ problem: 'bucket' });
    expect(parseS3Remote('s3://b1/a//b')).toEqual({ problem: 'prefix' });
    expect(parseS3Remote('s3://b1/.hidden')).toEqual({ problem: 'prefix' });
    expect(parseS3Remote('backup@nas:/srv')).toBeUndefined();
  });

  it('refuses a user ssh would read as an option', () => {
    expect(REMOTE_USER_PATTERN.test('backup')).toBe(true);
    expect(REMOTE_USER_PATTERN.test('-oProxyCommand=x')).toBe(false);
  });

  it('takes age and ssh public keys as recipients, nothing else', () => {
    expect(AGE_RECIPIENT_PATTERN.test(`age1${'q'.repeat(58)}`)).toBe(true);
    expect(AGE_RECIPIENT_PATTERN.test('ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAI comment')).toBe(true);
    expect(AGE_RECIPIENT_PATTERN.test('AGE-SECRET-KEY-1XYZ')).toBe(false);
  });
});
