import { randomBytes, randomUUID } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { databaseSource, localDestination, runBackup, takeSnapshot } from '@keepwatch/backup';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PG_URL, pgAdmin } from '@keepwatch/test-support/postgres';
import { QueueName, bullmqPrefix } from '@keepwatch/jobs';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { signDownload } from '../src/admin/signed-link.js';
import { REDIS_URL, removeRedisPrefix, startTestServer } from './helpers/server.js';

const token = 'admin-token-backups-0123456789';
const secret = randomBytes(32).toString('hex');
const dbName = `kw_server_admin_${randomBytes(4).toString('hex')}`;
const prefix = `kw-test-admin-backups-${randomUUID()}:`;
let server: Awaited<ReturnType<typeof startTestServer>>;
let backupId: string;
let storedFile: string;

beforeAll(async () => {
  await pgAdmin((c) => c.query(`CREATE DATABASE ${dbName}`));
  await pgAdmin(
    (c) =>
      c.query(
        'CREATE TABLE orders (id serial PRIMARY KEY, note text); INSERT INTO orders (note) SELECT md5(g::text) FROM generate_series(1, 500) g',
      ),
    dbName,
  );

  server = await startTestServer({
    KEEPWATCH_SERVER_ADMIN_TOKEN: token,
    KEEPWATCH_DATABASE_URL: `${PG_URL}/${dbName}`,
    KEEPWATCH_DATA_SECRET: secret,
    KEEPWATCH_REDIS_URL: REDIS_URL,
    KEEPWATCH_REDIS_PREFIX: prefix,
  });
  const destinationDir = server.config.backup.destination;
  const manifest = await runBackup({
    source: databaseSource({ name: 'database', url: `${PG_URL}/${dbName}` }),
    destination: localDestination({ directory: destinationDir }),
  });
  backupId = manifest.id;
  const day = manifest.id.split('-')[1]!.slice(0, 8);
  storedFile = join(
    destinationDir,
    'database',
    `${day.slice(0, 4)}-${day.slice(4, 6)}-${day.slice(6, 8)}`,
    manifest.file,
  );
});
afterAll(async () => {
  await server?.close();
  await removeRedisPrefix(prefix);
  await pgAdmin((c) => c.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`));
});

function call(path: string, init: RequestInit & { auth?: string | null } = {}) {
  const auth = init.auth === undefined ? `Bearer ${token}` : init.auth;
  return fetch(`${server.url}${path}`, {
    ...init,
    headers: { ...(auth ? { authorization: auth } : {}), ...(init.body ? { 'content-type': 'application/json' } : {}) },
    signal: AbortSignal.timeout(10_000),
  });
}

describe('admin API: backups', () => {
  it('answers 401 without the token or with a wrong one', async () => {
    expect((await call('/api/backups', { auth: null })).status).toBe(401);
    expect((await call('/api/backups', { auth: 'Bearer not-the-token-0123456789' })).status).toBe(401);
    expect((await call('/api/backups', { method: 'POST', auth: null, body: '{}' })).status).toBe(401);
  });

  it('lists the database backups with their manifests and the data snapshots', async () => {
    await mkdir(join(server.config.data.dir, 'media'), { recursive: true });
    await writeFile(join(server.config.data.dir, 'media', 'logo.png'), 'not really a png');
    const snapshot = await takeSnapshot({
      sourceDir: server.config.data.dir,
      destinationDir: join(server.config.backup.destination, 'data'),
    });
    const body = (await (await call('/api/backups')).json()) as {
      backups: { id: string; type: string; checksum: { value: string } }[];
      snapshots: { id: string; type: string; files: number }[];
    };
    expect(body.backups.find((b) => b.id === backupId)).toMatchObject({
      type: 'database',
      checksum: { algorithm: 'sha256' },
    });
    // The secret is configured here, so there is no .secret file: media/logo.png alone.
    expect(body.snapshots).toEqual([
      expect.objectContaining({ id: snapshot.id, type: 'data', files: 1, bytesTotal: 16 }),
    ]);
  });

  it('starts a backup as a job and reports its state', async () => {
    const started = await call('/api/backups', { method: 'POST', body: JSON.stringify({ source: 'database' }) });
    expect(started.status).toBe(202);
    const { jobId } = (await started.json()) as { jobId: string };
    const status = (await (await call(`/api/jobs/${jobId}`)).json()) as { state: string; name: string };
    expect(status).toMatchObject({ name: 'backup', state: 'waiting' });
    expect((await call('/api/jobs/no-such-job')).status).toBe(404);
    const bad = await call('/api/backups', { method: 'POST', body: JSON.stringify({ source: '../etc' }) });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { message: string }).message).toMatch(/^source:/);
  });

  it('refuses a source that is not configured, naming the ones that are, and queues nothing', async () => {
    const connection = new Redis(REDIS_URL);
    const queue = new Queue(QueueName.backup, { connection, prefix: bullmqPrefix(prefix) });
    try {
      const before = await queue.getJobCountByTypes('waiting', 'active', 'delayed', 'failed', 'completed');
      const bogus = await call('/api/backups', { method: 'POST', body: JSON.stringify({ source: 'bogus' }) });
      expect(bogus.status).toBe(400);
      expect(await bogus.json()).toEqual({
        error: 'bad_request',
        message: 'source: "bogus" is not a configured backup source; configured: database, data',
      });
      expect(await queue.getJobCountByTypes('waiting', 'active', 'delayed', 'failed', 'completed')).toBe(before);
    } finally {
      await queue.close();
      connection.disconnect();
    }
  });

  it('signs a download link that works without the token, byte for byte', async () => {
    const link = (await (await call(`/api/backups/${backupId}/download-link`)).json()) as {
      url: string;
      expiresAt: string;
    };
    expect(new Date(link.expiresAt).getTime() - Date.now()).toBeGreaterThan(14 * 60_000);
    const download = await call(link.url, { auth: null });
    expect(download.status).toBe(200);
    expect(Buffer.from(await download.arrayBuffer()).equals(await readFile(storedFile))).toBe(true);
  });

  it('never writes a query value of a link to the log, whatever route or error the request meets', async () => {
    const link = (await (await call(`/api/backups/${backupId}/download-link`)).json()) as { url: string };
    const query = new URL(link.url, server.url).searchParams;
    const signature = query.get('signature')!;
    const expires = query.get('expires')!;
    const from = server.logs.length;
    expect((await call(link.url, { auth: null })).status).toBe(200);
    // A mistyped link (Fastify's 404 puts the URL in its message), a bare secret, another route.
    expect((await call(link.url.replace('/download?', '/download/?'), { auth: null })).status).toBe(404);
    expect((await call(`/api/backups/${backupId}/download?${signature}`, { auth: null })).status).toBe(403);
    expect((await call(`/api/profiles?token=${signature}`, { auth: null })).status).toBe(401);
    expect((await call(`/nowhere?${signature}`, { auth: null })).status).toBe(404);
    await new Promise((resolve) => setTimeout(resolve, 100));

    const lines = server.logs.slice(from);
    const text = JSON.stringify(lines);
    expect(text).not.toContain(signature);
    expect(text).not.toContain(expires);
    // What stays: the path and the parameter names, enough to tell the requests apart.
    const urls = lines
      .filter((line) => line.msg === 'incoming request')
      .map((line) => (line.req as { url: string }).url);
    expect(urls).toEqual([
      `/api/backups/${backupId}/download?expires=[redacted]&signature=[redacted]`,
      `/api/backups/${backupId}/download/?expires=[redacted]&signature=[redacted]`,
      `/api/backups/${backupId}/download?[redacted]`,
      '/api/profiles?token=[redacted]',
      '/nowhere?[redacted]',
    ]);
    expect(lines.map((line) => line.msg)).toContain(
      `Route GET:/api/backups/${backupId}/download/?expires=[redacted]&signature=[redacted] not found`,
    );
  });

  it('refuses a tampered or expired link with 403', async () => {
    const link = (await (await call(`/api/backups/${backupId}/download-link`)).json()) as { url: string };
    const tampered = link.url.replace(/signature=(.)/, (_m, c: string) => `signature=${c === 'A' ? 'B' : 'A'}`);
    expect((await call(tampered, { auth: null })).status).toBe(403);
    const past = Date.now() - 1000;
    const expired = `/api/backups/${backupId}/download?expires=${past}&signature=${signDownload(secret, backupId, past)}`;
    const response = await call(expired, { auth: null });
    expect(response.status).toBe(403);
    expect(((await response.json()) as { message: string }).message).toMatch(/expired/);
    const otherId = link.url.replace(
      backupId,
      backupId.replace(/.$/, (c) => (c === 'a' ? 'b' : 'a')),
    );
    expect((await call(otherId, { auth: null })).status).toBe(403);
  });

  it('refuses every other tampering with 403, and tells "expired" only for a genuine link', async () => {
    const link = (await (await call(`/api/backups/${backupId}/download-link`)).json()) as { url: string };
    const query = new URL(link.url, server.url).searchParams;
    const signature = query.get('signature')!;
    const expires = Number(query.get('expires'));
    const base = `/api/backups/${backupId}/download`;
    const forms = [
      `${base}?expires=${expires + 60_000}&signature=${signature}`, // a longer life
      `${base}?expires=${expires}`, // no signature
      `${base}?signature=${signature}`, // no expiry
      `${base}?expires=${expires}&signature=${signature}&signature=${signature}`, // twice
      `${base}?expires=${expires}&signature=${signature}=`, // padded
      `${base}?expires=${expires}&signature=${signature.toUpperCase()}`,
      `${base}?expires=${expires}&signature=${signature.slice(0, -1)}`,
      `${base}?expires=${expires}.0&signature=${signature}`,
    ];
    for (const form of forms) {
      const response = await call(form, { auth: null });
      expect(response.status, form).toBe(403);
      expect(((await response.json()) as { message: string }).message, form).toBe('the link is not valid');
    }
    // An expired time with a forged signature is "not valid": the expiry is checked after the
    // signature, so the answer never tells a forger which part was wrong.
    const past = Date.now() - 1000;
    const forged = await call(`${base}?expires=${past}&signature=${signature}`, { auth: null });
    expect(((await forged.json()) as { message: string }).message).toBe('the link is not valid');
  });

  it('rejects hostile JSON bodies with a 4xx, never a 500', async () => {
    const post = (body: string) => call('/api/backups', { method: 'POST', body });
    expect((await post('{"__proto__":{"source":"database"}}')).status).toBe(400);
    expect((await post('{"constructor":{"prototype":{"x":1}},"source":"database"}')).status).toBe(400);
    expect((await post(`{"source":"${'a'.repeat(5 * 1024 * 1024)}"}`)).status).toBe(413);
    expect((await post(`${'['.repeat(50_000)}${']'.repeat(50_000)}`)).status).toBe(400);
  });

  it('rejects ids that try to leave the destination', async () => {
    for (const id of ['..%2F..%2Fetc%2Fpasswd', '..', 'database-x']) {
      const response = await call(`/api/backups/${id}/download-link`);
      expect([400, 404], id).toContain(response.status);
    }
    expect((await call('/api/backups/..%2F..%2Fetc%2Fpasswd/download-link')).status).toBe(400);
  });
});
