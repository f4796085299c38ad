import { createHash } from 'node:crypto';
import { readFileSync, readdirSync, rmSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseManifest, serializeManifest, type BackupManifest } from '@keepwatch/backup';
import { loadConfig, type KeepwatchConfig } from '@keepwatch/config';
import { startSshd, type TestSshd } from '@keepwatch/test-support/sshd';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backupRepositoryFromConfig } from '../src/index.js';

let dir: string;
let sshd: TestSshd;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'kw-runtime-remote-'));
  sshd = await startSshd(dir);
}, 30_000);

afterAll(async () => {
  await sshd?.stop();
  await rm(dir, { recursive: true, force: true });
});

/** A config whose [backup] remote is this test's sshd, writing to `<dir>/<name>/remote`. */
async function configFor(name: string): Promise<{ config: Readonly<KeepwatchConfig>; remoteDir: string }> {
  const root = join(dir, name);
  const { config } = await loadConfig({
    env: {
      KEEPWATCH_DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/postgres',
      KEEPWATCH_BACKUP_COMPRESSION: 'gzip',
      KEEPWATCH_DATA_DIR: join(root, 'data'),
      KEEPWATCH_BACKUP_DESTINATION: join(root, 'backups'),
      KEEPWATCH_BACKUP_REMOTE: `root@127.0.0.1:${join(root, 'remote')}`,
      KEEPWATCH_BACKUP_REMOTE_PORT: String(sshd.port),
      KEEPWATCH_BACKUP_REMOTE_IDENTITY_FILE: sshd.identityFile,
      KEEPWATCH_BACKUP_REMOTE_KNOWN_HOSTS_FILE: sshd.knownHostsFile,
    },
  });
  return { config, remoteDir: join(root, 'remote') };
}

describe('backupRepositoryFromConfig with [backup] remote, on a real sshd', { timeout: 60_000 }, () => {
  it('pushes the file and its manifest of a database backup from [backup] destination', async () => {
    const { config, remoteDir } = await configFor('default');
    const {
      retention: _retention,
      remote,
      type: _type,
      ...manifest
    } = await backupRepositoryFromConfig(config, { env: process.env }).run('database');
    expect(remote).toContain(remoteDir);
    expect(readdirSync(join(remoteDir, 'database')).sort()).toEqual(
      [(manifest as BackupManifest).file, `${manifest.id}.manifest.json`].sort(),
    );
    const copied = readFileSync(join(remoteDir, 'database', `${manifest.id}.manifest.json`), 'utf8');
    // The manifest as stored (serialized), and the same one read back.
    expect(copied).toBe(serializeManifest(manifest as BackupManifest));
    expect(parseManifest(copied, 'remote copy')).toEqual(manifest);
  });

  it('reads a backup kept only on the remote back, byte for byte as backed up', async () => {
    const { config, remoteDir } = await configFor('readback');
    const repository = backupRepositoryFromConfig(config, { env: process.env });
    const made = await repository.run('database');
    if (made.type !== 'dump') throw new Error('expected a dump');
    const stored = readFileSync(join(remoteDir, 'database', made.file));
    rmSync(config.backup.destination, { recursive: true, force: true });
    expect((await repository.list({ remote: true })).map((b) => b.id)).toEqual([made.id]);
    const verified = await repository.verify(made.id);
    expect(verified).toMatchObject({ type: 'dump', ok: true, from: 'remote' });
    expect(verified.type === 'dump' && verified.report.checksum.actual).toBe(made.checksum.value);
    expect(createHash('sha256').update(stored).digest('hex')).toBe(made.checksum.value);
  });
});
