import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './net.js';
import { killAll, type RedisServerProcess, redisCli, spawnRedisServer, waitUntil } from './redis-processes.js';

export interface RedisClusterOptions {
  /** How many masters (each owning a third of the slots with 3). @defaultValue 3 */
  masters?: number;
  /** `requirepass` (and `masterauth`) of every node. */
  password?: string;
}

/** A Redis Cluster of a test's own: masters only, no persistence, on free loopback ports. */
export interface RedisClusterSetup {
  readonly ports: readonly number[];
  /** The nodes as `[redis] cluster_nodes` takes them: `127.0.0.1:a, 127.0.0.1:b, …`. */
  readonly nodes: string;
  /** Runs one redis-cli command on the node at `port` (with the password; `-c` follows redirects). */
  cli(port: number, args: readonly string[]): Promise<string>;
  /** Kills every node (SIGKILL) and removes the directory. Safe to call twice; never rejects. */
  destroy(): Promise<void>;
}

/**
 * Starts `masters` cluster-enabled redis-servers, joins them with `redis-cli --cluster create`
 * (no replicas) and waits for `cluster_state:ok` on every node. A start that fails half-way
 * kills what it had started.
 */
export async function startRedisCluster(options: RedisClusterOptions = {}): Promise<RedisClusterSetup> {
  const count = options.masters ?? 3;
  const password = options.password;
  const auth = password === undefined ? {} : { password };
  const dir = await mkdtemp(join(tmpdir(), 'kw-test-cluster-'));
  const processes: RedisServerProcess[] = [];
  let destroyed: Promise<void> | undefined;
  const destroy = () => {
    destroyed ??= (async () => {
      await killAll(processes);
      await rm(dir, { recursive: true, force: true });
    })();
    return destroyed;
  };
  try {
    const ports: number[] = [];
    for (let i = 0; i < count; i++) {
      const port = await freePort();
      ports.push(port);
      processes.push(
        await spawnRedisServer(dir, `node-${port}`, port, [
          'cluster-enabled yes',
          `cluster-config-file nodes-${port}.conf`,
          'cluster-node-timeout 2000',
          'save ""',
          'appendonly no',
          ...(password === undefined ? [] : [`requirepass ${password}`, `masterauth ${password}`]),
        ]),
      );
    }
    for (const port of ports) {
      await waitUntil(
        `cluster node on ${port} answering PING`,
        async () => ((await redisCli(port, ['ping'], auth)).trim() === 'PONG' ? true : undefined),
        10_000,
        50,
      );
    }
    await redisCli(
      ports[0]!,
      ['--cluster', 'create', ...ports.map((p) => `127.0.0.1:${p}`), '--cluster-replicas', '0', '--cluster-yes'],
      { ...auth, timeoutMs: 20_000 },
    );
    for (const port of ports) {
      await waitUntil(
        `cluster_state:ok on ${port}`,
        async () => ((await redisCli(port, ['cluster', 'info'], auth)).includes('cluster_state:ok') ? true : undefined),
        20_000,
        100,
      );
    }
    return {
      ports,
      nodes: ports.map((port) => `127.0.0.1:${port}`).join(', '),
      cli: (port, args) => redisCli(port, ['-c', ...args], auth),
      destroy,
    };
  } catch (error) {
    const outputs = processes.map((p) => `${p.port}: ${p.output().trim().slice(-400)}`).join('\n');
    await destroy();
    throw new Error(`${(error as Error).message}\n${outputs}`);
  }
}
