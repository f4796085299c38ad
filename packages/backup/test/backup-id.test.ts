import { describe, expect, it } from 'vitest';
import { backupJobPayloadSchema } from '@keepwatch/jobs';
import { BackupIdError, BackupOptionsError, parseBackupId, resolveBackupOptions } from '../src/index.js';
import { createBackupId } from '../src/catalog/backup-id.js';

describe('backup ids', () => {
  it('are <source>-<UTC second>-<6 chars>, sortable and parseable back', () => {
    const id = createBackupId('database', new Date('2026-11-25T03:15:00.123Z'));
    expect(id).toMatch(/^database-20261125T031500Z-[a-z0-9]{6}$/);
    expect(parseBackupId(id)).toMatchObject({
      source: 'database',
      day: '2026-11-25',
      startedAt: new Date('2026-11-25T03:15:00Z'),
    });
    expect(createBackupId('database', new Date())).not.toBe(createBackupId('database', new Date()));
  });

  it.each([
    '../database-20261125T031500Z-ab12cd',
    'database-20261125T031500Z-ab12cd/../../etc',
    'database-20261125T031500Z-AB12CD',
    'database-20261340T031500Z-ab12cd',
    'Database-20261125T031500Z-ab12cd',
    '-20261125T031500Z-ab12cd',
    'database-20261125T031500Z-ab12cd\n',
    '',
  ])('refuses %j', (id) => {
    expect(() => parseBackupId(id)).toThrow(BackupIdError);
  });
});

describe('resolveBackupOptions', () => {
  it('fills in the defaults', () => {
    expect(resolveBackupOptions()).toEqual({
      compression: 'zstd',
      zstdLevel: 3,
      zstdPath: 'zstd',
      encryptTo: [],
      agePath: 'age',
      progressIntervalMs: 250,
      env: {},
    });
  });

  it('lists every problem at once', () => {
    let error: unknown;
    try {
      resolveBackupOptions({
        compression: 'lz4' as never,
        zstdLevel: 40,
        encryptTo: ['not-a-key'],
        progressIntervalMs: 10,
      });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(BackupOptionsError);
    const message = (error as Error).message;
    for (const key of ['compression', 'zstdLevel', 'encryptTo.0', 'progressIntervalMs'])
      expect(message).toContain(`${key}:`);
  });
});

describe('backup job payload (@keepwatch/jobs)', () => {
  it('accepts a source and trigger, and refuses path-like source names', () => {
    expect(backupJobPayloadSchema.parse({ source: 'database', trigger: 'manual', requestedBy: 'cli' })).toEqual({
      source: 'database',
      trigger: 'manual',
      requestedBy: 'cli',
    });
    expect(backupJobPayloadSchema.safeParse({ source: '../x', trigger: 'manual' }).success).toBe(false);
    expect(backupJobPayloadSchema.safeParse({ source: 'database', trigger: 'cron' }).success).toBe(false);
  });
});
