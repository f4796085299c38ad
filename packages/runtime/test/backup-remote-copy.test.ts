import { readFileSync, readdirSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  localDestination,
  parseManifest,
  postgresSource,
  runBackup,
  serializeManifest,
  type LocalDestination,
} from '@keepwatch/backup';
import { loadConfig, type KeepwatchConfig } from '@keepwatch/config';
import { startSshd, type TestSshd } from '@keepwatch/test-support/sshd';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backupDestinationFromConfig, backupRemoteFromConfig, copyBackupToRemote } from '../src/index.js';

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

const backupInto = (destination: LocalDestination) =>
  runBackup({
    source: postgresSource({ url: 'postgres://postgres@127.0.0.1:5432/postgres' }),
    destination,
    options: { compression: 'gzip' },
  });

describe('copyBackupToRemote for a database backup, on a real sshd', { timeout: 60_000 }, () => {
  it('pushes the file and its manifest from [backup] destination', async () => {
    const { config, remoteDir } = await configFor('default');
    const manifest = await backupInto(backupDestinationFromConfig(config));
    await copyBackupToRemote(config, backupRemoteFromConfig(config)!, 'database', manifest.id);
    expect(readdirSync(join(remoteDir, 'database')).sort()).toEqual(
      [manifest.file, `${manifest.id}.manifest.json`].sort(),
    );
    const copied = readFileSync(join(remoteDir, 'database', `${manifest.id}.manifest.json`), 'utf8');
    // The manifest as stored (serialized), and the same one read back.
    expect(copied).toBe(serializeManifest(manifest));
    expect(parseManifest(copied, 'remote copy')).toEqual(manifest);
  });

  it('pushes from the destination it is given, wherever that keeps its files', async () => {
    const { config, remoteDir } = await configFor('given');
    const elsewhere = localDestination({ directory: join(dir, 'given', 'elsewhere') });
    const manifest = await backupInto(elsewhere);
    await copyBackupToRemote(config, backupRemoteFromConfig(config)!, 'database', manifest.id, elsewhere);
    expect(readFileSync(join(remoteDir, 'database', manifest.file))).toEqual(
      readFileSync(elsewhere.pathsOf(manifest).file),
    );
    expect(readdirSync(join(remoteDir, 'database'))).toContain(`${manifest.id}.manifest.json`);
  });
});
