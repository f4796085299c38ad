import { randomBytes } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PG_URL, pgAdmin } from '@keepwatch/test-support/postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  listBackups,
  localDestination,
  parseManifest,
  postgresSource,
  restoreBackup,
  runBackup,
  serializeManifest,
  verifyBackup,
  type BackupManifest,
} from '../src/index.js';
import { postgresTarget } from '../src/databases/pg-restore-target.js';
import { tempDir } from './helpers/files.js';

/*
 * Backups on disk outlive versions of keepwatch. Format 1 has always spelled a pg_dump backup's
 * kind `postgresql`; keepwatch now says `postgres` (DatabaseKind) everywhere else. Existing
 * backups must still list, verify and restore, and a backup made now must stay readable by a
 * keepwatch from before (a fleet is not upgraded all at once).
 */

/** A manifest as keepwatch 0.1.0 wrote it before DatabaseKind, byte for byte but the checksum. */
const WRITTEN_BEFORE = `{
  "format": "keepwatch-backup",
  "formatVersion": 1,
  "id": "database-20261125T031500Z-ab12cd",
  "source": "database",
  "kind": "postgresql",
  "file": "database-20261125T031500Z-ab12cd.pgdump.zst",
  "startedAt": "2026-11-25T03:15:00.000Z",
  "finishedAt": "2026-11-25T03:15:02.000Z",
  "rawBytes": 2048,
  "storedBytes": 512,
  "checksum": {
    "algorithm": "sha256",
    "value": "${'a'.repeat(64)}"
  },
  "compression": "zstd",
  "encryption": null,
  "database": "shop",
  "versions": {
    "server": "15.8",
    "tool": "pg_dump (PostgreSQL) 15.8",
    "keepwatch": "0.1.0"
  },
  "tables": [],
  "rowCounts": "same-snapshot"
}
`;

describe('the manifest kind', () => {
  it('reads postgresql, written before, as the kind postgres', () => {
    const manifest = parseManifest(WRITTEN_BEFORE, 'old.manifest.json');
    expect(manifest.kind).toBe('postgres');
    expect(parseManifest(WRITTEN_BEFORE.replace('"postgresql"', '"postgres"'), 'm').kind).toBe('postgres');
    expect(parseManifest(WRITTEN_BEFORE.replace('"postgresql"', '"mysql"'), 'm').kind).toBe('mysql');
    // A source of another kind keeps its own.
    expect(parseManifest(WRITTEN_BEFORE.replace('"postgresql"', '"ldap-export"'), 'm').kind).toBe('ldap-export');
  });

  it('still writes postgresql, so a keepwatch from before reads a backup made now the same way', () => {
    const manifest = parseManifest(WRITTEN_BEFORE, 'old.manifest.json');
    expect(serializeManifest(manifest)).toBe(WRITTEN_BEFORE);
    const mysql: BackupManifest = { ...manifest, kind: 'mysql' };
    expect(JSON.parse(serializeManifest(mysql)).kind).toBe('mysql');
  });
});

describe('a PostgreSQL backup whose manifest says postgresql or postgres', () => {
  const name = `kw_backup_kind_${randomBytes(4).toString('hex')}`;
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let manifest: BackupManifest;
  let manifestPath: string;
  const destination = () => localDestination({ directory: join(dir.path, 'backups') });

  beforeAll(async () => {
    dir = await tempDir('kw-backup-kind');
    await pgAdmin((c) => c.query(`CREATE DATABASE "${name}"`));
    await pgAdmin((c) => c.query('CREATE TABLE ticket AS SELECT g AS id FROM generate_series(1, 25) g'), name);
    manifest = await runBackup({ source: postgresSource({ url: `${PG_URL}/${name}` }), destination: destination() });
    manifestPath = destination().pathsOf(manifest).manifest;
  });

  afterAll(async () => {
    for (const db of [name, `${name}_a`, `${name}_b`])
      await pgAdmin((c) => c.query(`DROP DATABASE IF EXISTS "${db}" WITH (FORCE)`)).catch(() => {});
    await dir?.remove();
  });

  it.each([
    ['postgresql', 'a'],
    ['postgres', 'b'],
  ])('lists, verifies and restores with "kind": "%s" on disk', async (spelling, target) => {
    const stored = JSON.parse(await readFile(manifestPath, 'utf8')) as Record<string, unknown>;
    expect(stored.kind).toBe('postgresql');
    await writeFile(manifestPath, JSON.stringify({ ...stored, kind: spelling }, null, 2));

    expect((await listBackups(destination())).map((m) => [m.id, m.kind])).toEqual([[manifest.id, 'postgres']]);
    expect((await verifyBackup({ destination: destination(), id: manifest.id })).ok).toBe(true);
    await pgAdmin((c) => c.query(`CREATE DATABASE "${name}_${target}"`));
    await restoreBackup({
      destination: destination(),
      id: manifest.id,
      target: postgresTarget({ url: `${PG_URL}/${name}_${target}` }),
    });
    const { rows } = await pgAdmin(
      (c) => c.query<{ n: number }>('SELECT count(*)::int AS n FROM ticket'),
      `${name}_${target}`,
    );
    expect(rows[0]!.n).toBe(25);
    await writeFile(manifestPath, JSON.stringify(stored, null, 2));
  });
});
