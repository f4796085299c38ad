import { backupRepositoryFromConfig, pruneOutcome, type PruneOutcome } from '@keepwatch/runtime/backup';
import type { Command } from '../command.js';
import { formatTable } from '../output.js';
import { sourceOption, withSourceLocks } from './backup-setup.js';

/**
 * `keepwatch backup prune`: applies `[backup] keep_*` now, as every successful backup does,
 * under each source's lock (`repository.prune`), on `[backup] remote` too. The newest complete
 * backup and anything in progress are never removed. `--dry-run` lists what would go and removes
 * nothing.
 */
export const backupPrune: Command = {
  words: ['backup', 'prune'],
  summary: 'remove the backups [backup] keep_last/daily/weekly/monthly no longer keep; --dry-run only lists them',
  args: '[--source NAME] [--dry-run]',
  options: { source: { type: 'string' }, 'dry-run': { type: 'boolean', default: false } },
  interruptible: true,
  async run(context) {
    const dryRun = context.values['dry-run'] === true;
    const { config } = await context.loadConfig();
    // A dry run removes nothing, on the remote neither: it need not reach it.
    const repository = backupRepositoryFromConfig(config, { env: context.env, ...(dryRun ? { remote: null } : {}) });
    const only = sourceOption(context.values, undefined, repository.sources);
    // Stored backups are pruned whether or not their source is still configured.
    const names = only ? [only] : repository.sources;
    const outcomes: PruneOutcome[] = [];
    await withSourceLocks(config, async (locked) => {
      for (const source of names) {
        outcomes.push(pruneOutcome(await locked(source, context.signal, () => repository.prune(source, { dryRun }))));
      }
    });
    context.print(outcomes, () => {
      const rows = outcomes.flatMap((o) => [
        ...o.kept.map((k) => [o.source, k.id, 'keep', k.reasons.join(', ')]),
        ...o.removed.map((id) => [o.source, id, dryRun ? 'would remove' : 'removed', '']),
      ]);
      return (
        (rows.length === 0 ? 'no backups to prune\n' : formatTable(['source', 'id', 'action', 'kept because'], rows)) +
        (dryRun ? 'dry run: nothing was removed\n' : '')
      );
    });
    return 0;
  },
};
