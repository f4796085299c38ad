import { randomUUID } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { removeKeys } from '@keepwatch/test-support/redis';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exportedFiles } from '../src/exports-map.js';
import { installConsumer } from '../src/npm-consumer.js';
import { type PackedPackage, packPackages } from '../src/pack.js';
import { run, runOk } from '../src/run.js';
import { checkDir, privatePackageNames, publishablePackages, workspaceClosure } from '../src/workspace.js';

// What issue 21 saw another team do, as a test: pack the packages, install the tarballs with
// plain npm into a project outside the workspace, and use them from CommonJS, ESM and strict
// TypeScript against the real Redis.
const redisUrl = 'redis://127.0.0.1:6379/0';
const keyPrefix = `kw-test-consumer-${randomUUID().slice(0, 8)}:`;
const adopted = ['@keepwatch/metrics', '@keepwatch/health', '@keepwatch/errors'];
// The same ranges the workspace builds and tests with.
const thirdParty = ['ioredis@^6.0.0', 'express@^5.3.0', '@types/express@^5.0.6', '@types/node@^20.19.0'];
const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');

let work: string;
let packed: PackedPackage[];
let consumerDir: string;
let redis: Redis;

beforeAll(async () => {
  redis = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1, connectTimeout: 2000 });
  redis.on('error', () => undefined);
  await redis.connect();
  work = await mkdtemp(join(tmpdir(), 'kw-test-consumer-'));
  await mkdir(join(work, 'tarballs'));
  packed = await packPackages(publishablePackages(), join(work, 'tarballs'));
  const needed = new Set(workspaceClosure(adopted).map((pkg) => pkg.manifest.name));
  const tarballs = packed.filter((pkg) => needed.has(pkg.name)).map((pkg) => pkg.tarball);
  const install = await installConsumer(join(work, 'app'), tarballs, thirdParty, join(checkDir, 'fixtures/consumer'));
  consumerDir = install.dir;
  // Seen here: 6–10 s with npm's cache warm (`--prefer-offline`), most of it resolving.
  console.info(`npm install of ${tarballs.length} tarballs and ${thirdParty.length} packages: ${install.installMs} ms`);
}, 300_000);

afterAll(async () => {
  if (redis !== undefined) {
    await removeKeys(redis, `*${keyPrefix}*`);
    redis.disconnect();
  }
  if (work !== undefined) await rm(work, { recursive: true, force: true });
});

describe('the packed packages', () => {
  it('name no private workspace package, no workspace: range, no devDependencies and no source', () => {
    const privateNames = privatePackageNames();
    for (const pkg of packed) {
      const text = JSON.stringify(pkg.manifest);
      expect({ name: pkg.name, devDependencies: pkg.manifest.devDependencies }).toEqual({
        name: pkg.name,
        devDependencies: undefined,
      });
      expect({ name: pkg.name, workspaceRange: text.includes('workspace:') }).toEqual({
        name: pkg.name,
        workspaceRange: false,
      });
      expect({ name: pkg.name, named: [...privateNames].filter((name) => text.includes(`"${name}"`)) }).toEqual({
        name: pkg.name,
        named: [],
      });
      // `source` points into src/, which is not published: a tool that honours it must not find it.
      expect({ name: pkg.name, source: text.includes('"source"') }).toEqual({ name: pkg.name, source: false });
    }
  });

  it('hold every file their exports name, their LICENSE and README, and no sources or tests', () => {
    for (const pkg of packed) {
      const missing = exportedFiles(pkg.manifest.exports)
        .map((file) => file.replace(/^\.\//, ''))
        .filter((file) => !pkg.files.includes(file));
      expect({ name: pkg.name, missing }).toEqual({ name: pkg.name, missing: [] });
      expect(pkg.files).toEqual(expect.arrayContaining(['LICENSE', 'README.md', 'package.json']));
      expect(pkg.files.filter((file) => /^(src|test)\//.test(file))).toEqual([]);
    }
  });
});

describe('a project outside the workspace that installed them with npm', () => {
  it('has keepwatch from the tarballs and no fastify', () => {
    for (const name of adopted) {
      const installed = JSON.parse(readFileSync(join(consumerDir, 'node_modules', name, 'package.json'), 'utf8'));
      expect(installed.version).toBe(packed.find((pkg) => pkg.name === name)?.manifest.version);
    }
    const lock = JSON.parse(readFileSync(join(consumerDir, 'package-lock.json'), 'utf8'));
    for (const name of adopted) expect(lock.packages[`node_modules/${name}`].resolved).toMatch(/^file:/);
    expect(existsSync(join(consumerDir, 'node_modules/fastify'))).toBe(false);
    expect(existsSync(join(consumerDir, 'node_modules/fastify-plugin'))).toBe(true); // the Fastify entries' dependency
  });

  it('a CommonJS process and an ESM process record into one Redis, and a scrape shows both', async () => {
    const commonJs = await runOk('node', ['consumer.cjs', redisUrl, keyPrefix], {
      cwd: consumerDir,
      timeoutMs: 30_000,
    });
    expect(JSON.parse(commonJs.stdout)).toEqual({
      healthStatus: 200,
      badOptions: { keepwatchError: true, code: 'KW_METRICS_OPTIONS_INVALID' },
    });

    const esm = await runOk('node', ['consumer.mjs', redisUrl, keyPrefix], { cwd: consumerDir, timeoutMs: 30_000 });
    const seen = JSON.parse(esm.stdout) as { status: number; body: string; crossCopy: unknown };
    expect(seen.status).toBe(200);
    // Three requests through Express (CommonJS), two through node:http (ESM).
    expect(seen.body).toMatch(
      /^shop_view_requests_total\{url_name="order-detail",method="GET",status_code="200"\} 5$/m,
    );
    expect(seen.body).toMatch(/^# TYPE shop_view_requests_total counter$/m);
    expect(seen.crossCopy).toEqual({ distinctCopies: true, instanceOfEsmClass: true, isKeepwatchError: true });
  }, 90_000);

  it('type-checks a strict TypeScript consumer (nodenext, skipLibCheck off) of the Express entry point', async () => {
    const result = await run('node', [tsc, '-p', 'tsconfig.json'], { cwd: consumerDir, timeoutMs: 120_000 });
    const errors = result.stdout.split('\n').filter((line) => /error TS\d+/.test(line));
    // ioredis's own declarations import `redis-errors`, which ships no types (TS7016): not ours
    // to judge. Everything in keepwatch's declarations and in the consumer's code is.
    const ours = errors.filter(
      (line) => line.startsWith('node_modules/@keepwatch/') || !line.startsWith('node_modules/'),
    );
    expect(ours).toEqual([]);
    expect(errors.filter((line) => !/^node_modules\/ioredis\//.test(line) && line.startsWith('node_modules/'))).toEqual(
      [],
    );
  }, 150_000);
});
