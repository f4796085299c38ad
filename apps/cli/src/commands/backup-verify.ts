import type { SnapshotVerifyReport, VerifyReport } from '@keepwatch/backup';
import { backupRepositoryFromConfig } from '@keepwatch/runtime/backup';
import { UsageError } from '@keepwatch/runtime/main';
import type { Command } from '../command.js';
import { stringOption } from '../option-values.js';
import { formatBytes, formatDuration } from '../progress.js';
import { withRemote } from './backup-remote-output.js';

/**
 * `keepwatch backup verify <id>`: the stored file's SHA-256 against its manifest and, with
 * `--restore-test`, a restore into a scratch `kw_verify_*` database on the `[database] url`
 * server whose tables and row counts must match the manifest. For a data snapshot (`data-…`),
 * every file is re-hashed against the snapshot's index. Exit 1 when anything is off. Through
 * `repository.verify`: a backup that is not in `[backup] destination` is read from
 * `[backup] remote`.
 */
export const backupVerify: Command = {
  words: ['backup', 'verify'],
  summary: "check a backup's checksum; --restore-test also restores it into a scratch database and compares row counts",
  args: '<id> [--restore-test]',
  options: {
    'restore-test': { type: 'boolean', default: false },
    identity: { type: 'string' },
  },
  operand: 'id',
  interruptible: true,
  async run(context) {
    const id = context.operand!;
    const identityFile = stringOption(context.values, 'identity');
    const { config } = await context.loadConfig();
    const restoreTest = context.values['restore-test'] === true;
    if (restoreTest && !config.database.url) {
      throw new UsageError(
        '--restore-test creates its scratch database on the [database] url server: set [database] url (KEEPWATCH_DATABASE_URL)',
      );
    }
    const repository = backupRepositoryFromConfig(config, { env: context.env });
    // A snapshot refuses --restore-test (it is verified by re-hashing every file): a usage error.
    const verified = await repository.verify(id, {
      restoreTest,
      signal: context.signal,
      ...(identityFile ? { identityFile } : {}),
    });
    const remote = verified.from === 'remote' ? (repository.remote ?? undefined) : undefined;
    if (verified.type === 'snapshot')
      context.print(withRemote(verified.report, remote), (r) => formatSnapshotReport(r, remote));
    else context.print(withRemote(verified.report, remote), (r) => formatVerifyReport(r, remote));
    return verified.ok ? 0 : 1;
  },
};

function formatVerifyReport(report: VerifyReport, remote: string | undefined): string {
  const { checksum, restoreTest } = report;
  const lines = [
    ...(remote ? [`fetched from ${remote}`] : []),
    checksum.ok
      ? `checksum: ok (sha256 ${checksum.actual.slice(0, 12)}…, ${formatBytes(checksum.storedBytes)})`
      : `checksum: FAIL (sha256 ${checksum.actual} over ${formatBytes(checksum.storedBytes)}; the manifest says ${checksum.expected})`,
  ];
  if (restoreTest) {
    lines.push(
      `restore test: ${restoreTest.ok ? 'ok' : 'FAIL'} (${restoreTest.tables} tables, ${restoreTest.rows} rows ` +
        `in ${restoreTest.database}, ${formatDuration(restoreTest.elapsedMs)})`,
      ...restoreTest.problems.map((p) => `  problem: ${p}`),
      ...restoreTest.warnings.map((w) => `  warning: ${w}`),
    );
  }
  lines.push(report.ok ? `backup ${report.id} is good` : `backup ${report.id} did NOT verify`);
  return `${lines.join('\n')}\n`;
}

function formatSnapshotReport(report: SnapshotVerifyReport, remote: string | undefined): string {
  const lines = [
    ...(remote ? [`fetched from ${remote}`] : []),
    `files: ${report.files} re-hashed (${formatBytes(report.bytes)})`,
  ];
  for (const p of report.problems) lines.push(`  problem: ${p.path}: ${p.problem}`);
  lines.push(report.ok ? `snapshot ${report.id} is good` : `snapshot ${report.id} did NOT verify`);
  return `${lines.join('\n')}\n`;
}
