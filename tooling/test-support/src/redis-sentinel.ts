import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './net.js';
import {
  killAll,
  type RedisServerProcess,
  redisCli,
  redisInfo,
  spawnRedisServer,
  waitUntil,
} from './redis-processes.js';

export interface RedisSentinelOptions {
  /** The monitored master's name. @defaultValue 'kwmaster' */
  masterName?: string;
  /** `requirepass` (and `masterauth`) of the master and the replica. */
  password?: string;
  /** `requirepass` of the Sentinels themselves. */
  sentinelPassword?: string;
  /** Sentinel's `down-after-milliseconds`. @defaultValue 1000 */
  downAfterMs?: number;
}

/** A master, one replica and three Sentinels of a test's own, on free loopback ports. */
export interface RedisSentinelSetup {
  readonly masterName: string;
  /** The Sentinels as `[redis] sentinels` takes them: `127.0.0.1:a, 127.0.0.1:b, 127.0.0.1:c`. */
  readonly sentinels: string;
  readonly sentinelPorts: readonly number[];
  /** The port of the first master (the one {@link killMaster} kills). */
  readonly masterPort: number;
  /** The port of the replica (the master after a failover). */
  readonly replicaPort: number;
  /** The master the Sentinels report now (asks each until one answers). */
  currentMasterPort(): Promise<number>;
  /** Resolves once the replica has acknowledged everything the master had written when called. */
  waitReplicated(timeoutMs?: number): Promise<void>;
  /** SIGKILL to the first master: no shutdown, no last replication. */
  killMaster(): Promise<void>;
  /** Resolves once a majority of the Sentinels names the replica as master, with the ms it took. */
  waitForFailover(timeoutMs?: number): Promise<number>;
  /** SIGSTOP to the master or replica at `port`: it keeps its connections and answers nothing. */
  freeze(port: number): void;
  /** SIGCONT after {@link freeze}. */
  thaw(port: number): void;
  /** Runs one redis-cli command on the node at `port` (with the data password). */
  cli(port: number, args: readonly string[]): Promise<string>;
  /** Kills every process (SIGKILL) and removes the directory. Safe to call twice; never rejects. */
  destroy(): Promise<void>;
}

/**
 * Starts a Redis Sentinel deployment as a test needs one: a master, a replica (replicating with
 * diskless sync and no delay, so it is in sync within a second), then three Sentinels with a
 * quorum of two and fast settings (down after `downAfterMs`, failover timeout 2 s), and waits
 * until every Sentinel knows the replica and the two other Sentinels. Nothing is persisted.
 * A start that fails half-way kills what it had started.
 */
export async function startRedisSentinel(options: RedisSentinelOptions = {}): Promise<RedisSentinelSetup> {
  const masterName = options.masterName ?? 'kwmaster';
  const downAfterMs = options.downAfterMs ?? 1000;
  const dir = await mkdtemp(join(tmpdir(), 'kw-test-sentinel-'));
  const processes: RedisServerProcess[] = [];
  const password = options.password;
  const auth = password === undefined ? {} : { password };
  const sentinelAuth = options.sentinelPassword === undefined ? {} : { password: options.sentinelPassword };
  let destroyed: Promise<void> | undefined;
  const destroy = () => {
    destroyed ??= (async () => {
      await killAll(processes);
      await rm(dir, { recursive: true, force: true });
    })();
    return destroyed;
  };

  try {
    const dataLines = [
      'save ""',
      'appendonly no',
      'repl-diskless-sync yes',
      'repl-diskless-sync-delay 0',
      ...(password === undefined ? [] : [`requirepass ${password}`, `masterauth ${password}`]),
    ];
    const masterPort = await freePort();
    processes.push(await spawnRedisServer(dir, 'master', masterPort, dataLines));
    const replicaPort = await freePort();
    processes.push(
      await spawnRedisServer(dir, 'replica', replicaPort, [...dataLines, `replicaof 127.0.0.1 ${masterPort}`]),
    );
    await waitUntil(
      `replica on ${replicaPort} in sync with the master on ${masterPort}`,
      async () =>
        (await redisInfo(replicaPort, 'replication', password)).get('master_link_status') === 'up' ? true : undefined,
      15_000,
    );

    const sentinelPorts: number[] = [];
    for (let i = 0; i < 3; i++) {
      const port = await freePort();
      sentinelPorts.push(port);
      processes.push(
        await spawnRedisServer(
          dir,
          `sentinel-${i}`,
          port,
          [
            `sentinel monitor ${masterName} 127.0.0.1 ${masterPort} 2`,
            `sentinel down-after-milliseconds ${masterName} ${downAfterMs}`,
            `sentinel failover-timeout ${masterName} 2000`,
            `sentinel parallel-syncs ${masterName} 1`,
            ...(password === undefined ? [] : [`sentinel auth-pass ${masterName} ${password}`]),
            ...(options.sentinelPassword === undefined ? [] : [`requirepass ${options.sentinelPassword}`]),
          ],
          { sentinel: true },
        ),
      );
    }
    for (const port of sentinelPorts) {
      await waitUntil(
        `Sentinel on ${port} knowing the replica and two other Sentinels`,
        async () => {
          const fields = (await redisCli(port, ['sentinel', 'master', masterName], sentinelAuth)).split('\n');
          const field = (name: string) => fields[fields.indexOf(name) + 1]?.trim();
          return field('num-slaves') === '1' && field('num-other-sentinels') === '2' ? true : undefined;
        },
        20_000,
        200,
      );
    }

    const currentMasterPort = async (): Promise<number> => {
      let last: unknown;
      for (const port of sentinelPorts) {
        try {
          const [, masterPortText] = (
            await redisCli(port, ['sentinel', 'get-master-addr-by-name', masterName], {
              ...sentinelAuth,
              timeoutMs: 2000,
            })
          )
            .trim()
            .split('\n');
          return Number(masterPortText);
        } catch (error) {
          last = error;
        }
      }
      throw new Error(`no Sentinel answered: ${(last as Error | undefined)?.message}`);
    };

    return {
      masterName,
      sentinels: sentinelPorts.map((port) => `127.0.0.1:${port}`).join(', '),
      sentinelPorts,
      masterPort,
      replicaPort,
      currentMasterPort,
      async waitReplicated(timeoutMs = 10_000) {
        const written = Number((await redisInfo(masterPort, 'replication', password)).get('master_repl_offset'));
        await waitUntil(
          `replica acknowledging offset ${written}`,
          async () => {
            const line = (await redisInfo(masterPort, 'replication', password)).get('slave0') ?? '';
            const acked = Number(/offset=(\d+)/.exec(line)?.[1] ?? -1);
            return acked >= written ? true : undefined;
          },
          timeoutMs,
          50,
        );
      },
      async killMaster() {
        await processes[0]!.kill('SIGKILL');
      },
      async waitForFailover(timeoutMs = 30_000) {
        const started = Date.now();
        await waitUntil(
          `failover to the replica on ${replicaPort}`,
          async () => {
            let agree = 0;
            for (const port of sentinelPorts) {
              const answer = await redisCli(port, ['sentinel', 'get-master-addr-by-name', masterName], {
                ...sentinelAuth,
                timeoutMs: 1000,
              }).catch(() => '');
              if (answer.trim().split('\n')[1] === String(replicaPort)) agree++;
            }
            return agree >= 2 ? true : undefined;
          },
          timeoutMs,
          50,
        );
        return Date.now() - started;
      },
      freeze: (port) => processes.find((p) => p.port === port)?.child.kill('SIGSTOP'),
      thaw: (port) => processes.find((p) => p.port === port)?.child.kill('SIGCONT'),
      cli: (port, args) => redisCli(port, args, auth),
      destroy,
    };
  } catch (error) {
    const outputs = processes.map((p) => `${p.port}: ${p.output().trim().slice(-400)}`).join('\n');
    await destroy();
    throw new Error(`${(error as Error).message}\n${outputs}`);
  }
}
