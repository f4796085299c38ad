import { readFile } from 'node:fs/promises';
import type { CpuProfile } from './cpu-profile.js';
import { ProfileFormatError } from './errors.js';
import * as z from 'zod/mini';
import { english } from './zod.js';

const callFrame = z.object({
  functionName: z.string(),
  scriptId: z.pipe(z.union([z.string(), z.number()]), z.transform(String)),
  url: z.string(),
  lineNumber: z.number(),
  columnNumber: z.number(),
});

const cpuProfileSchema = z.object({
  nodes: z
    .array(
      z.object({
        id: z.number(),
        callFrame,
        hitCount: z.optional(z.number()),
        children: z.optional(z.array(z.number())),
      }),
    )
    .check(z.minLength(1, 'has no nodes')),
  startTime: z.number(),
  endTime: z.number(),
  samples: z.array(z.number()),
  timeDeltas: z.array(z.number()),
});

/** Checks that a value has the V8 CPU profile shape (nodes, samples, timeDeltas) and returns it. */
export function parseCpuProfile(value: unknown, source = 'profile'): CpuProfile {
  const result = cpuProfileSchema.safeParse(value, english);
  if (!result.success) {
    const reason = result.error.issues
      .slice(0, 5)
      .map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`)
      .join('; ');
    throw new ProfileFormatError(source, reason);
  }
  const profile = result.data as CpuProfile;
  if (profile.samples.length !== profile.timeDeltas.length) {
    throw new ProfileFormatError(source, 'samples and timeDeltas differ in length');
  }
  const ids = new Set(profile.nodes.map((node) => node.id));
  if (profile.samples.some((id) => !ids.has(id))) {
    throw new ProfileFormatError(source, 'a sample names a node that is not in nodes');
  }
  return profile;
}

/** Reads and validates a `.cpuprofile` file. Throws `ProfileFormatError` naming the path. */
export async function readProfile(path: string): Promise<CpuProfile> {
  let value: unknown;
  try {
    value = JSON.parse(await readFile(path, 'utf8'));
  } catch (error) {
    throw new ProfileFormatError(path, error instanceof SyntaxError ? 'not JSON' : 'cannot be read', error);
  }
  return parseCpuProfile(value, path);
}
