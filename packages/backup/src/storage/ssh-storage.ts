import { PassThrough } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { BackupToolFailedError } from '../errors.js';
import { resolveRsyncOverSshOptions, type RsyncOverSshOptions } from '../remote/rsync-options.js';
import { shellQuote } from '../remote/remote-path.js';
import { sshOptions } from '../remote/ssh-options.js';
import { spawnTool, type ToolProcess } from '../pipeline/tool-process.js';
import { resolveRange } from './byte-range.js';
import { takeIn } from './body-intake.js';
import {
  StorageAccessDeniedError,
  StorageFailedError,
  StorageNotFoundError,
  StorageUnavailableError,
} from './errors.js';
import { parseRsyncListing } from './rsync-listing.js';
import {
  checkKey,
  compareKeys,
  isKey,
  isTemporaryName,
  splitPrefix,
  temporaryInPrefix,
  temporaryName,
} from './storage-key.js';
import type { Storage, StorageObject } from './storage.js';

export type SshStorageOptions = RsyncOverSshOptions;

const DENIED =
  /Permission denied|Host key verification failed|REMOTE HOST IDENTIFICATION HAS CHANGED|No .* host key is known/i;
const MISSING = /No such file or directory/;
const UNREACHABLE =
  /Connection refused|Connection timed out|Connection reset|Connection closed|closed by remote host|No route to host|Could not resolve|Name or service not known|Network is unreachable|Broken pipe|timed out|connection unexpectedly closed|unexpected end of file/i;

/**
 * A folder on another machine, over the same ssh transport and options as `rsyncOverSsh` (key
 * only, host key checked). A write streams through `ssh … 'cat > .<name>.<random>.partial'`; once
 * ssh has exited cleanly and the remote file has exactly the bytes sent, a second command flushes
 * it (`sync`) and renames it into place. The rename is never part of the upload's command: when
 * this process dies mid-upload, sshd closes the remote `cat`'s input, `cat` ends normally, and a
 * `&& mv` would publish half a file. Listings (`rsync --list-only`) leave out every dot name.
 *
 * The remote needs a POSIX shell with `cat`, `wc`, `mkdir`, `mv`, `rm`, `tail`, `head`, and rsync.
 */
export function sshStorage(options: SshStorageOptions): Storage {
  const opts = resolveRsyncOverSshOptions(options);
  const hostSpec = opts.host.includes(':') && !opts.host.startsWith('[') ? `[${opts.host}]` : opts.host;
  const label = `${opts.user}@${hostSpec}:${opts.port}${opts.path}`;
  const root = opts.path.replace(/\/+$/, '');
  const remoteAbs = (segments: string[]): string => [root, ...segments].join('/') || '/';
  const sshArgs = sshOptions(opts);
  const login = `${opts.user}@${opts.host.replace(/^\[|\]$/g, '')}`;

  const spawn = (
    tool: 'rsync' | 'ssh',
    args: string[],
    io: { stdin?: 'pipe'; stdout?: 'pipe' | 'ignore' } = {},
  ): ToolProcess =>
    spawnTool(
      {
        name: tool,
        path: tool === 'rsync' ? opts.rsyncPath : opts.sshPath,
        option: tool === 'rsync' ? 'rsyncPath' : 'sshPath',
      },
      args,
      // TZ=UTC: rsync prints listed times in its own time zone (see parseRsyncListing).
      { env: opts.env, extraEnv: { TZ: 'UTC' }, stdin: io.stdin ?? 'ignore', stdout: io.stdout ?? 'pipe' },
    );

  /** A storage error for a failed ssh or rsync; `key` makes "No such file" a not-found. */
  const failure = (action: string, error: unknown, key?: string): Error => {
    if (!(error instanceof BackupToolFailedError)) return error as Error;
    const tail = error.stderrTail;
    if (key !== undefined && MISSING.test(tail)) return new StorageNotFoundError(key, label, error);
    if (DENIED.test(tail)) return new StorageAccessDeniedError(action, label, tail, error);
    // ssh exits 255 for its own failures (cannot connect, connection lost); rsync 10, 12, 30, 35 for the transport's.
    const transport =
      (error.tool === 'ssh' && error.exitCode === 255) || [10, 12, 30, 35].includes(error.exitCode ?? -1);
    if (transport || UNREACHABLE.test(tail) || error.exitCode === null)
      return new StorageUnavailableError(action, label, tail || `${error.tool} failed`, error);
    return new StorageFailedError(action, label, tail || `${error.tool} exited with ${error.exitCode}`, true, error);
  };

  const run = async (tool: 'rsync' | 'ssh', args: string[], action: string, key?: string): Promise<string> => {
    const proc = spawn(tool, args);
    let stdout = '';
    proc.stdout!.setEncoding('utf8');
    proc.stdout!.on('data', (chunk: string) => {
      stdout += chunk;
    });
    try {
      await proc.exited;
    } catch (error) {
      throw failure(action, error, key);
    }
    return stdout;
  };

  const ssh = (command: string, action: string, key?: string): Promise<string> =>
    run('ssh', [...sshArgs, login, '--', command], action, key);

  /** Entries under `segments` (recursive unless `flat`), hidden names only where `filters` let them through. */
  const rsyncList = async (segments: string[], action: string, filters: string[], recursive = true) => {
    try {
      const out = await run(
        'rsync',
        [
          '--list-only',
          '--no-human-readable',
          ...(recursive ? ['-r'] : []),
          ...filters,
          `--timeout=${opts.ioTimeoutSeconds}`,
          `--rsync-path=${opts.remoteRsyncPath}`,
          '-e',
          [opts.sshPath, ...sshArgs].join(' '),
          `${login}:${remoteAbs(segments)}${recursive ? '/' : ''}`,
        ],
        action,
        '',
      );
      return parseRsyncListing(out);
    } catch (error) {
      if (error instanceof StorageNotFoundError) return [];
      throw error;
    }
  };

  const stat = async (key: string): Promise<StorageObject> => {
    const segments = checkKey(key);
    const entries = await rsyncList(segments, `stat of "${key}"`, [], false);
    const entry = entries.find((e) => e.path === segments.at(-1));
    if (entry?.type !== 'file') throw new StorageNotFoundError(key, label);
    return { key, size: entry.size, modifiedAt: entry.modifiedAt };
  };

  const removeQuietly = async (path: string): Promise<void> => {
    await ssh(`rm -f -- ${shellQuote(path)}`, 'removing a temporary').catch((error: unknown) =>
      opts.logger?.warn(
        { err: error, storage: label, path },
        'storage: could not remove the temporary of a failed write; cleanupIncompleteUploads will',
      ),
    );
  };

  return {
    label,

    async write(key, body, writeOptions = {}) {
      const segments = checkKey(key);
      const dir = remoteAbs(segments.slice(0, -1));
      const final = remoteAbs(segments);
      const temp = `${dir}/${temporaryName(segments.at(-1)!)}`;
      const intake = takeIn(body, writeOptions.signal);
      const proc = spawn(
        'ssh',
        [...sshArgs, login, '--', `umask 077 && mkdir -p -- ${shellQuote(dir)} && cat > ${shellQuote(temp)}`],
        { stdin: 'pipe', stdout: 'ignore' },
      );
      const [upload, exit] = await Promise.allSettled([pipeline(intake.stream, proc.stdin!), proc.exited]);
      intake.dispose();
      if (upload.status === 'rejected' || exit.status === 'rejected') {
        proc.kill();
        await proc.exited.catch(() => {});
        await removeQuietly(temp);
        if (writeOptions.signal?.aborted) throw writeOptions.signal.reason;
        if (intake.failure() !== undefined) throw intake.failure();
        throw failure(
          `writing "${key}"`,
          exit.status === 'rejected' ? exit.reason : (upload as PromiseRejectedResult).reason,
        );
      }
      const size = intake.stream.bytes;
      // The byte count guards against a transport that ended early without saying so.
      const commit = [
        `s=$(wc -c < ${shellQuote(temp)}) && s=$((s)) &&`,
        `if [ "$s" -ne ${size} ]; then echo "the remote file has $s bytes, ${size} were sent" >&2; rm -f -- ${shellQuote(temp)}; exit 3; fi &&`,
        `{ sync -- ${shellQuote(temp)} 2>/dev/null || sync; } &&`,
        `mv -f -- ${shellQuote(temp)} ${shellQuote(final)} &&`,
        `{ sync -- ${shellQuote(dir)} 2>/dev/null || true; }`,
      ].join(' ');
      try {
        await ssh(commit, `writing "${key}"`);
      } catch (error) {
        await removeQuietly(temp);
        throw error;
      }
      return { key, size, sha256: intake.stream.digest() };
    },

    async read(key, range) {
      const segments = checkKey(key);
      const path = shellQuote(remoteAbs(segments));
      // One connection: the remote prints the size on a line of its own, then the bytes, but only
      // when the range fits (checked again here, where it becomes the error). Numbers that are not
      // offsets stand in as 0, so nothing but digits reaches the shell. tail seeks in a regular
      // file, so a range does not read the bytes before it.
      const offset = Number.isSafeInteger(range?.offset) && range!.offset >= 0 ? range!.offset : 0;
      const length = Number.isSafeInteger(range?.length) && range!.length! >= 0 ? range!.length! : undefined;
      const payload =
        range === undefined
          ? `cat -- ${path}`
          : length === undefined
            ? `if [ ${offset} -le "$s" ]; then tail -c +${offset + 1} -- ${path}; fi`
            : `if [ ${offset + length} -le "$s" ]; then tail -c +${offset + 1} -- ${path} | head -c ${length}; fi`;
      const command = [
        `if [ ! -f ${path} ]; then echo "${remoteAbs(segments)}: No such file or directory" >&2; exit 2; fi;`,
        `s=$(wc -c < ${path}) && s=$((s)) && echo "$s" && ${payload}`,
      ].join(' ');
      const proc = spawn('ssh', [...sshArgs, login, '--', command]);
      const stdout = proc.stdout!;
      const out = new PassThrough();
      let header = '';
      let expected: number | undefined;
      let received = 0;
      const sized = new Promise<number>((resolve, reject) => {
        stdout.on('data', (chunk: Buffer) => {
          let rest = chunk;
          if (expected === undefined) {
            const newline = chunk.indexOf(10);
            if (newline === -1) {
              header += chunk.toString('latin1');
              if (header.length > 32)
                reject(new StorageFailedError(`reading "${key}"`, label, 'the remote did not say the size', true));
              return;
            }
            header += chunk.subarray(0, newline).toString('latin1');
            const size = Number(header);
            try {
              expected = resolveRange(range, size, key, label).length;
            } catch (error) {
              reject(error);
              return;
            }
            resolve(size);
            rest = chunk.subarray(newline + 1);
          }
          received += rest.length;
          if (rest.length > 0 && !out.write(rest)) stdout.pause();
        });
        proc.exited.then(
          () => reject(new StorageFailedError(`reading "${key}"`, label, 'the remote did not say the size', true)),
          (error: unknown) => reject(failure(`reading "${key}"`, error, key)),
        );
      });
      out.on('drain', () => stdout.resume());
      out.on('close', () => proc.kill());
      try {
        await sized;
      } catch (error) {
        proc.kill();
        out.destroy();
        throw error;
      }
      // Ended only once ssh exited cleanly: a cat cut short must fail the reader, not look like the end.
      proc.exited.then(
        () => {
          if (received === expected) out.end();
          else
            out.destroy(
              new StorageFailedError(`reading "${key}"`, label, `got ${received} of ${expected} bytes`, true),
            );
        },
        (error: unknown) => out.destroy(failure(`reading "${key}"`, error, key)),
      );
      return out;
    },

    stat,

    async list(prefix = '') {
      const { folder, start } = splitPrefix(prefix);
      const entries = await rsyncList(folder, `listing "${prefix}"`, ['--exclude=.*']);
      const found: StorageObject[] = [];
      for (const entry of entries) {
        if (entry.type !== 'file' || !entry.path.startsWith(start)) continue;
        const key = [...folder, entry.path].join('/');
        if (!isKey(key)) continue; // a name no key can have (put there by something else)
        found.push({ key, size: entry.size, modifiedAt: entry.modifiedAt });
      }
      return found.sort((a, b) => compareKeys(a.key, b.key));
    },

    async delete(key) {
      const segments = checkKey(key);
      await ssh(`rm -f -- ${shellQuote(remoteAbs(segments))}`, `deleting "${key}"`);
    },

    async cleanupIncompleteUploads(olderThan, cleanupOptions = {}) {
      const prefix = cleanupOptions.prefix ?? '';
      const { folder } = splitPrefix(prefix);
      // Walk every folder under the prefix's except hidden ones (a snapshot being pushed), list only temporaries.
      const entries = await rsyncList(folder, 'listing unfinished writes', [
        '--exclude=.*/',
        '--include=*/',
        '--include=.*.partial',
        '--exclude=*',
      ]);
      const leftovers = entries
        .filter((e) => e.type === 'file' && e.modifiedAt < olderThan)
        .map((e) => [...folder, e.path].join('/'))
        .filter((path) => {
          const names = path.split('/');
          const name = names.pop()!;
          if (!isTemporaryName(name) || !temporaryInPrefix(names, name, prefix)) return false;
          try {
            if (names.length > 0) checkKey(names.join('/'));
            return true;
          } catch {
            return false;
          }
        });
      // In batches, so one command line stays far below ARG_MAX.
      for (let i = 0; i < leftovers.length; i += 200) {
        const batch = leftovers.slice(i, i + 200).map((p) => shellQuote(`${root}/${p}`));
        await ssh(`rm -f -- ${batch.join(' ')}`, 'removing leftovers of unfinished writes');
      }
      if (leftovers.length > 0)
        opts.logger?.info({ storage: label, removed: leftovers }, 'storage: removed leftovers of unfinished writes');
      return leftovers;
    },

    async close() {},
  };
}
