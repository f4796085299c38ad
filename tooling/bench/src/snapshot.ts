/**
 * The unchanged second snapshot of a 10 000-file data directory: keepwatch's `takeSnapshot`
 * (hard links against the previous snapshot) against `rsync -a --link-dest` of the same tree,
 * in interleaved rounds in one run. Target: keepwatch at most 1.2 times rsync's time, both
 * copying 0 bytes.
 *
 *   cd tooling/bench && npx tsx src/snapshot.ts [--rounds 5] [--files 10000]
 *
 * keepwatch is timed as shipped: it flushes the snapshot to disk (one `sync -f`) before renaming
 * it into place, which rsync does not do; the "no fsync" row shows the same work without it.
 */
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { takeSnapshot } from '@keepwatch/backup';
import { interleave, median, printTable, timeMs } from './harness.js';
import { makeBenchTree } from './snapshot-tree.js';

const { values } = parseArgs({
  options: {
    rounds: { type: 'string', default: '5' },
    files: { type: 'string', default: '10000' },
  },
});
const rounds = Number(values.rounds);
const fileCount = Number(values.files);

interface Round {
  ms: number;
  bytesCopied: number;
}

function rsync(args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile('rsync', args, { maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
      if (error) reject(new Error(`rsync failed: ${stderr || error.message}`));
      else resolve(stdout);
    });
  });
}

/** rsync's own count of content bytes it copied (hard links to --link-dest count 0). */
function transferred(stats: string): number {
  const match = /Total transferred file size: ([\d,]+) bytes/.exec(stats);
  if (!match) throw new Error(`no "Total transferred file size" in rsync --stats:\n${stats}`);
  return Number(match[1]!.replaceAll(',', ''));
}

const work = await mkdtemp(join(tmpdir(), 'kw-bench-snapshot-'));
try {
  const source = join(work, 'data');
  const { bytes } = makeBenchTree(source, fileCount);
  const ours = join(work, 'keepwatch');
  const theirs = join(work, 'rsync');
  // rsync gets the same selection as the snapshot's defaults: .secret and media/, not profiles/.
  const selection = ['--include=/.secret', '--include=/media/***', '--exclude=*'];
  await mkdir(theirs);
  const base = await takeSnapshot({ sourceDir: source, destinationDir: ours, id: 'base' });
  const baseStats = await rsync(['-a', '--stats', ...selection, `${source}/`, join(theirs, 'base/')]);
  process.stdout.write(
    `tree: ${base.files} files, ${(bytes / 1e6).toFixed(1)} MB; first snapshot copied ${base.bytesCopied} bytes, ` +
      `first rsync ${transferred(baseStats)} bytes\n`,
  );

  let n = 0;
  const ourRound = (fsync: boolean) => async (): Promise<Round> => {
    const id = `round-${n++}`;
    let bytesCopied = 0;
    const ms = await timeMs(async () => {
      const result = await takeSnapshot({ sourceDir: source, destinationDir: ours, id, previous: 'base', fsync });
      bytesCopied = result.bytesCopied;
    });
    await rm(join(ours, id), { recursive: true });
    return { ms, bytesCopied };
  };
  const results = await interleave<Round>(
    [
      {
        name: 'rsync -a --link-dest',
        run: async () => {
          const dest = join(theirs, `round-${n++}`);
          let stats = '';
          const ms = await timeMs(async () => {
            stats = await rsync([
              '-a',
              '--stats',
              ...selection,
              `--link-dest=${join(theirs, 'base')}`,
              `${source}/`,
              `${dest}/`,
            ]);
          });
          await rm(dest, { recursive: true });
          return { ms, bytesCopied: transferred(stats) };
        },
      },
      { name: 'keepwatch takeSnapshot', run: ourRound(true) },
      { name: 'keepwatch takeSnapshot, no fsync', run: ourRound(false) },
    ],
    rounds,
    {
      onRound: (name, round, value) =>
        process.stdout.write(
          `  round ${round + 1} ${name}: ${value.ms.toFixed(0)} ms, ${value.bytesCopied} bytes copied\n`,
        ),
    },
  );

  const baseline = median(results.get('rsync -a --link-dest')!.map((r) => r.ms));
  const rows = [...results].map(([name, list]) => {
    const ms = median(list.map((r) => r.ms));
    const copied = Math.max(...list.map((r) => r.bytesCopied));
    const isTarget = name === 'keepwatch takeSnapshot';
    return {
      name: `${name} (copied ${copied} B)`,
      value: ms,
      unit: 'ms',
      ratio: ms / baseline,
      ...(isTarget ? { target: '<= 1.2', ok: ms / baseline <= 1.2 && copied === 0 } : {}),
    };
  });
  printTable(`unchanged second snapshot of ${fileCount} files, median of ${rounds} rounds`, rows);
} finally {
  await rm(work, { recursive: true, force: true });
}
