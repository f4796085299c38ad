import { execFileSync } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  BackupIdentityRequiredError,
  BackupToolFailedError,
  localDestination,
  postgresSource,
  restoreBackup,
  runBackup,
  type BackupManifest,
  type Compression,
} from '../src/index.js';
import { postgresTarget } from '../src/databases/pg-restore-target.js';
import { tempDir } from './helpers/files.js';
import { createPgDatabase, pgAdmin } from '@keepwatch/test-support/postgres';
import { pgFingerprint } from './helpers/postgres.js';

describe('compression and age encryption', () => {
  let db: Awaited<ReturnType<typeof createPgDatabase>>;
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let keys: Awaited<ReturnType<typeof tempDir>>;
  let recipient: string;
  let identity: string;
  let otherIdentity: string;
  const targets: Awaited<ReturnType<typeof createPgDatabase>>[] = [];

  beforeAll(async () => {
    db = await createPgDatabase('kw_backup_enc');
    dir = await tempDir('kw-backup-enc');
    keys = await tempDir('kw-backup-keys');
    await pgAdmin(
      (c) =>
        c.query(
          `CREATE TABLE notes AS SELECT g AS id, repeat(md5(g::text), 20) AS body FROM generate_series(1, 5000) g`,
        ),
      db.name,
    );
    identity = join(keys.path, 'key.txt');
    otherIdentity = join(keys.path, 'other.txt');
    execFileSync('age-keygen', ['-o', identity], { stdio: 'ignore' });
    execFileSync('age-keygen', ['-o', otherIdentity], { stdio: 'ignore' });
    recipient = /public key: (age1\w+)/.exec(await readFile(identity, 'utf8'))![1]!;
  });

  afterAll(async () => {
    for (const target of targets) await target.drop().catch(() => {});
    await db?.drop();
    await dir?.remove();
    await keys?.remove();
  });

  const restoreInto = async (manifest: BackupManifest, identityFile?: string) => {
    const target = await createPgDatabase('kw_backup_enc_target');
    targets.push(target);
    const error = await restoreBackup({
      destination: localDestination({ directory: dir.path }),
      id: manifest.id,
      target: postgresTarget({ url: target.url }),
      identityFile,
    }).then(
      () => undefined,
      (e: unknown) => e,
    );
    return { target, error };
  };

  it('encrypts to an age recipient; the file is unreadable without the identity and restores with it', async () => {
    const manifest = await runBackup({
      source: postgresSource({ url: db.url }),
      destination: localDestination({ directory: dir.path }),
      options: { encryptTo: [recipient] },
    });
    expect(manifest.encryption).toEqual({ method: 'age', recipients: [recipient] });
    expect(manifest.file).toMatch(/\.pgdump\.zst\.age$/);
    const stored = await readFile(join(dir.path, 'database', manifest.startedAt.slice(0, 10), manifest.file));
    expect(stored.subarray(0, 21).toString()).toBe('age-encryption.org/v1');

    const without = await restoreInto(manifest);
    expect(without.error).toBeInstanceOf(BackupIdentityRequiredError);

    const wrong = await restoreInto(manifest, otherIdentity);
    expect(wrong.error).toBeInstanceOf(BackupToolFailedError);
    expect((wrong.error as BackupToolFailedError).tool).toBe('age');
    expect(
      (await pgAdmin((c) => c.query(`SELECT 1 FROM pg_tables WHERE schemaname = 'public'`), wrong.target.name)).rows,
    ).toEqual([]);

    const right = await restoreInto(manifest, identity);
    expect(right.error).toBeUndefined();
    expect(await pgFingerprint(right.target.name)).toEqual(await pgFingerprint(db.name));
  });

  it.each<Compression>(['gzip', 'none'])('stores with %s compression and restores', async (compression) => {
    const manifest = await runBackup({
      source: postgresSource({ url: db.url }),
      destination: localDestination({ directory: dir.path }),
      options: { compression },
    });
    expect(manifest.compression).toBe(compression);
    expect(manifest.file).toMatch(compression === 'gzip' ? /\.pgdump\.gz$/ : /\.pgdump$/);
    if (compression === 'none') expect(manifest.storedBytes).toBe(manifest.rawBytes);
    else expect(manifest.storedBytes).toBeLessThan(manifest.rawBytes / 3);
    const { target, error } = await restoreInto(manifest);
    expect(error).toBeUndefined();
    expect(await pgFingerprint(target.name)).toEqual(await pgFingerprint(db.name));
  });
});
