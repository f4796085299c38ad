import { BackupIdentityRequiredError, BackupTargetNotEmptyError, databaseTarget, restoreBackup } from '@keepwatch/backup';
import { UsageError, backupDestinationFromConfig, backupToolOptionsFromConfig } from '@keepwatch/runtime';
import type { Command } from '../command.js';
import { writeJson } from '../output.js';
import { formatBytes, formatDuration, progressLine } from '../progress.js';
import { asUsage, fail, interruptSignal, onePositional, stringOption } from './backup-setup.js';

/**
 * `keepwatch backup restore <id> --target URL`: checks the file's checksum, then replays it into
 * the target database. A target that holds tables is refused unless `--clean`.
 */
export const backupRestore: Command = {
  words: ['backup', 'restore'],
  summary: 'restore a backup into the database at --target (refused when it is not empty, unless --clean)',
  // A password in --target would show in `ps`: leave it out of the URL and set
  // KW_TARGET_PASSWORD instead.
  args: '<id> --target URL (password from $KW_TARGET_PASSWORD)',
  options: {
    target: { type: 'string' },
    clean: { type: 'boolean', default: false },
    identity: { type: 'string' },
  },
  run: (context) =>
    asUsage(async () => {
      const id = onePositional(context, 'id');
      const url = stringOption(context.values, 'target');
      if (!url) throw new UsageError('--target URL is required: the database to restore into (postgres://… or mysql://…)');
      const identityFile = stringOption(context.values, 'identity');
      const { config } = await context.loadConfig();
      const target = databaseTarget({ url: withTargetPassword(url), ...backupToolOptionsFromConfig(config) });
      const progress = progressLine(context.stderr, `restore ${id}`);
      const interrupt = interruptSignal();
      try {
        const report = await restoreBackup({
          destination: backupDestinationFromConfig(config),
          id,
          target,
          clean: context.values.clean === true,
          signal: interrupt.signal,
          ...(identityFile ? { identityFile } : {}),
          ...(progress.listener ? { onProgress: progress.listener } : {}),
        });
        progress.done();
        if (context.json) writeJson(context.stdout, report);
        else {
          context.stdout.write(
            `restored ${report.id} into ${report.target}: ${formatBytes(report.rawBytes)} in ${formatDuration(report.elapsedMs)}\n`,
          );
        }
        return 0;
      } catch (error) {
        // The package names its options; a person at the shell needs the flags.
        if (error instanceof BackupTargetNotEmptyError) {
          return fail(context, `${target.label} is not empty: restore into an empty database, or pass --clean to replace its contents`);
        }
        if (error instanceof BackupIdentityRequiredError) {
          return fail(context, `backup "${id}" is encrypted with age: pass --identity FILE (the age identity it was encrypted to)`);
        }
        throw error;
      } finally {
        progress.done();
        interrupt.dispose();
      }
    }),
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
