/**
 * Backup throughput and memory, against the shell pipeline an admin would write by hand.
 *
 *   cd tooling/bench && npx tsx src/backup.ts [--rounds 3] [--only postgres|s3|mysql] [--cpu-prof DIR]
 *
 * PostgreSQL: keepwatch's `runBackup` (pg_dump -Fc -Z0 → zstd -3 → sha256 → temp file → fsync →
 * rename → manifest, plus exact row counts in the same snapshot) against
 * `pg_dump -Fc -Z0 | zstd -3 > file`, on a pgbench database of at least 300 MB
 * (`kw_bench_pgbench`, made once with pgbench -i and reused). MariaDB: the same against
 * `mariadb-dump <the same flags> | zstd -3 > file` on a generated table (`kw_bench_mariadb`).
 * Each keepwatch round runs in a child process so its peak RSS is its own. The child backs up
 * twice and reports both: the first backup of a fresh process (cold: modules initialised, code
 * not yet optimised, as after a worker restarts) and the second (warm: the worker that runs
 * scheduled backups all day). The target is taken on the warm one; the cold one is printed
 * beside it. Run `pnpm build` (or `pnpm --filter @keepwatch/backup build`) first: the child runs
 * the built package.
 * Targets: throughput ratio >= 0.9, worker peak RSS < 150 MB.
 *
 * S3 (issue 18): the same pgbench database backed up by the repository the product runs, with an
 * `s3://` remote on a real s3rver process (started here on a free port, its own temp directory)
 * against the same repository with a local directory only; ratio of throughputs per interleaved
 * round (target >= 0.8), a second local scenario as the noise floor, and the S3 process's peak RSS
 * (target < 200 MB). Once with zstd (the default) and once uncompressed, where the whole dump is
 * uploaded. `--cpu-prof DIR` makes the S3 children write V8 CPU profiles into DIR.
 * The load average is printed at the start and the end: the ratios mean little on a busy machine.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { interleave, median, printTable, seededRandom, timeMs } from './harness.js';

const run = promisify(execFile);
const args = process.argv.slice(2);
const rounds = Number(args[args.indexOf('--rounds') + 1] ?? 3) || 3;
const only = args.includes('--only') ? args[args.indexOf('--only') + 1] : undefined;
/** `--cpu-prof DIR`: the S3 children write V8 CPU profiles there (`node --cpu-prof`). */
const cpuProfDir = args.includes('--cpu-prof') ? args[args.indexOf('--cpu-prof') + 1] : undefined;

const PG_DB = 'kw_bench_pgbench';
const PG_URL = `postgres://postgres@127.0.0.1:5432/${PG_DB}`;
const MY_DB = 'kw_bench_mariadb';
const MY_URL = `mysql://root@127.0.0.1:3306/${MY_DB}`;
const MIN_BYTES = 300 * 1024 * 1024;

async function psql(sql: string, db = 'postgres'): Promise<string> {
  const { stdout } = await run('psql', ['-h', '127.0.0.1', '-U', 'postgres', '-d', db, '-Atc', sql]);
  return stdout.trim();
}

async function mariadb(sql: string): Promise<string> {
  const { stdout } = await run('mariadb', ['-h', '127.0.0.1', '-u', 'root', '-N', '-B', '-e', sql], {
    maxBuffer: 1 << 20,
  });
  return stdout.trim();
}

async function ensurePgbench(): Promise<number> {
  const exists = await psql(`SELECT 1 FROM pg_database WHERE datname = '${PG_DB}'`);
  if (exists === '1') {
    const size = Number(await psql(`SELECT pg_database_size('${PG_DB}')`));
    if (size >= MIN_BYTES) return size;
    await psql(`DROP DATABASE ${PG_DB}`);
  }
  process.stdout.write(`creating ${PG_DB} with pgbench -i -s 22 (once; reused afterwards)…\n`);
  await psql(`CREATE DATABASE ${PG_DB}`);
  await run('pgbench', ['-h', '127.0.0.1', '-U', 'postgres', '-i', '-s', '22', '-q', PG_DB], { maxBuffer: 16 << 20 });
  return Number(await psql(`SELECT pg_database_size('${PG_DB}')`));
}

async function ensureMariadb(): Promise<number> {
  const sizeSql = `SELECT COALESCE(SUM(DATA_LENGTH), 0) FROM information_schema.TABLES WHERE TABLE_SCHEMA = '${MY_DB}'`;
  // InnoDB's DATA_LENGTH is an estimate that lags a bulk insert (it read 215 MB for the 481 MB
  // table just made): refreshed first, so a stale figure neither recreates the table nor is printed.
  const analyze = () => mariadb(`ANALYZE TABLE ${MY_DB}.accounts`); // a missing table: a row saying so
  await analyze();
  const size = Number(await mariadb(sizeSql));
  if (size >= MIN_BYTES) return size;
  process.stdout.write(`creating ${MY_DB} (2.2M generated rows, once; reused afterwards)…\n`);
  await mariadb(`DROP DATABASE IF EXISTS ${MY_DB}; CREATE DATABASE ${MY_DB} CHARACTER SET utf8mb4;
    CREATE TABLE ${MY_DB}.accounts (id INT PRIMARY KEY, branch INT NOT NULL, balance BIGINT NOT NULL,
      note VARCHAR(100) NOT NULL, details TEXT NOT NULL) ENGINE=InnoDB;
    USE ${MY_DB}; INSERT INTO accounts SELECT seq, seq % 100, seq * 7, MD5(seq),
      CONCAT(MD5(seq + 1), ' ', MD5(seq + 2), ' ', MD5(seq + 3), ' ', MD5(seq + 4)) FROM seq_1_to_2200000;`);
  await analyze();
  return Number(await mariadb(sizeSql));
}

interface Round {
  ms: number;
  /** keepwatch only: the first backup of its process. */
  coldMs?: number;
  peakRssMb?: number;
  rawBytes?: number;
}

/**
 * One backup in a process of its own, as the worker runs it: plain Node on the built package (no
 * TypeScript loader, whose own ~40 MB would not be the worker's), reading its own VmHWM at the end.
 */
const CHILD = `
import { readFileSync } from 'node:fs';
import { databaseSource, localDestination, runBackup } from '@keepwatch/backup';
const { url, directory } = JSON.parse(process.argv[1]);
const times = [];
let manifest;
for (const run of ['cold', 'warm']) {
  const started = process.hrtime.bigint();
  manifest = await runBackup({ source: databaseSource({ url }), destination: localDestination({ directory: directory + '/' + run }) });
  times.push(Number(process.hrtime.bigint() - started) / 1e6);
}
const hwm = /VmHWM:\\s+(\\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'));
process.stdout.write(JSON.stringify({ coldMs: times[0], ms: times[1], rawBytes: manifest.rawBytes, peakRssMb: Number(hwm[1]) / 1024 }) + '\\n');
`;

async function keepwatchBackup(url: string, dir: string): Promise<Round> {
  const child = spawn(process.execPath, ['--input-type=module', '-e', CHILD, JSON.stringify({ url, directory: dir })], {
    cwd: join(import.meta.dirname, '..'),
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  child.stdout.on('data', (chunk: Buffer) => (out += chunk));
  const code = await new Promise<number | null>((resolve) => child.once('close', resolve));
  if (code !== 0) throw new Error(`backup child exited with ${code}`);
  await rm(dir, { recursive: true, force: true });
  return JSON.parse(out) as Round;
}

async function shellBaseline(pipeline: string, file: string): Promise<Round> {
  const ms = await timeMs(() => run('bash', ['-o', 'pipefail', '-c', `${pipeline} | zstd -3 -q > ${file}`]));
  await rm(file, { force: true });
  return { ms };
}

async function compare(label: string, url: string, baseline: string, sizeBytes: number): Promise<boolean> {
  const work = await mkdtemp(join(tmpdir(), 'kw-bench-backup-'));
  try {
    let n = 0;
    const results = await interleave<Round>(
      [
        { name: 'keepwatch', run: () => keepwatchBackup(url, join(work, `kw-${n++}`)) },
        { name: 'shell', run: () => shellBaseline(baseline, join(work, 'shell.zst')) },
      ],
      rounds,
      {
        onRound: (name, round, value) =>
          process.stdout.write(
            `  ${label} round ${round + 1} ${name}: ${(value.ms / 1000).toFixed(2)} s` +
              (value.coldMs ? ` (cold ${(value.coldMs / 1000).toFixed(2)} s)` : '') +
              (value.peakRssMb ? `, peak RSS ${value.peakRssMb.toFixed(1)} MB` : '') +
              '\n',
          ),
      },
    );
    const kw = results.get('keepwatch')!;
    const sh = results.get('shell')!;
    const raw = kw[0]!.rawBytes!;
    const kwRate = raw / 1e6 / (median(kw.map((r) => r.ms)) / 1000);
    const shRate = raw / 1e6 / (median(sh.map((r) => r.ms)) / 1000);
    const ratio = kwRate / shRate;
    const coldRate = raw / 1e6 / (median(kw.map((r) => r.coldMs!)) / 1000);
    const peak = Math.max(...kw.map((r) => r.peakRssMb ?? 0));
    printTable(
      `${label}: ${(sizeBytes / 1e6).toFixed(0)} MB database, ${(raw / 1e6).toFixed(0)} MB dump, median of ${rounds} rounds`,
      [
        { name: 'shell pipeline', value: shRate, unit: 'MB/s' },
        { name: 'keepwatch runBackup', value: kwRate, unit: 'MB/s', ratio, target: '>= 0.9', ok: ratio >= 0.9 },
        { name: '  first in a fresh process', value: coldRate, unit: 'MB/s', ratio: coldRate / shRate },
        { name: 'keepwatch peak RSS', value: peak, unit: 'MB', target: '< 150', ok: peak < 150 },
      ],
    );
    return ratio >= 0.9 && peak < 150;
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

/**
 * The same backup as a user with `[backup] remote = s3://…` gets it: the repository the product
 * runs (`createBackupRepository` with `dumpKind` and, for S3, `storageRemote(s3Storage(…))` as
 * its remote, runtime's defaults: 8 MiB parts, 4 at once), the dump and then its copy to the
 * bucket, in a child process of its own whose peak RSS is read at the end. `s3` absent: a local
 * directory only. Like CHILD, it backs up twice (cold, then warm); `run` includes retention
 * (keep everything) and, for S3, the clean-up of incomplete uploads before the copy. The remote's
 * calls are timed (a wrapper around the same object), so the copy's share of a run is printed.
 */
const REPOSITORY_CHILD = `
import { readFileSync } from 'node:fs';
import { createBackupRepository, databaseSource, dumpKind, s3Storage, storageRemote } from '@keepwatch/backup';
const { url, directory, s3, compression } = JSON.parse(process.argv[1]);
const s3Remote = s3
  ? storageRemote(s3Storage({ bucket: s3.bucket, prefix: s3.prefix, endpoint: s3.endpoint, forcePathStyle: true,
      credentials: { accessKeyId: 'S3RVER', secretAccessKey: 's3rver-does-not-check-it' } }))
  : undefined;
let copyMs = 0;
const timed = (call) => async (...args) => {
  const started = process.hrtime.bigint();
  try {
    return await call(...args);
  } finally {
    copyMs += Number(process.hrtime.bigint() - started) / 1e6;
  }
};
const remote = s3Remote && { ...s3Remote, push: timed(s3Remote.push), removeIncomplete: timed(s3Remote.removeIncomplete) };
const repository = createBackupRepository({
  destinationDir: directory,
  kinds: { database: dumpKind({ source: databaseSource({ url }), backup: { compression } }) },
  ...(remote ? { remote } : {}),
});
const times = [];
const copies = [];
let result;
for (const run of ['cold', 'warm']) {
  copyMs = 0;
  const started = process.hrtime.bigint();
  result = await repository.run('database');
  times.push(Number(process.hrtime.bigint() - started) / 1e6);
  copies.push(copyMs);
}
const hwm = /VmHWM:\\s+(\\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'));
process.stdout.write(JSON.stringify({ coldMs: times[0], ms: times[1], coldCopyMs: copies[0], copyMs: copies[1], rawBytes: result.rawBytes, storedBytes: result.storedBytes,
  peakRssMb: Number(hwm[1]) / 1024, maxRssMb: process.resourceUsage().maxRSS / 1024 }) + '\\n');
`;

interface S3Server {
  endpoint: string;
  directory: string;
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/**
 * s3rver as the backup package's tests run it (`test/fixtures/s3rver-process.mjs`: a process of
 * its own on a free loopback port, storing into `directory`), started and stopped here.
 */
async function startS3rver(directory: string, bucket: string): Promise<S3Server> {
  const port = await freePort();
  const fixture = join(
    import.meta.dirname,
    '..',
    '..',
    '..',
    'packages',
    'backup',
    'test',
    'fixtures',
    's3rver-process.mjs',
  );
  const proc: ChildProcess = spawn(
    process.execPath,
    [fixture, JSON.stringify({ port, directory, buckets: [bucket] })],
    {
      stdio: ['ignore', 'pipe', 'inherit', 'ipc'],
    },
  );
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('s3rver did not start within 15 s')), 15_000);
    proc.stdout!.once('data', () => {
      clearTimeout(timer);
      proc.stdout!.resume();
      resolve();
    });
    proc.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`s3rver exited (${code}) before it listened`));
    });
  });
  proc.removeAllListeners('exit');
  return {
    endpoint: `http://127.0.0.1:${port}`,
    directory,
    stop: async () => {
      if (proc.exitCode !== null || proc.signalCode !== null) return;
      const exited = new Promise((resolve) => proc.once('exit', resolve));
      const timer = setTimeout(() => proc.kill('SIGKILL'), 5000);
      proc.kill('SIGTERM');
      await exited;
      clearTimeout(timer);
    },
  };
}

interface RepositoryRound extends Round {
  storedBytes: number;
  /** The remote's calls (clean-up of incomplete uploads, the dump's and the manifest's copy) in the warm run. */
  copyMs: number;
  coldCopyMs: number;
  maxRssMb: number;
}

type Compression = 'zstd' | 'none';

async function repositoryBackup(
  url: string,
  dir: string,
  compression: Compression,
  s3?: { endpoint: string; bucket: string; prefix: string; objects: string },
): Promise<RepositoryRound> {
  const profile = s3 && cpuProfDir ? ['--cpu-prof', `--cpu-prof-dir=${cpuProfDir}`] : [];
  const child = spawn(
    process.execPath,
    [
      ...profile,
      '--input-type=module',
      '-e',
      REPOSITORY_CHILD,
      JSON.stringify({ url, directory: dir, s3, compression }),
    ],
    {
      cwd: join(import.meta.dirname, '..'),
      stdio: ['ignore', 'pipe', 'inherit'],
      // As runtime sets it before it makes an S3 storage: no SDK notice about Node versions.
      env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
    },
  );
  let out = '';
  child.stdout.on('data', (chunk: Buffer) => (out += chunk));
  const code = await new Promise<number | null>((resolve) => child.once('close', resolve));
  await rm(dir, { recursive: true, force: true });
  if (s3) await rm(s3.objects, { recursive: true, force: true });
  if (code !== 0) throw new Error(`backup child exited with ${code}`);
  return JSON.parse(out) as RepositoryRound;
}

const seconds = (ms: number): string => `${(ms / 1000).toFixed(2)} s`;

const spread = (values: number[]): string =>
  `x${median(values).toFixed(3)} [${Math.min(...values).toFixed(3)}..${Math.max(...values).toFixed(3)}]`;

/**
 * The backup to S3 against the same backup to a local directory only, as a throughput ratio per
 * round (local time ÷ S3 time), with a second local scenario whose ratio to the first is the
 * noise floor. Every round runs the three in a new shuffled order. With zstd (the default) the
 * pgbench dump shrinks to a few MB, so the upload is small; with `compression: 'none'` the whole
 * dump goes to the bucket, which is what loads the S3 client (parts, memory, SigV4 hashing).
 */
async function compareS3(url: string, sizeBytes: number, compression: Compression): Promise<boolean> {
  const work = await mkdtemp(join(tmpdir(), 'kw-bench-s3-'));
  const bucket = 'kw-bench';
  const server = await startS3rver(join(work, 's3'), bucket);
  try {
    let n = 0;
    const local = () => repositoryBackup(url, join(work, `local-${n++}`), compression);
    const results = await interleave<RepositoryRound>(
      [
        { name: 'local', run: local },
        { name: 'local again', run: local },
        {
          name: 's3',
          run: () => {
            const prefix = `run-${n++}`;
            return repositoryBackup(url, join(work, `s3-${n}`), compression, {
              endpoint: server.endpoint,
              bucket,
              prefix,
              objects: join(server.directory, bucket, prefix),
            });
          },
        },
      ],
      rounds,
      {
        shuffle: seededRandom(18),
        onRound: (name, round, value) =>
          process.stdout.write(
            `  S3 ${compression} round ${round + 1} ${name}: ${(value.ms / 1000).toFixed(2)} s (cold ${(value.coldMs! / 1000).toFixed(2)} s),` +
              ` peak RSS ${value.peakRssMb!.toFixed(1)} MB` +
              (value.copyMs > 0 ? `, copy to S3 ${(value.copyMs / 1000).toFixed(2)} s of it` : '') +
              '\n',
          ),
      },
    );
    const loc = results.get('local')!;
    const again = results.get('local again')!;
    const s3 = results.get('s3')!;
    const perRound = (a: RepositoryRound[], b: RepositoryRound[], key: 'ms' | 'coldMs') =>
      a.map((r, i) => r[key]! / b[i]![key]!);
    const warm = perRound(loc, s3, 'ms');
    const cold = perRound(loc, s3, 'coldMs');
    const noise = perRound(loc, again, 'ms');
    const noiseCold = perRound(loc, again, 'coldMs');
    const raw = s3[0]!.rawBytes!;
    const rate = (rs: RepositoryRound[]) => raw / 1e6 / (median(rs.map((r) => r.ms)) / 1000);
    const peak = Math.max(...s3.map((r) => r.peakRssMb!));
    const peakLocal = Math.max(...loc.map((r) => r.peakRssMb!));
    printTable(
      `PostgreSQL to S3 (s3rver), compression ${compression}: ${(sizeBytes / 1e6).toFixed(0)} MB database, ${(raw / 1e6).toFixed(0)} MB dump, ` +
        `${(s3[0]!.storedBytes / 1e6).toFixed(0)} MB stored and uploaded, median of ${rounds} rounds`,
      [
        { name: 'repository.run, local directory only', value: rate(loc), unit: 'MB/s' },
        {
          name: 'repository.run, s3:// remote',
          value: rate(s3),
          unit: 'MB/s',
          ratio: median(warm),
          target: '>= 0.8',
          ok: median(warm) >= 0.8,
        },
        { name: 'S3 backup peak RSS', value: peak, unit: 'MB', target: '< 200', ok: peak < 200 },
        { name: 'local backup peak RSS', value: peakLocal, unit: 'MB' },
      ],
    );
    process.stdout.write(
      `  per round, local ÷ S3 time: warm ${spread(warm)}, cold ${spread(cold)}\n` +
        `  noise floor, local ÷ local again: warm ${spread(noise)}, cold ${spread(noiseCold)}\n` +
        `  S3 minus local, median: warm ${seconds(median(s3.map((r) => r.ms)) - median(loc.map((r) => r.ms)))}` +
        `; the copy to S3 (after the dump): warm ${seconds(median(s3.map((r) => r.copyMs)))},` +
        ` cold ${seconds(median(s3.map((r) => r.coldCopyMs)))}` +
        ` (${(s3[0]!.storedBytes / 1e6 / (median(s3.map((r) => r.copyMs)) / 1000)).toFixed(0)} MB/s)\n`,
    );
    return median(warm) >= 0.8 && peak < 200;
  } finally {
    await server.stop();
    await rm(work, { recursive: true, force: true });
  }
}

const load = () =>
  loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');
const startedAt = Date.now();
process.stdout.write(`${new Date().toISOString()}: load average ${load()}\n`);

let ok = true;
if (only === undefined || only === 'postgres') {
  const size = await ensurePgbench();
  ok = (await compare('PostgreSQL', PG_URL, `pg_dump -h 127.0.0.1 -U postgres -Fc -Z0 ${PG_DB}`, size)) && ok;
}
if (only === undefined || only === 's3') {
  const size = await ensurePgbench();
  ok = (await compareS3(PG_URL, size, 'zstd')) && ok;
  ok = (await compareS3(PG_URL, size, 'none')) && ok;
}
if (only === undefined || only === 'mysql') {
  const size = await ensureMariadb();
  const flags =
    '--single-transaction --quick --routines --triggers --events --hex-blob --default-character-set=utf8mb4 --no-tablespaces --max-allowed-packet=1G';
  ok = (await compare('MariaDB', MY_URL, `mariadb-dump -h 127.0.0.1 -u root ${flags} ${MY_DB}`, size)) && ok;
}
process.stdout.write(
  `\n${new Date().toISOString()}: load average ${load()}; ${((Date.now() - startedAt) / 1000).toFixed(0)} s in all\n`,
);
process.exitCode = ok ? 0 : 1;
