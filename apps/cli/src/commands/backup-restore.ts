import { resolve } from 'node:path';
import {
  BackupIdentityRequiredError,
  BackupTargetNotEmptyError,
  SnapshotTargetNotEmptyError,
  databaseTarget,
  type RestoreInto,
} from '@keepwatch/backup';
import { backupRepositoryFromConfig, backupToolOptionsFromConfig } from '@keepwatch/runtime/backup';
import { UsageError } from '@keepwatch/runtime/main';
import type { Command } from '../command.js';
import { stringOption } from '../option-values.js';
import { formatBytes, formatDuration, progressLine } from '../progress.js';
import { fromRemote, withRemote } from './backup-remote-output.js';

/**
 * `keepwatch backup restore <id> --target URL`: checks the file's checksum, then replays it into
 * the target database. A target that holds tables is refused unless `--clean`.
 * `keepwatch backup restore <data-id> --target DIR`: puts a data snapshot's tree back, byte for
 * byte with modes and times, checking every file's hash; a non-empty DIR needs `--clean`.
 * Either is `repository.restore`: a backup that is not in `[backup] destination` is read from
 * `[backup] remote`.
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
    const repository = backupRepositoryFromConfig(config, { env: context.env });
    // As the user names it: a URL is a database (checked before anything is read), anything else
    // a directory. The backup's kind refuses the wrong one.
    const target = url.includes('://')
      ? databaseTarget({ url: withTargetPassword(url), ...backupToolOptionsFromConfig(config, context.env) })
      : undefined;
    const into: RestoreInto = target ?? resolve(url);
    const progress = progressLine(context.stderr, `restore ${id}`);
    try {
      const restored = await repository.restore(id, into, {
        clean: context.values.clean === true,
        signal: context.signal,
        ...(identityFile ? { identityFile } : {}),
        ...(progress.listener ? { onProgress: progress.listener } : {}),
      });
      progress.done();
      const remote = restored.from === 'remote' ? (repository.remote ?? undefined) : undefined;
      if (restored.type === 'snapshot') {
        context.print(
          withRemote(restored.report, remote),
          (r) =>
            `restored ${r.id}${fromRemote(remote)} into ${r.targetDir}: ${r.files} files, ${r.dirs} directories, ${r.symlinks} symlinks\n`,
        );
      } else {
        context.print(
          withRemote(restored.report, remote),
          (r) =>
            `restored ${r.id}${fromRemote(remote)} into ${r.target}: ${formatBytes(r.rawBytes)} in ${formatDuration(r.elapsedMs)}\n`,
        );
      }
      return 0;
    } catch (error) {
      // The package names its options; a person at the shell needs the flags.
      if (error instanceof BackupTargetNotEmptyError) {
        return context.fail(
          `${target?.label ?? url} is not empty: restore into an empty database, or pass --clean to replace its contents`,
        );
      }
      if (error instanceof SnapshotTargetNotEmptyError) {
        return context.fail(
          `${into as string} is not empty: restore into an empty or missing directory, or pass --clean to replace its contents`,
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
  },
};

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
