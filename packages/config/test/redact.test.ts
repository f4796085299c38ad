import { describe, expect, it } from 'vitest';
import { describeConfig, loadConfig, redactConfig, redactUrl } from '../src/index.js';

describe('redaction', () => {
  const env = {
    KEEPWATCH_DATABASE_URL: 'postgres://app:db-pass-123@127.0.0.1:5432/app',
    KEEPWATCH_REDIS_URL: 'redis://:redis-pass-456@127.0.0.1:6379/0',
    KEEPWATCH_SERVER_ADMIN_TOKEN: 'admin-token-7890abcdef',
    KEEPWATCH_DATA_SECRET: 'x'.repeat(40),
    KEEPWATCH_METRICS_USER: 'prometheus',
    KEEPWATCH_METRICS_PASSPHRASE: 'metrics-pass-xyz',
  };

  it('hides every secret and keeps URLs useful', async () => {
    const loaded = await loadConfig({ env });
    const printed = JSON.stringify(redactConfig(loaded.config));
    for (const secret of [
      'db-pass-123',
      'redis-pass-456',
      'admin-token-7890abcdef',
      'x'.repeat(40),
      'metrics-pass-xyz',
    ]) {
      expect(printed).not.toContain(secret);
    }
    expect(printed).toContain('postgres://app:***@127.0.0.1:5432/app');
    expect(printed).toContain('"user":"prometheus"');
  });

  it('describes each setting with its origin and variable name', async () => {
    const rows = describeConfig(await loadConfig({ env }));
    const token = rows.find((r) => r.key === 'server.admin_token');
    expect(token).toMatchObject({
      env: 'KEEPWATCH_SERVER_ADMIN_TOKEN',
      value: '[redacted]',
      origin: 'KEEPWATCH_SERVER_ADMIN_TOKEN',
    });
    expect(rows.find((r) => r.key === 'server.listen')).toMatchObject({ origin: 'default', value: '127.0.0.1:8080' });
    expect(rows.find((r) => r.key === 'server.shutdown_timeout')?.value).toBe('10s');
    expect(rows.find((r) => r.key === 'health.deadline')?.value).toBe('2500ms');
    expect(JSON.stringify(rows)).not.toContain('db-pass-123');
  });

  it('redactUrl hides every credential a connection URL can carry', () => {
    expect(
      redactUrl('postgres://app:pw1@db/app?sslmode=require&password=pw2&sslpassword=pw3&sslkey=/k/client.key'),
    ).toBe('postgres://app:***@db/app?sslmode=require&password=***&sslpassword=***&sslkey=***');
    expect(redactUrl('redis://127.0.0.1:6379/0?db=1&PASSWORD=pw4&p%61ssword=pw5&token=t&api_key=k#frag')).toBe(
      'redis://127.0.0.1:6379/0?db=1&PASSWORD=***&p%61ssword=***&token=***&api_key=***#***',
    );
  });

  it('redactUrl leaves a URL without a password alone and never echoes garbage', () => {
    expect(redactUrl('redis://127.0.0.1:6379')).toBe('redis://127.0.0.1:6379');
    expect(redactUrl('not a url with pass')).toBe('[redacted]');
  });
});
