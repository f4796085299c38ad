import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { text } from 'node:stream/consumers';
import { describe, expect, it } from 'vitest';
import { BackupIdError, BackupNotFoundError, type BackupManifest, type Destination } from '../../src/index.js';
import { createBackupId } from '../../src/catalog/backup-id.js';
import { MANIFEST_FORMAT, MANIFEST_VERSION } from '../../src/catalog/manifest.js';

export interface DestinationHarness {
  destination: Destination;
  /** Names of every entry the destination holds, temporaries included, to check nothing is left. */
  entries(): Promise<string[]>;
}

/** A manifest that passes the schema, for a file holding `body`. */
export function manifestFor(id: string, source: string, file: string, body: string): BackupManifest {
  return {
    format: MANIFEST_FORMAT,
    formatVersion: MANIFEST_VERSION,
    id,
    source,
    kind: 'postgres',
    file,
    startedAt: new Date().toISOString(),
    finishedAt: new Date().toISOString(),
    rawBytes: body.length,
    storedBytes: body.length,
    checksum: { algorithm: 'sha256', value: '0'.repeat(64) },
    compression: 'none',
    encryption: null,
    database: 'app',
    versions: { server: '15.0', tool: 'pg_dump 15', keepwatch: '0.1.0' },
    tables: [],
    rowCounts: 'same-snapshot',
  };
}

async function write(destination: Destination, source: string, body: string, commit = true): Promise<BackupManifest> {
  const id = createBackupId(source, new Date());
  const file = `${id}.pgdump`;
  const writer = await destination.createWriter(id, file);
  await pipeline(Readable.from([body]), writer.stream);
  const manifest = manifestFor(id, source, file, body);
  if (commit) {
    await writer.commit();
    await destination.writeManifest(manifest);
  }
  return manifest;
}

/**
 * What every destination must do. A new destination's test is a few lines: build a harness and
 * call this (like unstorage's driver suite, bullmq's adapter conformance).
 */
export function describeDestination(
  name: string,
  setup: () => Promise<DestinationHarness & { cleanup(): Promise<void> }>,
): void {
  describe(`destination conformance: ${name}`, () => {
    const withHarness = (fn: (h: DestinationHarness) => Promise<void>) => async () => {
      const harness = await setup();
      try {
        await fn(harness);
      } finally {
        await harness.cleanup();
      }
    };

    it(
      'stores a file, then lists, reads and opens it once its manifest is written',
      withHarness(async ({ destination }) => {
        const manifest = await write(destination, 'database', 'hello backup');
        expect(await destination.listManifests()).toEqual([manifest]);
        expect(await destination.readManifest(manifest.id)).toEqual(manifest);
        expect(await text(await destination.openFile(manifest))).toBe('hello backup');
      }),
    );

    it(
      'does not list a file without a manifest, and removeIncomplete deletes it',
      withHarness(async ({ destination, entries }) => {
        const kept = await write(destination, 'database', 'kept');
        const orphan = await write(destination, 'database', 'orphan', false);
        const other = await write(destination, 'other', 'other source, not touched', false);
        expect(await destination.listManifests()).toEqual([kept]);
        await expect(destination.readManifest(orphan.id)).rejects.toBeInstanceOf(BackupNotFoundError);
        const removed = await destination.removeIncomplete('database');
        expect(removed.length).toBeGreaterThan(0);
        const left = (await entries()).join('\n');
        expect(left).not.toContain(orphan.id);
        expect(left).toContain(kept.id);
        expect(left).toContain(other.id);
      }),
    );

    it(
      'abort removes what was written',
      withHarness(async ({ destination, entries }) => {
        const id = createBackupId('database', new Date());
        const writer = await destination.createWriter(id, `${id}.pgdump`);
        writer.stream.write('partial');
        await writer.abort();
        expect((await entries()).join('\n')).not.toContain(id);
      }),
    );

    it(
      'filters by source, orders by start time, and removes a backup',
      withHarness(async ({ destination }) => {
        const a = await write(destination, 'database', 'a');
        const b = await write(destination, 'data', 'b');
        expect((await destination.listManifests({ source: 'data' })).map((m) => m.id)).toEqual([b.id]);
        expect((await destination.listManifests()).map((m) => m.id).sort()).toEqual([a.id, b.id].sort());
        await destination.remove(a.id);
        expect((await destination.listManifests()).map((m) => m.id)).toEqual([b.id]);
      }),
    );

    it(
      'refuses ids and file names that could leave it',
      withHarness(async ({ destination }) => {
        await expect(destination.readManifest('../../etc/passwd')).rejects.toBeInstanceOf(BackupIdError);
        await expect(destination.createWriter('database/../../x', 'x')).rejects.toBeInstanceOf(BackupIdError);
        const id = createBackupId('database', new Date());
        await expect(destination.createWriter(id, `${id}.pgdump/../../../evil`)).rejects.toThrow(/file name/);
        await expect(destination.createWriter(id, '../../evil')).rejects.toThrow(/file name/);
      }),
    );
  });
}
