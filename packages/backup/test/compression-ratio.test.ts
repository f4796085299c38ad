// A repetitive dump is stored as small as plain `zstd -3` makes it (issue 16, item 13: 1 MiB jobs
// stored a pgbench dump 18 % larger; see docs/zstd-job-size.md).
import { execFileSync } from 'node:child_process';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { createPgDatabase, pgAdmin } from '@keepwatch/test-support/postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localDestination, postgresSource, runBackup, type BackupManifest } from '../src/index.js';
import { tempDir } from './helpers/files.js';

describe('zstd compression of a repetitive dump', () => {
  let source: Awaited<ReturnType<typeof createPgDatabase>>;
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let manifest: BackupManifest;

  beforeAll(async () => {
    source = await createPgDatabase('kw_backup_ratio');
    dir = await tempDir('kw-backup-ratio');
    // pgbench_accounts at scale 5: a 50 MB dump that compresses about 100 times.
    await pgAdmin(
      (c) =>
        c.query(
          `CREATE TABLE accounts AS SELECT g AS aid, (g - 1) / 100000 + 1 AS bid, 0 AS abalance, repeat(' ', 84) AS filler FROM generate_series(1, 500000) g`,
        ),
      source.name,
    );
    manifest = await runBackup({
      source: postgresSource({ url: source.url }),
      destination: localDestination({ directory: dir.path }),
    });
  });

  afterAll(async () => {
    await source?.drop();
    await dir?.remove();
  });

  it('stores it within 2 % of what `zstd -3` alone makes of the same dump', () => {
    const stored = join(dir.path, 'database', manifest.startedAt.slice(0, 10), manifest.file);
    const raw = join(dir.path, 'raw.pgdump');
    execFileSync('zstd', ['-d', '-q', '-o', raw, stored]);
    expect(statSync(raw).size).toBe(manifest.rawBytes);
    const plain = execFileSync('zstd', ['-3', '-c', '-q', raw], { maxBuffer: 64 * 1024 * 1024 }).length;
    expect(manifest.storedBytes).toBe(statSync(stored).size);
    expect(manifest.storedBytes / plain).toBeLessThan(1.02);
  });
});
