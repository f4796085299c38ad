import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { freePort } from '@keepwatch/test-support/net';
import { type OwnRedis, startOwnRedis } from '@keepwatch/test-support/own-redis';
import { createPgDatabase, type TestPgDatabase } from '@keepwatch/test-support/postgres';
import { MY_URL } from '@keepwatch/test-support/mariadb';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startExample } from '../src/example-process.js';
import { type CodeBlock, codeBlocks, markOf, scriptLangs } from '../src/readme-blocks.js';
import { run } from '../src/run.js';
import { checkDir, publishablePackages, rootDir } from '../src/workspace.js';

// Every package README's JS/TS blocks are marked: `runnable=<id>` (a complete program, run here
// against the real services, with what a user would then do to it) or `fragment` (a part shown
// on its own: a signature list, a client's options, one step of a runnable example).

/** What is done to a running example, and what it must show. */
interface ExampleCheck {
  /** It serves on `PORT`: wait for it, `exercise` it, then SIGTERM, and it must exit 0 by itself. */
  server?: boolean;
  exercise?: (context: { base: string; env: NodeJS.ProcessEnv }) => Promise<void>;
  /** What it printed, once it ended. */
  stdout?: (stdout: string) => void;
}

const basic = (user: string, passphrase: string) => `Basic ${Buffer.from(`${user}:${passphrase}`).toString('base64')}`;

async function get(url: string, headers: Record<string, string> = {}) {
  const response = await fetch(url, { headers, signal: AbortSignal.timeout(10_000) });
  return { status: response.status, body: await response.text(), headers: response.headers };
}

const orderRequests = (metricsBody: string, count: number) =>
  expect(metricsBody).toMatch(
    new RegExp(`^shop_view_requests_total\\{url_name="order-detail",method="GET",status_code="200"\\} ${count}$`, 'm'),
  );

async function ordersThenMetrics({ base, env }: { base: string; env: NodeJS.ProcessEnv }) {
  expect((await get(`${base}/orders/1`)).status).toBe(200);
  expect((await get(`${base}/orders/2`)).status).toBe(200);
  expect((await get(`${base}/metrics`)).status).toBe(401);
  const scrape = await get(`${base}/metrics`, { authorization: basic('prometheus', env.METRICS_PASSPHRASE as string) });
  expect(scrape.status).toBe(200);
  orderRequests(scrape.body, 2);
}

const checks: Record<string, ExampleCheck> = {
  'metrics-fastify': { server: true, exercise: ordersThenMetrics },
  'metrics-express': { server: true, exercise: ordersThenMetrics },
  'metrics-node-http': { server: true, exercise: ordersThenMetrics },
  'metrics-task': {
    stdout: (stdout) => {
      expect(stdout).toContain('reserved 3');
      expect(stdout).toContain('rejected: OutOfStockError');
      expect(stdout).toMatch(/^shop_task_runs_total\{task_name="reserve-stock",status="success"\} 1$/m);
      expect(stdout).toMatch(/^shop_task_runs_total\{task_name="reserve-stock",status="expected-error"\} 1$/m);
    },
  },
  'health-fastify': {
    server: true,
    async exercise({ base, env }) {
      // Ready once its clients are: 503 until then (the Redis client connects in the background).
      await vi.waitFor(
        async () => {
          const detailed = await get(`${base}/healthcheck/`, { authorization: `Bearer ${env.ADMIN_TOKEN}` });
          expect(detailed.status, detailed.body).toBe(200);
        },
        { timeout: 10_000, interval: 200 },
      );
      const plain = await get(`${base}/healthcheck/`);
      expect({ status: plain.status, body: plain.body }).toEqual({ status: 200, body: '' });
      const detailed = await get(`${base}/healthcheck/`, { authorization: `Bearer ${env.ADMIN_TOKEN}` });
      expect(JSON.parse(detailed.body)).toMatchObject({
        ok: true,
        checks: [
          { name: 'database', ok: true },
          { name: 'redis', ok: true },
          { name: 'cache', ok: true },
        ],
      });
      expect((await get(`${base}/healthcheck/live`)).status).toBe(200);
    },
  },
  'health-node-http': {
    server: true,
    async exercise({ base, env }) {
      expect((await get(`${base}/healthcheck/`)).status).toBe(200);
      const detailed = await get(`${base}/healthcheck/`, { authorization: `Bearer ${env.ADMIN_TOKEN}` });
      expect(JSON.parse(detailed.body)).toMatchObject({ ok: true, checks: [{ name: 'mysql', ok: true }] });
      expect((await get(`${base}/`)).body).toBe('hello');
    },
  },
  errors: {
    stdout: (stdout) => expect(stdout).toBe('KW_EXAMPLE_ORDER_MISSING: order 42 does not exist\n'),
  },
  backup: {
    stdout: (stdout) => {
      expect(stdout).toMatch(/^database-\d{8}T\d{6}Z-[a-z0-9]{6}: \d+ bytes, tables orders$/m);
      expect(stdout).toMatch(/^listed: database-\d{8}T\d{6}Z-[a-z0-9]{6}$/m);
      expect(stdout).toMatch(/^verified 1 tables restored$/m);
    },
  },
  conventions: {
    stdout: (stdout) => {
      expect(stdout.split('\n')[0]).toBe('postgres://app@db.internal:5432/app');
      expect(stdout).toContain("sslMode: 'require'");
    },
  },
  config: {
    stdout: (stdout) => {
      const line = JSON.parse(stdout.trim().split('\n').at(-1) as string);
      expect(line).toMatchObject({ msg: 'configured', secretBytes: 64 });
      expect(line.config.data.dir).toMatch(/readme-data-/);
    },
  },
  jobs: {
    stdout: (stdout) => {
      expect(stdout).toContain('backed up database\n');
      expect(stdout).toMatch(/job "backup" has an invalid payload: source: .*; trigger: /);
    },
  },
  'profiler-fastify': {
    server: true,
    async exercise({ base }) {
      for (let i = 0; i < 5; i++) expect((await get(`${base}/users/${i}`)).status).toBe(200);
    },
  },
  // Reads what profiler-fastify wrote (the examples of one README share a data directory).
  'profiler-read': {
    stdout: (stdout) => {
      expect(stdout).toMatch(/task\s+warm-cache/);
      expect(stdout).toMatch(/\/profiles\/[^/]+_task_warm-cache_[^/]+\.cpuprofile$/m);
    },
  },
};

const readmes = publishablePackages()
  .map((pkg) => join(pkg.path, 'README.md'))
  .filter((path) => existsSync(path));
const blocks: CodeBlock[] = readmes.flatMap((path) => codeBlocks(path, relative(rootDir, path)));
const scripts = blocks.filter((block) => scriptLangs.has(block.lang));
const runnable = scripts.flatMap((block) => {
  const mark = markOf(block);
  return mark.kind === 'runnable' ? [{ ...block, id: mark.id }] : [];
});

let own: OwnRedis;
let database: TestPgDatabase;
let dir: string;
const files = new Map<string, string>();
/** A data directory per README, shared by its examples in their order. */
const dataDirs = new Map<string, string>();

beforeAll(async () => {
  own = await startOwnRedis();
  // The examples' database: health probes it, the backup example dumps, restores and compares it.
  database = await createPgDatabase('kw_test_readme');
  await database.sql('CREATE TABLE orders (id serial PRIMARY KEY, sku text NOT NULL)');
  await database.sql("INSERT INTO orders (sku) SELECT 'sku-' || n FROM generate_series(1, 50) AS n");
  // Under this package's node_modules, so that the examples resolve `@keepwatch/*`, ioredis,
  // fastify… as a project that depends on them does (the packages' built `dist/`).
  await mkdir(join(checkDir, 'node_modules/.cache'), { recursive: true });
  dir = await mkdtemp(join(checkDir, 'node_modules/.cache/readme-examples-'));
  // Node looks no further up than a node_modules folder for a file's package scope: without
  // this the examples would be CommonJS, and their top-level awaits errors.
  await writeFile(join(dir, 'package.json'), '{ "type": "module" }\n');
  for (const block of runnable) {
    const readme = block.where.replace(/:\d+$/, '');
    if (!dataDirs.has(readme)) dataDirs.set(readme, await mkdtemp(join(tmpdir(), 'kw-test-readme-data-')));
    const file = join(dir, `${block.id}.${block.lang === 'ts' || block.lang === 'typescript' ? 'ts' : 'mjs'}`);
    await writeFile(file, `// ${block.where}\n${block.code}`);
    files.set(block.id, file);
  }
});

afterAll(async () => {
  await own?.destroy();
  await database?.drop();
  if (dir !== undefined) await rm(dir, { recursive: true, force: true });
  for (const data of dataDirs.values()) await rm(data, { recursive: true, force: true });
});

describe('README code blocks', () => {
  it('every JS/TS block is marked runnable=<id> or fragment', () => {
    expect(scripts.filter((block) => markOf(block).kind === 'unmarked').map((block) => block.where)).toEqual([]);
  });

  it('every runnable example has its check here, once, and every check its example', () => {
    const ids = runnable.map((block) => block.id);
    expect(ids.filter((id, index) => ids.indexOf(id) !== index)).toEqual([]);
    expect(ids.filter((id) => !(id in checks))).toEqual([]);
    expect(Object.keys(checks).filter((id) => !ids.includes(id))).toEqual([]);
  });

  it('the runnable examples type-check (strict, nodenext)', async () => {
    await writeFile(
      join(dir, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          strict: true,
          module: 'nodenext',
          moduleResolution: 'nodenext',
          target: 'es2022',
          lib: ['es2022'],
          types: ['node'],
          // ioredis's declarations import `redis-errors`, which ships none; consumer.test.ts
          // checks keepwatch's own declarations with skipLibCheck off.
          skipLibCheck: true,
          noEmit: true,
        },
        files: [...files.values()].filter((file) => file.endsWith('.ts')),
      }),
    );
    const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
    const result = await run(process.execPath, [tsc, '-p', 'tsconfig.json'], { cwd: dir, timeoutMs: 120_000 });
    expect(result.stdout.trim()).toBe('');
    expect(result.code).toBe(0);
  }, 150_000);

  for (const [index, block] of runnable.entries()) {
    it(`${block.id} (${block.where}) runs`, async () => {
      const check = checks[block.id] ?? {};
      const port = await freePort();
      const env: NodeJS.ProcessEnv = {
        ...process.env,
        // A Redis database of its own (1–15), so no example sees another's series.
        REDIS_URL: `redis://127.0.0.1:${own.port}/${(index % 15) + 1}`,
        DATABASE_URL: database.url,
        MYSQL_URL: `${MY_URL}/mysql`,
        PORT: String(port),
        METRICS_PASSPHRASE: randomBytes(12).toString('base64url'),
        ADMIN_TOKEN: randomBytes(18).toString('base64url'),
        DATA_DIR: dataDirs.get(block.where.replace(/:\d+$/, '')),
        KEEPWATCH_DATA_DIR: dataDirs.get(block.where.replace(/:\d+$/, '')),
        BACKUP_DIR: join(dataDirs.get(block.where.replace(/:\d+$/, '')) as string, 'backups'),
      };
      delete env.KEEPWATCH_CONFIG; // the config example reads its settings from these variables only
      const example = startExample(files.get(block.id) as string, checkDir, env);
      try {
        if (check.server) {
          await example.listening(port, 30_000);
          await check.exercise?.({ base: `http://127.0.0.1:${port}`, env });
          example.child.kill('SIGTERM');
        }
        const exit = await example.exited(check.server ? 15_000 : 60_000);
        expect({ exit, stderr: example.stderr() }).toEqual({
          exit: { code: 0, signal: null },
          stderr: example.stderr(),
        });
        check.stdout?.(example.stdout());
      } finally {
        example.kill();
      }
    }, 90_000);
  }
});
