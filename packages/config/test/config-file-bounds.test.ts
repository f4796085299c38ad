import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ConfigError,
  ConfigFileError,
  ConfigFileTooLargeError,
  MAX_CONFIG_FILE_BYTES,
  MAX_LISTED_PROBLEMS,
  loadConfig,
} from '../src/index.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'kw-config-bounds-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function failure(path: string): Promise<Error> {
  return loadConfig({ path, env: {} }).then(
    () => {
      throw new Error(`${path} was accepted`);
    },
    (e: unknown) => e as Error,
  );
}

describe('what a config file may be', () => {
  it('refuses /dev/zero at once, having read no more than the limit', async () => {
    const started = performance.now();
    const error = await failure('/dev/zero');
    expect(error).toBeInstanceOf(ConfigFileTooLargeError);
    expect(error.message).toBe(
      'the config file /dev/zero is larger than 1 MiB; a keepwatch config is a few KB: is it the right file?',
    );
    expect(performance.now() - started).toBeLessThan(500);
  });

  it('refuses a file one byte over the limit and reads one at the limit', async () => {
    const over = join(dir, 'over.ini');
    await writeFile(over, `[server]\n${'#'.repeat(MAX_CONFIG_FILE_BYTES - 9)}\n`);
    expect(await failure(over)).toBeInstanceOf(ConfigFileTooLargeError);
    const at = join(dir, 'at.ini');
    await writeFile(at, `[server]\n${'#'.repeat(MAX_CONFIG_FILE_BYTES - 10)}\n`);
    expect((await loadConfig({ path: at, env: {} })).path).toBe(at);
  });

  it('lists the first problems of a file of junk, without overflowing the stack', async () => {
    // 400 000 lines, each a problem: a spread of that many arguments threw RangeError.
    const path = join(dir, 'junk.ini');
    await writeFile(path, 'x\n'.repeat(400_000));
    const error = await failure(path);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).problems).toHaveLength(400_000);
    const lines = error.message.split('\n');
    expect(lines).toHaveLength(MAX_LISTED_PROBLEMS + 2);
    expect(lines.at(-1)).toBe(`  … and ${400_000 - MAX_LISTED_PROBLEMS} more`);
  });

  it('echoes at most 60 characters of a key or section, never control characters', async () => {
    const path = join(dir, 'long-key.ini');
    await writeFile(path, `[server]\n${'k'.repeat(500_000)} = 1\n[${'s'.repeat(100_000)}\u001b[31m]\nx = 1\n`);
    const error = await failure(path);
    expect(error.message.length).toBeLessThan(1000);
    expect(error.message).toContain(`${path}:2: [server] ${'k'.repeat(59)}…: unknown setting`);
    expect(error.message).not.toContain('\u001b');
  });

  it('refuses a file that is not UTF-8, naming the line', async () => {
    const path = join(dir, 'latin1.ini');
    await writeFile(
      path,
      Buffer.concat([
        Buffer.from('[data]\nsecret = caf'),
        Buffer.from([0xe9]),
        Buffer.from('-and-more-than-32-characters-long\n'),
      ]),
    );
    const error = await failure(path);
    expect(error).toBeInstanceOf(ConfigFileError);
    expect(error.message).toBe(`cannot read the config file ${path} (not UTF-8 text, line 2)`);
  });

  it('names a directory given as the config file', async () => {
    const error = await failure(dir);
    expect(error).toBeInstanceOf(ConfigFileError);
    expect(error.message).toBe(`cannot read the config file ${dir} (EISDIR)`);
  });
});
