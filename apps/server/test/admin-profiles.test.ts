import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { REDIS_URL, removeRedisPrefix, startTestServer } from './helpers/server.js';

const token = 'admin-token-profiles-0123456789';
const prefix = `kw-test-admin-${randomUUID()}:`;
let server: Awaited<ReturnType<typeof startTestServer>>;

beforeAll(async () => {
  server = await startTestServer({
    KEEPWATCH_SERVER_ADMIN_TOKEN: token,
    KEEPWATCH_PROFILE_RATE: '1',
    KEEPWATCH_PROFILE_MAX_OVERHEAD: '1',
    KEEPWATCH_REDIS_URL: REDIS_URL,
    KEEPWATCH_REDIS_PREFIX: prefix,
    KEEPWATCH_METRICS_ENABLED: 'true',
  });
  for (let i = 0; i < 3; i++)
    await (await fetch(`${server.url}/healthcheck/live`, { signal: AbortSignal.timeout(5000) })).text();
  await server.app.inject('/healthcheck/live');
  // Profiles are written after the response; wait for them with a bound.
  await vi.waitFor(
    async () => {
      const body = (await (await get('/api/profiles')).json()) as { profiles: unknown[] };
      expect(body.profiles.length, 'profiles written').toBeGreaterThanOrEqual(3);
    },
    { timeout: 10_000, interval: 100 },
  );
});
afterAll(async () => {
  await server?.close();
  await removeRedisPrefix(prefix);
});

function get(path: string, auth: string | null = `Bearer ${token}`) {
  return fetch(`${server.url}${path}`, {
    headers: auth ? { authorization: auth } : {},
    signal: AbortSignal.timeout(5000),
  });
}

describe('admin API: profiles', () => {
  it('answers 401 without the token, with a wrong one, or a malformed header', async () => {
    for (const auth of [null, 'Bearer wrong-token-0123456789', `Basic ${token}`, 'Bearer', `Bearer ${token}x`]) {
      const response = await get('/api/profiles', auth);
      expect(response.status, String(auth)).toBe(401);
      expect(response.headers.get('www-authenticate')).toMatch(/^Bearer/);
    }
  });

  it('lists the profiles of sampled requests and downloads one as a valid CPU profile', async () => {
    const list = (await (await get('/api/profiles?url_name=/healthcheck/live')).json()) as {
      profiles: { file: string; name: string; status: string; download: string }[];
    };
    expect(list.profiles.length).toBeGreaterThanOrEqual(3);
    expect(list.profiles[0]).toMatchObject({ name: '/healthcheck/live', status: '200' });
    const download = await get(list.profiles[0]!.download);
    expect(download.status).toBe(200);
    expect(download.headers.get('content-disposition')).toContain(list.profiles[0]!.file);
    const profile = (await download.json()) as { nodes: unknown[]; samples: unknown[]; timeDeltas: unknown[] };
    expect(profile.nodes.length).toBeGreaterThan(0);
    expect(Array.isArray(profile.samples)).toBe(true);
    expect(profile.timeDeltas.length).toBe(profile.samples.length);
  });

  it('never serves a path outside the profiles directory', async () => {
    for (const file of ['..%2F..%2F.secret', '..%2F.secret', '.secret', 'x.cpuprofile']) {
      expect((await get(`/api/profiles/${file}`)).status, file).toBe(404);
    }
  });

  it('rejects a bad filter with 400 naming it', async () => {
    const response = await get('/api/profiles?limit=-1');
    expect(response.status).toBe(400);
    expect(((await response.json()) as { message: string }).message).toMatch(/limit/);
  });

  it('refuses a url_name and a task together with 400 naming both, rather than one winning', async () => {
    const response = await get('/api/profiles?url_name=/healthcheck/live&task=backup');
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({
      error: 'bad_request',
      message: expect.stringMatching(
        /^give url_name or task, not both \(url_name "\/healthcheck\/live", task "backup"\)/,
      ),
    });
  });

  it('counts written profiles in the fleet-wide metrics', async () => {
    // The counts reach Redis within a second of the event (they are batched off the request path).
    const scrape = async () => (await fetch(`${server.url}/metrics`, { signal: AbortSignal.timeout(5000) })).text();
    const writtenIn = (text: string) =>
      Number(/keepwatch_profiles_written_total\{kind="request"\} (\d+)/.exec(text)?.[1]);
    const text = await vi.waitFor(
      async () => {
        const scraped = await scrape();
        expect(writtenIn(scraped)).toBeGreaterThanOrEqual(3);
        return scraped;
      },
      { timeout: 5000, interval: 100 },
    );
    expect(text).toContain('# TYPE keepwatch_profiles_skipped_total counter');
  });
});
