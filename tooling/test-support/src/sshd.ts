import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { vi } from 'vitest';
import { freePort } from './net.js';

const sshdPath = '/usr/sbin/sshd';

export interface TestSshd {
  port: number;
  /** The client key sshd accepts. */
  identityFile: string;
  /** A known_hosts file with sshd's host key. */
  knownHostsFile: string;
  /** A key sshd does not know. */
  strangerIdentityFile: string;
  /** A known_hosts file with some other host key for this address. */
  wrongKnownHostsFile: string;
  stop(): Promise<void>;
}

function keygen(path: string): void {
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'keepwatch-test', '-f', path]);
}

/**
 * A real OpenSSH server of this test's own, on a free loopback port, with keys made for it in
 * `dir`: host key, one authorized client key, and a stranger key and a wrong host key for the
 * failure tests. Root may log in with a key only.
 */
export async function startSshd(dir: string): Promise<TestSshd> {
  mkdirSync('/run/sshd', { recursive: true, mode: 0o755 }); // sshd's privilege separation directory
  keygen(join(dir, 'host_ed25519'));
  keygen(join(dir, 'client_ed25519'));
  keygen(join(dir, 'stranger_ed25519'));
  keygen(join(dir, 'other_host_ed25519'));
  writeFileSync(join(dir, 'authorized_keys'), readFileSync(join(dir, 'client_ed25519.pub')), { mode: 0o600 });
  const port = await freePort();
  const hostLine = (pub: string): string =>
    `[127.0.0.1]:${port} ${readFileSync(pub, 'utf8').split(' ').slice(0, 2).join(' ')}\n`;
  writeFileSync(join(dir, 'known_hosts'), hostLine(join(dir, 'host_ed25519.pub')));
  writeFileSync(join(dir, 'wrong_known_hosts'), hostLine(join(dir, 'other_host_ed25519.pub')));
  const config = join(dir, 'sshd_config');
  writeFileSync(
    config,
    [
      `Port ${port}`,
      'ListenAddress 127.0.0.1',
      `HostKey ${join(dir, 'host_ed25519')}`,
      `AuthorizedKeysFile ${join(dir, 'authorized_keys')}`,
      'PasswordAuthentication no',
      'KbdInteractiveAuthentication no',
      'UsePAM no',
      'StrictModes no',
      'PermitRootLogin prohibit-password',
      `PidFile ${join(dir, 'sshd.pid')}`,
      'LogLevel ERROR',
      '',
    ].join('\n'),
  );
  const child = spawn(sshdPath, ['-D', '-e', '-f', config], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  // A spawn that fails (no sshd installed) emits 'error' instead of 'spawn': fail the test with
  // what to do, not with an unhandled error that ends the whole run.
  try {
    await once(child, 'spawn');
  } catch (error) {
    throw new Error(
      `cannot start ${sshdPath} (${(error as Error).message}): install openssh-server (scripts/prepare-machine.sh does)`,
    );
  }
  await waitForBanner(port, child, () => stderr, 10_000);
  return {
    port,
    identityFile: join(dir, 'client_ed25519'),
    knownHostsFile: join(dir, 'known_hosts'),
    strangerIdentityFile: join(dir, 'stranger_ed25519'),
    wrongKnownHostsFile: join(dir, 'wrong_known_hosts'),
    stop: () => stopChild(child),
  };
}

async function waitForBanner(
  port: number,
  child: ChildProcess,
  stderr: () => string,
  timeoutMs: number,
): Promise<void> {
  const exited = new Error('exited');
  try {
    await vi.waitUntil(
      async () => {
        // An sshd that has exited never answers: a thrown error ends the wait at once.
        if (child.exitCode !== null) throw exited;
        return (await firstWords(port)).startsWith('SSH-2.0');
      },
      { timeout: timeoutMs, interval: 100 },
    );
  } catch (error) {
    if (error === exited) throw new Error(`sshd exited with ${child.exitCode}: ${stderr()}`);
    child.kill('SIGKILL');
    throw new Error(`sshd did not answer on port ${port} within ${timeoutMs} ms: ${stderr()}`);
  }
}

/** What a server on `port` says first, within 1 s ('' when it refuses or says nothing). */
function firstWords(port: number): Promise<string> {
  return new Promise<string>((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.setTimeout(1000, () => socket.destroy());
    socket.once('data', (data) => {
      resolve(data.toString());
      socket.destroy();
    });
    socket.once('error', () => resolve(''));
    socket.once('close', () => resolve(''));
  });
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}
