import { readFile } from 'node:fs/promises';
import type { KeepwatchProcess } from './keepwatch.js';
import { deployPath } from './paths.js';

/**
 * The `[redis]` section of `deploy/redis/<kind>.ini` as keepwatch reads it, with the example's
 * addresses replaced by a test's own (`sentinels` or `cluster_nodes`) and the prefix by the test's.
 */
export async function exampleRedisSection(
  kind: 'sentinel' | 'cluster',
  replace: Record<string, string>,
): Promise<Record<string, string>> {
  const text = await readFile(deployPath('redis', `${kind}.ini`), 'utf8');
  const section: Record<string, string> = {};
  let inRedis = false;
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || line.startsWith(';')) continue;
    if (line.startsWith('[')) {
      inRedis = line === '[redis]';
      continue;
    }
    const at = line.indexOf('=');
    if (inRedis && at > 0) section[line.slice(0, at).trim()] = line.slice(at + 1).trim();
  }
  for (const key of Object.keys(replace)) {
    if (!(key in section)) throw new Error(`deploy/redis/${kind}.ini has no [redis] ${key} to replace`);
  }
  return { ...section, ...replace };
}

/** Every line a keepwatch process writes from now on (its start-up lines come from its tail). */
export interface ProcessLines {
  readonly lines: string[];
  /** The lines that are no pino JSON object, or that report an unhandled rejection or exception. */
  problems(): string[];
}

export function collectLines(process: KeepwatchProcess): ProcessLines {
  const lines = process.output().split('\n').filter(Boolean);
  let partial = '';
  const take = (chunk: Buffer) => {
    const parts = (partial + chunk.toString()).split('\n');
    partial = parts.pop() ?? '';
    lines.push(...parts.filter(Boolean));
  };
  process.child.stdout?.on('data', take);
  process.child.stderr?.on('data', take);
  return {
    lines,
    problems: () =>
      lines.filter((line) => {
        if (/unhandled|uncaught/i.test(line)) return true;
        try {
          const value: unknown = JSON.parse(line);
          return typeof value !== 'object' || value === null || Array.isArray(value);
        } catch {
          return true;
        }
      }),
  };
}
