import { isIP } from 'node:net';
import { fromText, reject, type ValueParser, withDisplay } from './value-parsers.js';

/** One `host:port` of `[redis] sentinels` or `[redis] cluster_nodes`. */
export interface RedisEndpoint {
  host: string;
  port: number;
}

/** A host name (`redis-1.internal`) or an IPv4 address. */
const HOST =
  /^(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/;

export function formatEndpoint({ host, port }: RedisEndpoint): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

/**
 * `host:port, host:port, …` (an IPv6 address in brackets): the Sentinels, or the Cluster nodes
 * ioredis discovers the cluster from. Every entry names its port (a Sentinel listens on 26379, a
 * node on 6379: a default would hide which one was meant), and none twice.
 */
export const redisEndpoints = (what: string, example: string): ValueParser<RedisEndpoint[]> =>
  withDisplay(
    fromText<RedisEndpoint[]>((raw) => {
      const expected = `expected ${what} as host:port separated by commas, e.g. ${example}`;
      const parts = raw.split(',').map((part) => part.trim());
      if (parts.length === 0 || parts.some((part) => part === '')) return reject(expected);
      const endpoints: RedisEndpoint[] = [];
      for (const part of parts) {
        const match = /^(?:\[([0-9a-fA-F:.]+)\]|([^:[\]]+)):(\d{1,5})$/.exec(part);
        if (!match) return reject(`${expected}; "${part.slice(0, 60)}" is not host:port`);
        if (match[1] !== undefined && isIP(match[1]) !== 6)
          return reject(`${expected}; [${match[1]}] is no IPv6 address`);
        if (match[2] !== undefined && !HOST.test(match[2]))
          return reject(`${expected}; "${match[2].slice(0, 60)}" is no host name or IPv4 address`);
        const port = Number(match[3]);
        if (port < 1 || port > 65535) return reject(`${expected}; ports go from 1 to 65535`);
        const endpoint = { host: (match[1] ?? match[2]!).toLowerCase(), port };
        if (endpoints.some((seen) => seen.host === endpoint.host && seen.port === port))
          return reject(`${expected}; ${formatEndpoint(endpoint)} is named twice`);
        endpoints.push(endpoint);
      }
      return endpoints;
    }),
    (endpoints) => endpoints.map(formatEndpoint).join(', '),
  );
