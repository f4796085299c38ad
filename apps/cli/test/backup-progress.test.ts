import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PG_URL, pgAdmin } from '@keepwatch/test-support/postgres';

const main = fileURLToPath(new URL('../dist/main.js', import.meta.url));
const database = `kw_cli_backup_${randomBytes(4).toString('hex')}_tty`;
let dir: string;

/** Runs the command on a real pseudo-terminal (util-linux `script`), as a person at a shell would. */
function runOnTerminal(
  args: string[],
  env: Record<string, string>,
  timeoutMs = 60_000,
): Promise<{ code: number | null; output: string }> {
  const command = [process.execPath, main, ...args].map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ');
  return new Promise((resolve, reject) => {
    const child = spawn('script', ['-qec', command, '/dev/null'], {
      env: { PATH: process.env.PATH ?? '', TERM: 'dumb', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (c: Buffer) => (output += c.toString()));
    child.stderr.on('data', (c: Buffer) => (output += c.toString()));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`keepwatch ${args.join(' ')} did not finish on the terminal in ${timeoutMs} ms\n${output}`));
    }, timeoutMs);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'kw-cli-backup-tty-'));
  await pgAdmin((c) => c.query(`CREATE DATABASE ${database}`));
  await pgAdmin(
    (c) => c.query(`CREATE TABLE ticket AS SELECT g AS id, md5(g::text) AS holder FROM generate_series(1, 2000) g`),
    database,
  );
}, 30_000);

afterAll(async () => {
  await pgAdmin((c) => c.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`)).catch(() => undefined);
  await rm(dir, { recursive: true, force: true });
}, 30_000);

describe('keepwatch backup run on a terminal', () => {
  it('shows progress as one updating line (bytes, stored, rate), then the result', async () => {
    const { code, output } = await runOnTerminal(['backup', 'run'], {
      KEEPWATCH_DATABASE_URL: `${PG_URL}/${database}`,
      KEEPWATCH_DATA_DIR: join(dir, 'data'),
      KEEPWATCH_BACKUP_DESTINATION: join(dir, 'backups'),
    });
    expect(code, output).toBe(0);
    // Carriage return to rewrite the line in place, erase-to-end so a shorter line leaves no tail.
    // biome-ignore lint/suspicious/noControlCharactersInRegex: the ESC of the terminal's erase-line code is the point
    expect(output).toMatch(/\rbackup database: [\d.]+ kB raw, [\d.]+ k?B stored, [\d.]+ [kMG]?B\/s, [\d.]+ m?s\x1b\[K/);
    expect(output).toMatch(/\r?\nbackup database-\d{8}T\d{6}Z-[a-z0-9]{6} done: [\d.]+ kB dumped/);
  }, 70_000);
});
