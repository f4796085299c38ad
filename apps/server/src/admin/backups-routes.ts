import {
  BackupIdError,
  BackupNotFoundError,
  parseBackupId,
  type BackupRepository,
  type Destination,
  type DumpEntry,
  type SnapshotEntry,
} from '@keepwatch/backup';
import { errorMessage } from '@keepwatch/errors';
import { BackupJobName, backupJobDefaults, backupSourceNameSchema } from '@keepwatch/jobs';
import type { RedisClient } from '@keepwatch/runtime';
import type { Queue } from 'bullmq';
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { JobQueueUnavailableError } from '../errors.js';
import { jobQueueCall } from './job-queue-call.js';
import { checkDownload, signDownload } from './signed-link.js';

export interface BackupsRoutesOptions {
  /** Where a download link's dump is read from (`[backup] destination`). */
  destination: Destination;
  /** What `GET /backups` lists: every source's complete local backups. */
  repository: Pick<BackupRepository, 'list'>;
  /** The backup queue; unset without `[redis] url` (then backups cannot be started here). */
  queue: Queue | undefined;
  /** The queue's Redis connection: nothing is sent to the queue while it is not connected. */
  connection: RedisClient | undefined;
  /** The sources this instance backs up (`database` with `[database] url`, and `data`). */
  sources: readonly string[];
  /** How long a call to the queue may take before the answer is 503. @defaultValue 5 s */
  queueTimeoutMs?: number;
  /** The instance secret, which signs download links. */
  secret: string;
  /** @defaultValue 15 minutes */
  linkTtlMs?: number;
}

const startBody = z.strictObject({ source: backupSourceNameSchema.default('database') });
const jobIdParam = z.string().regex(/^[A-Za-z0-9:_-]{1,100}$/);

function badId(reply: FastifyReply, error: unknown) {
  if (error instanceof BackupIdError) return reply.code(400).send({ error: 'bad_request', message: error.message });
  if (error instanceof BackupNotFoundError) return reply.code(404).send({ error: 'not_found', message: error.message });
  throw error;
}

/** 503 for a job queue that cannot serve now, with what to do; anything else is not ours to answer. */
function queueUnavailable(request: FastifyRequest, reply: FastifyReply, error: unknown) {
  if (!(error instanceof JobQueueUnavailableError)) throw error;
  // The message says it all; what Redis or ioredis said is the detail an operator may want.
  request.log.warn(error.cause === undefined ? {} : { cause: errorMessage(error.cause) }, error.message);
  return reply
    .code(503)
    .header('retry-after', '5')
    .send({ error: 'unavailable', code: error.code, message: error.message });
}

/** Token-protected: list, start, follow a job, get a signed download link. */
export const backupsRoutes: FastifyPluginAsync<BackupsRoutesOptions> = async (app, options) => {
  const { destination, queue, connection, secret, sources } = options;
  const linkTtlMs = options.linkTtlMs ?? 15 * 60_000;
  const queueTimeoutMs = options.queueTimeoutMs ?? 5000;

  app.get('/backups', async () => {
    const entries = await options.repository.list();
    return {
      backups: entries
        .filter((e): e is DumpEntry => e.type === 'dump')
        .map((e) => ({ type: 'database', ...e.manifest })),
      // Snapshots are directories of hard links: restore them with `keepwatch backup restore`.
      snapshots: entries
        .filter((e): e is SnapshotEntry => e.type === 'snapshot')
        .map(({ id, source, finishedAt, files, rawBytes }) => ({
          type: 'data',
          id,
          source,
          finishedAt,
          files: files ?? 0,
          bytesTotal: rawBytes,
        })),
    };
  });

  app.post('/backups', async (request, reply) => {
    const body = startBody.safeParse(request.body ?? {});
    if (!body.success) {
      return reply.code(400).send({
        error: 'bad_request',
        message: body.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; '),
      });
    }
    const { source } = body.data;
    // A job for a source nobody backs up would only fail in the worker, after its retries.
    if (!sources.includes(source)) {
      return reply.code(400).send({
        error: 'bad_request',
        message: `source: "${source}" is not a configured backup source; configured: ${sources.join(', ')}`,
      });
    }
    if (!queue || !connection)
      return reply.code(503).send({ error: 'unavailable', message: 'backups run in the worker: set [redis] url' });
    let job;
    try {
      job = await jobQueueCall(connection, queueTimeoutMs, () =>
        queue.add(BackupJobName, { source, trigger: 'api' }, backupJobDefaults),
      );
    } catch (error) {
      return queueUnavailable(request, reply, error);
    }
    return reply.code(202).send({ jobId: job.id, status: `/api/jobs/${job.id}` });
  });

  app.get<{ Params: { id: string } }>('/jobs/:id', async (request, reply) => {
    if (!jobIdParam.safeParse(request.params.id).success) {
      return reply.code(400).send({ error: 'bad_request', message: 'id: not a job id' });
    }
    let found;
    try {
      found =
        queue && connection
          ? await jobQueueCall(connection, queueTimeoutMs, async () => {
              const job = await queue.getJob(request.params.id);
              return job ? { job, state: await job.getState() } : undefined;
            })
          : undefined;
    } catch (error) {
      return queueUnavailable(request, reply, error);
    }
    if (!found) return reply.code(404).send({ error: 'not_found', message: `job "${request.params.id}" not found` });
    const { job, state } = found;
    return {
      id: job.id,
      name: job.name,
      state,
      progress: job.progress,
      attemptsMade: job.attemptsMade,
      failedReason: job.failedReason || undefined,
      result: job.returnvalue ?? undefined,
      createdAt: new Date(job.timestamp).toISOString(),
      finishedAt: job.finishedOn ? new Date(job.finishedOn).toISOString() : undefined,
    };
  });

  app.get<{ Params: { id: string } }>('/backups/:id/download-link', async (request, reply) => {
    const { id } = request.params;
    try {
      parseBackupId(id);
      await destination.readManifest(id);
    } catch (error) {
      return badId(reply, error);
    }
    const expiresAt = Date.now() + linkTtlMs;
    const signature = signDownload(secret, id, expiresAt);
    return {
      url: `/api/backups/${id}/download?expires=${expiresAt}&signature=${signature}`,
      expiresAt: new Date(expiresAt).toISOString(),
    };
  });
};

/** Public, but only with a valid, unexpired signature: `403` otherwise. */
export const signedDownloadRoutes: FastifyPluginAsync<BackupsRoutesOptions> = async (app, { destination, secret }) => {
  app.get<{ Params: { id: string }; Querystring: Record<string, unknown> }>(
    '/backups/:id/download',
    async (request, reply) => {
      const { id } = request.params;
      const check = checkDownload(secret, id, request.query.expires, request.query.signature);
      if (check !== 'ok') {
        return reply.code(403).send({
          error: 'forbidden',
          message: check === 'expired' ? 'the link has expired' : 'the link is not valid',
        });
      }
      let manifest;
      try {
        parseBackupId(id);
        manifest = await destination.readManifest(id);
      } catch (error) {
        return badId(reply, error);
      }
      return reply
        .header('content-type', 'application/octet-stream')
        .header('content-length', String(manifest.storedBytes))
        .header('content-disposition', `attachment; filename="${manifest.file}"`)
        .send(await destination.openFile(manifest));
    },
  );
};
