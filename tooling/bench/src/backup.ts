/**
 * Backup throughput and memory, against the shell pipeline an admin would write by hand.
 *
 *   cd tooling/bench && npx tsx src/backup.ts [--rounds 3] [--only postgres|mysql]
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
 */
import { execFile, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { interleave, median, printTable, timeMs } from './harness.js';

const run = promisify(execFile);
const args = process.argv.slice(2);
const rounds = Number(args[args.indexOf('--rounds') + 1] ?? 3) || 3;
const only = args.includes('--only') ? args[args.indexOf('--only') + 1] : undefined;

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
  const size = Number(await mariadb(sizeSql));
  if (size >= MIN_BYTES) return size;
  process.stdout.write(`creating ${MY_DB} (2.2M generated rows, once; reused afterwards)…\n`);
  await mariadb(`DROP DATABASE IF EXISTS ${MY_DB}; CREATE DATABASE ${MY_DB} CHARACTER SET utf8mb4;
    CREATE TABLE ${MY_DB}.accounts (id INT PRIMARY KEY, branch INT NOT NULL, balance BIGINT NOT NULL,
      note VARCHAR(100) NOT NULL, details TEXT NOT NULL) ENGINE=InnoDB;
    USE ${MY_DB}; INSERT INTO accounts SELECT seq, seq % 100, seq * 7, MD5(seq),
      CONCAT(MD5(seq + 1), ' ', MD5(seq + 2), ' ', MD5(seq + 3), ' ', MD5(seq + 4)) FROM seq_1_to_2200000;`);
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

let ok = true;
if (only !== 'mysql') {
  const size = await ensurePgbench();
  ok = (await compare('PostgreSQL', PG_URL, `pg_dump -h 127.0.0.1 -U postgres -Fc -Z0 ${PG_DB}`, size)) && ok;
}
if (only !== 'postgres') {
  const size = await ensureMariadb();
  const flags =
    '--single-transaction --quick --routines --triggers --events --hex-blob --default-character-set=utf8mb4 --no-tablespaces --max-allowed-packet=1G';
  ok = (await compare('MariaDB', MY_URL, `mariadb-dump -h 127.0.0.1 -u root ${flags} ${MY_DB}`, size)) && ok;
}
process.exitCode = ok ? 0 : 1;
