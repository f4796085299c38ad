import { isAbsolute } from 'node:path';
import { REMOTE_HOST_PATTERN, REMOTE_PATH_PATTERN, REMOTE_USER_PATTERN } from '@keepwatch/conventions';
import * as z from 'zod/mini';
import { BackupOptionsError } from '../errors.js';
import type { BackupLogger } from '../logger.js';
import { toolEnvironmentSchema } from '../options.js';
import type { ToolEnvironmentOptions } from '../pipeline/tool-process.js';
import { english, zodProblems } from '../zod-problems.js';

/**
 * A remote reached with rsync over SSH, by key only: there is no password option, because a
 * password would have to travel in a process argument or environment variable.
 */
export interface RsyncOverSshOptions extends ToolEnvironmentOptions {
  /** Host name, IPv4 address, or IPv6 address with or without brackets (`[backup.remote] host`). */
  host: string;
  /** @defaultValue 22 */
  port?: number;
  /** (`[backup.remote] user`) */
  user: string;
  /** Absolute directory on the remote that holds the copies (`[backup.remote] path`). */
  path: string;
  /** Private key, absolute path, without passphrase (`[backup.remote] identity_file`). */
  identityFile: string;
  /**
   * known_hosts file holding the remote's host key (`[backup.remote] known_hosts_file`).
   * Required unless `strictHostKeyChecking` is `accept-new` or `no`.
   * @defaultValue undefined
   */
  knownHostsFile?: string;
  /**
   * `yes`: only a host key listed in `knownHostsFile`; `accept-new`: trust the first key seen
   * and write it to `knownHostsFile`; `no`: any key (tests only; open to a man in the middle).
   * @defaultValue 'yes'
   */
  strictHostKeyChecking?: 'yes' | 'accept-new' | 'no';
  /** ssh client configuration file; `none` reads none, so only these options apply. @defaultValue 'none' */
  sshConfigFile?: string;
  /** @defaultValue 'rsync' (found on PATH) */
  rsyncPath?: string;
  /** @defaultValue 'ssh' (found on PATH) */
  sshPath?: string;
  /** rsync on the remote, when it is not on the remote's PATH. @defaultValue 'rsync' */
  remoteRsyncPath?: string;
  /** ssh's ConnectTimeout. @defaultValue 10 */
  connectTimeoutSeconds?: number;
  /** rsync's --timeout: give up when no data moves for this long. @defaultValue 300 */
  ioTimeoutSeconds?: number;
  /** rsync's --bwlimit in KiB/s; 0 is no limit. @defaultValue 0 */
  bandwidthLimitKiBps?: number;
  /** @defaultValue a silent logger */
  logger?: BackupLogger;
}

export type ResolvedRsyncOverSshOptions = Readonly<
  Required<Omit<RsyncOverSshOptions, 'knownHostsFile' | 'logger'>> &
    Pick<RsyncOverSshOptions, 'knownHostsFile' | 'logger'>
>;

// Quotes and whitespace would break rsync's parsing of the -e command; a leading "-" would be an option.
const safePath = z.string().check(
  z.minLength(1),
  z.refine(isAbsolute, 'must be an absolute path'),
  z.refine((p) => !/["'\s\\$`]/.test(p), 'must not hold quotes, spaces, "\\", "$" or "`"'),
);

const schema = z
  .strictObject({
    host: z
      .string()
      .check(
        z.regex(REMOTE_HOST_PATTERN, 'must be a host name, an IPv4 address or an IPv6 address (brackets optional)'),
      ),
    port: z._default(z.int().check(z.minimum(1), z.maximum(65_535)), 22),
    user: z.string().check(z.regex(REMOTE_USER_PATTERN, 'must be a user name')),
    path: z
      .string()
      .check(
        z.regex(REMOTE_PATH_PATTERN, 'must be an absolute path of A-Z, a-z, 0-9, ".", "_", "-" and "/" without ".."'),
      ),
    identityFile: safePath,
    knownHostsFile: z.optional(safePath),
    strictHostKeyChecking: z._default(z.enum(['yes', 'accept-new', 'no']), 'yes'),
    sshConfigFile: z._default(z.union([z.literal('none'), safePath]), 'none'),
    rsyncPath: z._default(z.string().check(z.minLength(1)), 'rsync'),
    sshPath: z._default(
      z.string().check(
        z.minLength(1),
        z.refine((p) => !/["'\s\\$`]/.test(p), 'must not hold quotes or spaces'),
      ),
      'ssh',
    ),
    remoteRsyncPath: z._default(
      z.string().check(z.regex(/^[A-Za-z0-9._/-]+$/, 'must be a command or path without spaces')),
      'rsync',
    ),
    connectTimeoutSeconds: z._default(z.int().check(z.minimum(1), z.maximum(600)), 10),
    ioTimeoutSeconds: z._default(z.int().check(z.minimum(1), z.maximum(86_400)), 300),
    bandwidthLimitKiBps: z._default(z.int().check(z.minimum(0)), 0),
    logger: z.optional(z.custom<BackupLogger>((v) => typeof v === 'object' && v !== null, 'must be a logger')),
    env: toolEnvironmentSchema,
  })
  .check(
    z.refine((o) => o.knownHostsFile !== undefined || o.strictHostKeyChecking !== 'yes', {
      path: ['knownHostsFile'],
      message: 'is required when strictHostKeyChecking is "yes" (the default)',
    }),
  );

/** Merges defaults and validates once; every problem is listed in one error. */
export function resolveRsyncOverSshOptions(options: RsyncOverSshOptions): ResolvedRsyncOverSshOptions {
  const result = schema.safeParse(options, english);
  if (!result.success) throw new BackupOptionsError('remote options', zodProblems(result.error, 'remote options'));
  return Object.freeze({ ...result.data, knownHostsFile: result.data.knownHostsFile, logger: result.data.logger });
}
