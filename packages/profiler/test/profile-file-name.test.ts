import { describe, expect, it } from 'vitest';
import { formatProfileStem, parseProfileFileName, profileLabel } from '../src/profile-file-name.js';

describe('profile file names', () => {
  it('put time, duration, kind, name and status where ls shows them, and read back', () => {
    const startedAt = new Date('2025-03-14T10:15:02.123Z');
    const stem = formatProfileStem({
      startedAt,
      durationMs: 245.4,
      kind: 'request',
      label: profileLabel('request', '/users/:id/avatar', 'GET'),
      status: '200',
      pid: 4711,
    });
    expect(stem).toMatch(/^20250314T101502\.123Z_245ms_request_GET-users-id-avatar_200_p4711-[0-9a-f]{6}$/);
    expect(parseProfileFileName(`${stem}.cpuprofile`)).toMatchObject({
      stem,
      startedAt,
      durationMs: 245,
      kind: 'request',
      label: 'GET-users-id-avatar',
      status: '200',
      pid: 4711,
    });
    expect(parseProfileFileName(`${stem}.meta.json`)?.stem).toBe(stem);
  });

  it('sort by start time when listed by name', () => {
    const names = ['2025-03-14T10:15:02.123Z', '2025-03-14T09:59:59.999Z', '2024-12-31T23:00:00.000Z'].map((iso) =>
      formatProfileStem({ startedAt: new Date(iso), durationMs: 1, kind: 'task', label: 'job', status: 'ok', pid: 1 }),
    );
    expect([...names].sort()).toEqual([names[2], names[1], names[0]]);
  });

  it('squeeze any name into safe characters, never a path', () => {
    expect(profileLabel('request', '/', 'GET')).toBe('GET-root');
    expect(profileLabel('task', '../../etc/passwd', undefined)).toBe('etc-passwd');
    expect(profileLabel('task', 'backup_database', undefined)).toBe('backup-database');
    expect(profileLabel('task', 'x'.repeat(200), undefined)).toHaveLength(80);
  });

  it('ignore files that are not profiles', () => {
    for (const name of [
      'README.txt',
      'x.cpuprofile',
      '.20250314T101502.123Z_1ms_task_a_ok_p1-abcdef.cpuprofile.tmp-123456',
    ]) {
      expect(parseProfileFileName(name)).toBeUndefined();
    }
  });
});
