import type { z } from 'zod';
import { JobPayloadError } from './errors.js';

/** Validates a job's data against its schema, with an error that names each bad field. */
export function parsePayload<S extends z.ZodType>(jobName: string, schema: S, data: unknown): z.output<S> {
  const result = schema.safeParse(data);
  if (result.success) return result.data;
  throw new JobPayloadError(
    jobName,
    result.error.issues.map((issue) => `${issue.path.join('.') || '(payload)'}: ${issue.message}`),
  );
}
