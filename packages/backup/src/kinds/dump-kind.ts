import { basename } from 'node:path';
import { parseBackupId } from '../catalog/backup-id.js';
import { databaseTarget } from '../databases/database.js';
import { BackupManifestError, BackupNotFoundError, BackupOptionsError } from '../errors.js';
import { localDestination, type LocalDestination } from '../catalog/local-destination.js';
import { parseManifest, type BackupManifest } from '../catalog/manifest.js';
import { resolveBackupOptions, type BackupOptions, type DatabaseToolOptions } from '../options.js';
import type { BackupProgress } from '../pipeline/progress.js';
import { RemoteNotFoundError } from '../remote/errors.js';
import { restoreBackup } from '../dump/restore-backup.js';
import type { ScratchTarget } from '../databases/restore-target.js';
import { pruneBackups } from '../retention/prune-backups.js';
import type { BackupKind, KindContext } from '../repository/backup-kind.js';
import type { BackupLocation, DumpEntry } from '../repository/backup-results.js';
import { runBackup } from '../dump/run-backup.js';
import type { BackupSource } from '../databases/source.js';
import { verifyBackup } from '../dump/verify-backup.js';
import { pullBackupPart, readRemoteTexts } from './remote-files.js';

const MANIFEST_SUFFIX = '.manifest.json';

export interface DumpKindOptions {
  /**
   * The database to back up; its `name` must be the name the kind is registered under. Without
   * it the source's stored dumps are still listed, verified, restored and pruned, and `run`
   * fails with `BackupSourceUnknownError` (saying `hint`).
   * @defaultValue undefined
   */
  source?: BackupSource;
  /** How dumps are stored (compression, age recipients), and the zstd, age and environment restores use. @defaultValue {} */
  backup?: BackupOptions;
  /** The tools and environment for a restore into a database given by URL. @defaultValue the environment of `backup` */
  database?: DatabaseToolOptions;
  /**
   * A fresh scratch database for restore tests (`createScratchDatabase`), dropped after each.
   * Without it `verify` with `restoreTest` fails with `BackupOptionsError`.
   * @defaultValue undefined
   */
  scratch?: () => Promise<ScratchTarget>;
  /** How to configure the source when it has none, for `BackupSourceUnknownError`. @defaultValue undefined */
  hint?: string;
}

/**
 * Database dumps (`pg_dump -Fc`, `mariadb-dump`) as a backup kind, over `runBackup`,
 * `restoreBackup`, `verifyBackup` and `pruneBackups` and a `localDestination` at the
 * repository's root: `<root>/<source>/<YYYY-MM-DD>/<id>.<ext>` beside `<id>.manifest.json`.
 * On the remote: `<source>/<file>` then `<source>/<id>.manifest.json`, the manifest last, so a
 * listed manifest always has its file.
 */
export function dumpKind(options: DumpKindOptions = {}): BackupKind {
  const backup = resolveBackupOptions(options.backup);
  const tools = { zstdPath: backup.zstdPath, agePath: backup.agePath, env: backup.env };
  const destinationOf = (context: KindContext): LocalDestination =>
    localDestination({ directory: context.root, logger: context.logger });
  const entry = (manifest: BackupManifest, location: BackupLocation): DumpEntry => ({
    type: 'dump',
    id: manifest.id,
    source: manifest.source,
    kind: manifest.kind,
    startedAt: manifest.startedAt,
    finishedAt: manifest.finishedAt,
    rawBytes: manifest.rawBytes,
    storedBytes: manifest.storedBytes,
    location,
    manifest,
  });

  return {
    type: 'dump',
    runnable: options.source !== undefined,
    ...(options.hint === undefined ? {} : { hint: options.hint }),

    check(source) {
      const name = options.source?.name;
      return name === undefined || name === source
        ? []
        : [`${source}: the dump source is named "${name}"; register it under that name, its ids and folders use it`];
    },

    async run(context, run) {
      if (!options.source) throw new BackupOptionsError('dump kind', [`${context.source}: no source to back up`]);
      const manifest = await runBackup({
        source: options.source,
        destination: destinationOf(context),
        options: backup,
        logger: context.logger,
        ...(run.signal ? { signal: run.signal } : {}),
        ...(run.onProgress ? { onProgress: run.onProgress as (progress: BackupProgress) => void } : {}),
      });
      return { ...manifest, type: 'dump' };
    },

    async list(context) {
      const manifests = await destinationOf(context).listManifests({ source: context.source });
      return manifests.map((m) => entry(m, 'local'));
    },

    async has(context, id) {
      try {
        await destinationOf(context).readManifest(id);
        return true;
      } catch (error) {
        if (error instanceof BackupNotFoundError) return false;
        throw error;
      }
    },

    async verify(context, id, verify) {
      if (verify.restoreTest && !options.scratch) {
        throw new BackupOptionsError('verify options', [
          `restoreTest: no scratch database server is configured for the dumps of "${context.source}"`,
        ]);
      }
      const report = await verifyBackup({
        destination: destinationOf(context),
        id,
        ...tools,
        logger: context.logger,
        ...(verify.restoreTest && options.scratch ? { restoreTest: options.scratch } : {}),
        ...(verify.identityFile ? { identityFile: verify.identityFile } : {}),
        ...(verify.signal ? { signal: verify.signal } : {}),
      });
      return { type: 'dump', id, source: context.source, ok: report.ok, report };
    },

    async restore(context, id, into, restore) {
      const target =
        typeof into === 'string' ? databaseTarget({ env: backup.env, ...options.database, url: into }) : into;
      const report = await restoreBackup({
        destination: destinationOf(context),
        id,
        target,
        ...tools,
        logger: context.logger,
        clean: restore.clean ?? false,
        ...(restore.identityFile ? { identityFile: restore.identityFile } : {}),
        ...(restore.signal ? { signal: restore.signal } : {}),
        ...(restore.onProgress ? { onProgress: restore.onProgress as (progress: BackupProgress) => void } : {}),
      });
      return { type: 'dump', id, source: context.source, report };
    },

    prune(context, prune) {
      return pruneBackups({ ...prune, destination: destinationOf(context), source: context.source });
    },

    async push(context, remote, id) {
      const destination = destinationOf(context);
      const paths = destination.pathsOf(await destination.readManifest(id));
      // Under the source's lock: what an interrupted push of this source left (an incomplete upload).
      await remote.removeIncomplete(context.source);
      await remote.push(paths.file, `${context.source}/${basename(paths.file)}`);
      await remote.push(paths.manifest, `${context.source}/${basename(paths.manifest)}`);
    },

    async removeFromRemote(context, remote, ids) {
      if (ids.length === 0) return;
      const names = (await remote.list(context.source)).map((e) => e.name);
      for (const id of ids) {
        // The manifest first: a copy without it is not a backup, so nothing half-deleted looks whole.
        if (names.includes(`${id}${MANIFEST_SUFFIX}`)) await remote.remove(`${context.source}/${id}${MANIFEST_SUFFIX}`);
        for (const name of names)
          if (name.startsWith(`${id}.`) && !name.endsWith(MANIFEST_SUFFIX))
            await remote.remove(`${context.source}/${name}`);
      }
    },

    async listRemote(context, remote) {
      const listed = await remote.list(context.source);
      const files = new Set(listed.filter((e) => e.type === 'file').map((e) => e.name));
      const manifestPaths = [...files]
        .filter((name) => name.endsWith(MANIFEST_SUFFIX))
        .map((name) => `${context.source}/${name}`);
      const texts = await readRemoteTexts(context, remote, manifestPaths);
      const out: DumpEntry[] = [];
      for (const [path, read] of texts) {
        const where = `${remote.label}/${path}`;
        try {
          if ('error' in read) throw read.error;
          const manifest = parseManifest(read.text, where);
          if (`${context.source}/${manifest.id}${MANIFEST_SUFFIX}` !== path || manifest.source !== context.source)
            throw new Error('its id or source does not match its place');
          // A manifest whose file is gone is what an interrupted removal leaves: not a backup.
          if (!files.has(manifest.file)) throw new Error(`its file ${manifest.file} is missing`);
          out.push(entry(manifest, 'remote'));
        } catch (error) {
          context.logger.warn({ err: error, path: where }, 'skipping an unreadable backup manifest on the remote');
        }
      }
      return out.sort((a, b) => a.startedAt.localeCompare(b.startedAt) || a.id.localeCompare(b.id));
    },

    async fetch(context, remote, id) {
      parseBackupId(id);
      const path = `${context.source}/${id}${MANIFEST_SUFFIX}`;
      const read = (await readRemoteTexts(context, remote, [path])).get(path)!;
      if ('error' in read) {
        if (read.error instanceof RemoteNotFoundError) throw new BackupNotFoundError(id, remote.label, read.error);
        throw read.error;
      }
      const manifest = parseManifest(read.text, `${remote.label}/${path}`);
      if (manifest.id !== id || manifest.source !== context.source)
        throw new BackupManifestError(`${remote.label}/${path}`, ['id or source does not match its place']);
      // Placed as a local backup is: the file first, the manifest last.
      const destination = destinationOf(context);
      await pullBackupPart(remote, `${context.source}/${manifest.file}`, destination.pathsOf(manifest).file, id);
      await destination.writeManifest(manifest);
    },
  };
}
