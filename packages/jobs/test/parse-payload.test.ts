import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { JobPayloadError, parsePayload } from '../src/index.js';

describe('parsePayload', () => {
  const schema = z.object({ source: z.string().min(1), attempt: z.number().int() });

  it('returns the typed payload when it matches', () => {
    expect(parsePayload('backup', schema, { source: 'database', attempt: 1 })).toEqual({
      source: 'database',
      attempt: 1,
    });
  });

  it('names every bad field and the job', () => {
    const error = (() => {
      try {
        parsePayload('backup', schema, { source: '', attempt: 'x' });
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(JobPayloadError);
    expect((error as JobPayloadError).code).toBe('KW_JOB_PAYLOAD_INVALID');
    expect((error as Error).message).toMatch(/job "backup"/);
    expect((error as Error).message).toMatch(/source:/);
    expect((error as Error).message).toMatch(/attempt:/);
  });
});

describe('bullmqPrefix', () => {
  it('nests BullMQ keys under the keepwatch prefix without a doubled colon', async () => {
    const { bullmqPrefix } = await import('../src/index.js');
    expect(bullmqPrefix('keepwatch:')).toBe('keepwatch:bull');
    expect(bullmqPrefix('tenant-a')).toBe('tenant-a:bull');
    expect(bullmqPrefix('keepwatch:', { cluster: false })).toBe('keepwatch:bull');
  });

  it('makes the prefix a hash tag on a Redis Cluster, so each queue stays on one slot', async () => {
    const { bullmqPrefix } = await import('../src/index.js');
    expect(bullmqPrefix('keepwatch:', { cluster: true })).toBe('{keepwatch:bull}');
    expect(bullmqPrefix('tenant-a', { cluster: true })).toBe('{tenant-a:bull}');
  });
});
