import { randomBytes } from 'node:crypto';
import { mkdir, readdir, rename, rm, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { BackupToolFailedError } from '../errors.js';
import { spawnTool } from '../pipeline/tool-process.js';
import { SnapshotTargetNotEmptyError } from '../snapshot/errors.js';
import { RemoteNotFoundError, RemoteTransferError } from './errors.js';
import type { PushOptions, RemoteDestination, RemoteEntry } from './remote-destination.js';
import { checkRemotePath, shellQuote } from './remote-path.js';
import { sshOptions } from './ssh-options.js';
import { resolveRsyncOverSshOptions, type RsyncOverSshOptions } from './rsync-options.js';
import { parseRsyncListing } from '../storage/rsync-listing.js';

/** Failures another attempt cannot fix: a refused key, an unknown or changed host key, a missing path. */
const PERMANENT =
  /Permission denied|Host key verification failed|REMOTE HOST IDENTIFICATION HAS CHANGED|No such file or directory|not accessible|No .* host key is known/i;
const MISSING = /No such file or directory \(2\)|change_dir .* failed: No such file/;

/**
 * A remote destination reached by `rsync -a` over SSH, key-based only (`BatchMode=yes`: ssh never
 * asks for a password or passphrase; it fails instead). Pushes go to `.<name>.partial` and are
 * renamed by one `mv` on the remote when complete; `linkDest` makes the remote keep unchanged
 * files of a snapshot as hard links to the previous copy, as locally. `rsync -a -H
 * --numeric-ids` keeps modes, times, symlinks, hard links and (as root on the remote) owners.
 *
 * The remote needs rsync and a POSIX shell with `mkdir`, `mv` and `rm` (any Linux or BSD host);
 * a forced-command `rrsync` account is not enough.
 */
export function rsyncOverSsh(options: RsyncOverSshOptions): RemoteDestination {
  const opts = resolveRsyncOverSshOptions(options);
  const hostSpec = opts.host.includes(':') && !opts.host.startsWith('[') ? `[${opts.host}]` : opts.host;
  const label = `${opts.user}@${hostSpec}:${opts.port}${opts.path}`;
  const sshArgs = sshOptions(opts);
  const remoteAbs = (segments: string[]): string => [opts.path.replace(/\/+$/, ''), ...segments].join('/') || '/';
  const remoteSpec = (absolute: string): string => `${opts.user}@${hostSpec}:${absolute}`;

  const run = async (tool: 'rsync' | 'ssh', args: string[], action: string): Promise<string> => {
    const path = tool === 'rsync' ? opts.rsyncPath : opts.sshPath;
    const proc = spawnTool({ name: tool, path, option: tool === 'rsync' ? 'rsyncPath' : 'sshPath' }, args, {
      env: opts.env,
      // rsync --list-only prints times in its own time zone; parseRsyncListing reads them as UTC.
      extraEnv: { TZ: 'UTC' },
      stdout: 'pipe',
    });
    let stdout = '';
    proc.stdout?.setEncoding('utf8');
    proc.stdout?.on('data', (chunk: string) => {
      stdout += chunk;
    });
    try {
      await proc.exited;
    } catch (error) {
      if (!(error instanceof BackupToolFailedError)) throw error;
      throw new RemoteTransferError(
        action,
        label,
        {
          exitCode: error.exitCode,
          signal: error.signal,
          stderrTail: error.stderrTail,
          retryable: !PERMANENT.test(error.stderrTail),
        },
        error,
      );
    }
    return stdout;
  };

  const rsync = (extra: string[], action: string, copy = true): Promise<string> =>
    run(
      'rsync',
      [
        // --modify-window=-1: compare mtimes to the nanosecond. At rsync's default (whole seconds)
        // a snapshot's index.ndjson, rewritten within the second at the same length, looked
        // unchanged next to --link-dest and the previous snapshot's index was linked instead.
        ...(copy ? ['-a', '-H', '--numeric-ids', '--modify-window=-1'] : []),
        `--timeout=${opts.ioTimeoutSeconds}`,
        ...(opts.bandwidthLimitKiBps > 0 ? [`--bwlimit=${opts.bandwidthLimitKiBps}`] : []),
        `--rsync-path=${opts.remoteRsyncPath}`,
        '-e',
        [opts.sshPath, ...sshArgs].join(' '),
        ...extra,
      ],
      action,
    );

  const ssh = (command: string, action: string): Promise<string> =>
    run('ssh', [...sshArgs, `${opts.user}@${opts.host.replace(/^\[|\]$/g, '')}`, '--', command], action);

  return {
    label,

    async push(localPath: string, remotePath: string, pushOptions: PushOptions = {}): Promise<void> {
      const segments = checkRemotePath(remotePath);
      const linkDest =
        pushOptions.linkDest === undefined ? undefined : remoteAbs(checkRemotePath(pushOptions.linkDest));
      const isDir = (await stat(localPath)).isDirectory();
      const final = remoteAbs(segments);
      const partial = remoteAbs([...segments.slice(0, -1), `.${segments.at(-1)!}.partial`]);
      await ssh(`mkdir -p -- ${shellQuote(dirname(final))}`, `creating ${dirname(final)}`);
      const args = isDir
        ? [
            '--delete',
            ...(linkDest ? [`--link-dest=${linkDest}`] : []),
            `${localPath.replace(/\/+$/, '')}/`,
            remoteSpec(`${partial}/`),
          ]
        : [localPath, remoteSpec(partial)];
      await rsync(args, `rsync push of ${remotePath}`);
      await ssh(
        `rm -rf -- ${shellQuote(final)} && mv -- ${shellQuote(partial)} ${shellQuote(final)}`,
        `renaming ${remotePath} into place`,
      );
      opts.logger?.info({ remote: label, path: remotePath }, 'remote: pushed');
    },

    async pull(remotePath: string, localPath: string): Promise<void> {
      const segments = checkRemotePath(remotePath);
      const existing = await stat(localPath).catch(() => undefined);
      if (existing && (!existing.isDirectory() || (await readdir(localPath)).length > 0))
        throw new SnapshotTargetNotEmptyError(localPath);
      const staging = join(dirname(localPath), `.${basename(localPath)}.pull-${randomBytes(4).toString('hex')}`);
      await mkdir(staging, { recursive: true, mode: 0o700 });
      try {
        await rsync([remoteSpec(remoteAbs(segments)), `${staging}/`], `rsync pull of ${remotePath}`).catch(
          (error: unknown) => {
            if (error instanceof RemoteTransferError && MISSING.test(error.stderrTail))
              throw new RemoteNotFoundError(remotePath, label, error);
            throw error;
          },
        );
        if (existing) await rm(localPath, { recursive: true });
        await rename(join(staging, segments.at(-1)!), localPath);
      } finally {
        await rm(staging, { recursive: true, force: true });
      }
    },

    async list(remoteDir = ''): Promise<RemoteEntry[]> {
      const segments = checkRemotePath(remoteDir, true);
      let out: string;
      try {
        out = await rsync(
          ['--list-only', '--no-human-readable', remoteSpec(`${remoteAbs(segments)}/`)],
          `listing ${remoteDir || '/'}`,
          false,
        );
      } catch (error) {
        if (error instanceof RemoteTransferError && MISSING.test(error.stderrTail)) return [];
        throw error;
      }
      return parseListing(out);
    },

    async remove(remotePath: string): Promise<void> {
      const segments = checkRemotePath(remotePath);
      const partial = remoteAbs([...segments.slice(0, -1), `.${segments.at(-1)!}.partial`]);
      await ssh(`rm -rf -- ${shellQuote(remoteAbs(segments))} ${shellQuote(partial)}`, `removing ${remotePath}`);
      opts.logger?.info({ remote: label, path: remotePath }, 'remote: removed');
    },

    async removeIncomplete(remoteDir: string): Promise<string[]> {
      // A push copies into `.<name>.partial` and renames it when complete; a push killed midway
      // leaves that folder (or file) behind, and since ids never repeat no later push reuses it.
      // rsync's own temporaries inside it (`.file.XXXXXX`) are removed by the receiving rsync when
      // its connection drops, and go with the folder anyway.
      const segments = checkRemotePath(remoteDir, true);
      const dir = shellQuote(remoteAbs(segments));
      const out = await ssh(
        `cd -- ${dir} 2>/dev/null || exit 0; for f in .*.partial; do [ -e "$f" ] || [ -L "$f" ] || continue; rm -rf -- "$f" && printf '%s\\n' "$f"; done`,
        `removing leftovers of interrupted pushes in ${remoteDir || '/'}`,
      );
      const removed = out
        .split('\n')
        .filter((name) => name !== '')
        .map((name) => [...segments, name].join('/'));
      if (removed.length > 0)
        opts.logger?.info({ remote: label, removed }, 'remote: removed what interrupted pushes left');
      return removed;
    },
  };
}

/** `rsync --list-only` output, one entry a line, by name; `.` and temporaries (dot names) left out. */
export function parseListing(text: string): RemoteEntry[] {
  return parseRsyncListing(text)
    .filter((entry) => !entry.path.startsWith('.'))
    .map(({ path, type, size, modifiedAt }) => ({ name: path, type, size, modifiedAt }))
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}
