import { createReadStream } from 'node:fs';
import {
  ProfileFilterConflictError,
  ProfileFilterError,
  ProfileNotFoundError,
  listProfiles,
  profileFilter,
  resolveProfilePath,
} from '@keepwatch/profiler';
import type { FastifyPluginAsync } from 'fastify';
import { z } from 'zod';

export interface ProfilesRoutesOptions {
  /** `<data dir>/profiles`. */
  directory: string;
}

const listQuery = z.object({
  url_name: z.string().min(1).optional(),
  task: z.string().min(1).optional(),
  since: z.string().min(1).optional(),
  limit: z.coerce.number().int().min(1).max(10_000).optional(),
});

/** `GET /profiles` (list, filtered) and `GET /profiles/:file` (download one `.cpuprofile`). */
export const profilesRoutes: FastifyPluginAsync<ProfilesRoutesOptions> = async (app, { directory }) => {
  app.get('/profiles', async (request, reply) => {
    const query = listQuery.safeParse(request.query);
    if (!query.success) {
      return reply.code(400).send({
        error: 'bad_request',
        message: query.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '),
      });
    }
    const { url_name, task, since, limit } = query.data;
    try {
      const entries = await listProfiles(directory, profileFilter({ urlName: url_name, task, since, limit }));
      return {
        profiles: entries.map(({ path: _path, ...entry }) => ({ ...entry, download: `/api/profiles/${entry.file}` })),
      };
    } catch (error) {
      if (error instanceof ProfileFilterError || error instanceof ProfileFilterConflictError) {
        return reply.code(400).send({ error: 'bad_request', message: error.message });
      }
      throw error;
    }
  });

  app.get<{ Params: { file: string } }>('/profiles/:file', async (request, reply) => {
    let path: string;
    try {
      // Only the profiler's own file names resolve, so no id can leave the directory.
      path = await resolveProfilePath(directory, request.params.file);
    } catch (error) {
      if (error instanceof ProfileNotFoundError)
        return reply.code(404).send({ error: 'not_found', message: error.message });
      throw error;
    }
    return reply
      .header('content-type', 'application/json')
      .header('content-disposition', `attachment; filename="${request.params.file}"`)
      .send(createReadStream(path));
  });
};
