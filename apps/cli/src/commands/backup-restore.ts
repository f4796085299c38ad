import { resolve } from 'node:path';
import {
  BackupIdentityRequiredError,
  BackupTargetNotEmptyError,
  SnapshotTargetNotEmptyError,
  databaseTarget,
  restoreBackup,
  restoreSnapshot,
} from '@keepwatch/backup';
import { UsageError, backupToolOptionsFromConfig } from '@keepwatch/runtime';
import type { Command, CommandContext } from '../command.js';
import { stringOption } from '../option-values.js';
import { formatBytes, formatDuration, progressLine } from '../progress.js';
import { withBackupAtHand, withRemote } from './backup-at-hand.js';

/**
 * `keepwatch backup restore <id> --target URL`: checks the file's checksum, then replays it into
 * the target database. A target that holds tables is refused unless `--clean`.
 * `keepwatch backup restore <data-id> --target DIR`: puts a data snapshot's tree back, byte for
 * byte with modes and times, checking every file's hash; a non-empty DIR needs `--clean`.
 * A backup that is not in `[backup] destination` is read from `[backup] remote`.
 */
export const backupRestore: Command = {
  words: ['backup', 'restore'],
  summary:
    'restore a backup into the database (or, for a data snapshot, the directory) at --target; a non-empty one needs --clean',
  // A password in --target would show in `ps`: leave it out of the URL and set
  // KW_TARGET_PASSWORD instead.
  args: '<id> --target URL|DIR (password from $KW_TARGET_PASSWORD)',
  options: {
    target: { type: 'string' },
    clean: { type: 'boolean', default: false },
    identity: { type: 'string' },
  },
  operand: 'id',
  interruptible: true,
  async run(context) {
    const id = context.operand!;
    const url = stringOption(context.values, 'target');
    if (!url) {
      throw new UsageError(
        '--target URL is required: the database to restore into (postgres://… or mysql://…); for a data snapshot, the directory',
      );
    }
    const identityFile = stringOption(context.values, 'identity');
    const { config } = await context.loadConfig();
    return withBackupAtHand(config, id, async (backup) => {
      if (backup.kind === 'data') return restoreData(context, backup.snapshotDir, resolve(url), backup.remote);
      const target = databaseTarget({ url: withTargetPassword(url), ...backupToolOptionsFromConfig(config) });
      const progress = progressLine(context.stderr, `restore ${id}`);
      try {
        const report = await restoreBackup({
          destination: backup.destination,
          id,
          target,
          clean: context.values.clean === true,
          signal: context.signal,
          // zstd and age start from this process's environment, as the restore tool does.
          env: process.env,
          ...(identityFile ? { identityFile } : {}),
          ...(progress.listener ? { onProgress: progress.listener } : {}),
        });
        progress.done();
        context.print(
          withRemote(report, backup.remote),
          (r) =>
            `restored ${r.id}${fromRemote(backup.remote)} into ${r.target}: ${formatBytes(r.rawBytes)} in ${formatDuration(r.elapsedMs)}\n`,
        );
        return 0;
      } catch (error) {
        // The package names its options; a person at the shell needs the flags.
        if (error instanceof BackupTargetNotEmptyError) {
          return context.fail(
            `${target.label} is not empty: restore into an empty database, or pass --clean to replace its contents`,
          );
        }
        if (error instanceof BackupIdentityRequiredError) {
          return context.fail(
            `backup "${id}" is encrypted with age: pass --identity FILE (the age identity it was encrypted to)`,
          );
        }
        throw error;
      } finally {
        progress.done();
      }
    });
  },
};

async function restoreData(
  context: CommandContext,
  snapshotDir: string,
  targetDir: string,
  remote: string | undefined,
): Promise<number> {
  try {
    const report = await restoreSnapshot({
      snapshotDir,
      targetDir,
      clean: context.values.clean === true,
      signal: context.signal,
    });
    context.print(
      withRemote(report, remote),
      (r) =>
        `restored ${r.id}${fromRemote(remote)} into ${r.targetDir}: ${r.files} files, ${r.dirs} directories, ${r.symlinks} symlinks\n`,
    );
    return 0;
  } catch (error) {
    if (error instanceof SnapshotTargetNotEmptyError) {
      return context.fail(
        `${targetDir} is not empty: restore into an empty or missing directory, or pass --clean to replace its contents`,
      );
    }
    throw error;
  }
}

function fromRemote(remote: string | undefined): string {
  return remote ? ` (fetched from ${remote})` : '';
}

/**
 * Adds `KW_TARGET_PASSWORD` to a `--target` URL that has none, so the password never has
 * to be on the command line, where every user of the machine can read it with `ps`. Not a
 * `KEEPWATCH_*` name: those are settings, and the config loader rejects unknown ones.
 */
function withTargetPassword(url: string): string {
  const password = process.env.KW_TARGET_PASSWORD;
  if (!password) return url;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return url; // the package reports the bad URL (without echoing it)
  }
  if (parsed.password) return url;
  parsed.password = encodeURIComponent(password);
  return parsed.toString();
}
