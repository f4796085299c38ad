import type { ResolvedRsyncOverSshOptions } from './rsync-options.js';

/**
 * The ssh client options of every call to the remote: key only (`BatchMode=yes`: ssh fails
 * instead of asking for a password), the host key checked as configured, nothing secret in them.
 * Shared by `rsyncOverSsh` and `sshStorage`, so both reach a remote the same way.
 */
export function sshOptions(opts: ResolvedRsyncOverSshOptions): string[] {
  return [
    '-F',
    opts.sshConfigFile,
    '-i',
    opts.identityFile,
    '-p',
    String(opts.port),
    '-o',
    'BatchMode=yes',
    '-o',
    'IdentitiesOnly=yes',
    '-o',
    `StrictHostKeyChecking=${opts.strictHostKeyChecking}`,
    ...(opts.knownHostsFile ? ['-o', `UserKnownHostsFile=${opts.knownHostsFile}`] : []),
    '-o',
    `ConnectTimeout=${opts.connectTimeoutSeconds}`,
    // A dead peer is noticed within a minute instead of when TCP gives up.
    '-o',
    'ServerAliveInterval=15',
    '-o',
    'ServerAliveCountMax=4',
  ];
}
