import { logLines } from '@keepwatch/test-support/log-lines';
import { describe, expect, it } from 'vitest';
import { UsageError, createLogger, parseProcessArgs } from '../src/index.js';

describe('createLogger', () => {
  it('censors secrets wherever a caller puts them', () => {
    const { lines, stream } = logLines();
    const logger = createLogger({ name: 'test', destination: stream });
    logger.info({ config: { admin_token: 'tok-123', passphrase: 'pp-456' }, password: 'pw-789' }, 'started');
    logger.info({ req: { headers: { authorization: 'Basic abc' } } }, 'request');
    const text = JSON.stringify(lines);
    expect(lines).toHaveLength(2);
    for (const secret of ['tok-123', 'pp-456', 'pw-789', 'Basic abc']) expect(text).not.toContain(secret);
    expect(lines[0]).toMatchObject({ name: 'test', msg: 'started', password: '[redacted]' });
  });
});

describe('createLogger: URLs', () => {
  const signature = 'c2lnbmF0dXJlLXRoYXQtZG93bmxvYWRzLWEtYmFja3Vw';
  const link = `/api/backups/database-20261204T033000Z-ab12/download?expires=1796420000000&signature=${signature}`;

  it('logs a request URL with its path and parameter names, never a query value', () => {
    const { lines, stream } = logLines();
    const logger = createLogger({ name: 'test', destination: stream });
    // Fastify's request and a bare IncomingMessage both go through the `req` serializer.
    logger.info(
      { req: { method: 'GET', url: link, ip: '127.0.0.1', socket: { remotePort: 4321 } } },
      'incoming request',
    );
    logger.info({ req: { method: 'GET', url: `/x?${signature}`, headers: { host: 'h' } } }, 'incoming request');
    expect(lines[0]!.req).toEqual({
      method: 'GET',
      url: '/api/backups/database-20261204T033000Z-ab12/download?expires=[redacted]&signature=[redacted]',
      remoteAddress: '127.0.0.1',
      remotePort: 4321,
    });
    expect(lines[1]!.req).toMatchObject({ url: '/x?[redacted]', host: 'h' });
    expect(JSON.stringify(lines)).not.toContain(signature);
  });

  it('censors URLs in any url field, in messages and in errors', () => {
    const { lines, stream } = logLines();
    const logger = createLogger({ name: 'test', destination: stream });
    logger.info({ url: link, job: { url: `https://user:pa55word@example.org/a?token=${signature}` } }, 'fields');
    logger.info(`Route GET:${link} not found`);
    logger.warn('fetching %s', link);
    logger.error({ err: new Error(`Reply was already sent in "${link}" (GET)`) }, 'reply');
    logger.warn({ err: { message: `failed ${link}` } }, 'plain error object');
    const text = JSON.stringify(lines);
    expect(lines).toHaveLength(5);
    expect(text).not.toContain(signature);
    expect(text).not.toContain('pa55word');
    expect(text).not.toContain('1796420000000');
    expect(lines[0]).toMatchObject({
      url: '/api/backups/database-20261204T033000Z-ab12/download?expires=[redacted]&signature=[redacted]',
      job: { url: 'https://user:[redacted]@example.org/a?token=[redacted]' },
    });
    expect(lines[1]!.msg).toBe(
      'Route GET:/api/backups/database-20261204T033000Z-ab12/download?expires=[redacted]&signature=[redacted] not found',
    );
    expect((lines[3]!.err as { type: string }).type).toBe('Error');
  });
});

describe('parseProcessArgs', () => {
  it('takes --config and -c', () => {
    expect(parseProcessArgs(['--config', '/etc/keepwatch.ini']).config).toBe('/etc/keepwatch.ini');
    expect(parseProcessArgs(['-c', 'k.ini']).config).toBe('k.ini');
    expect(parseProcessArgs([])).toEqual({ config: undefined, help: false, version: false });
  });

  it('names an unknown option', () => {
    expect(() => parseProcessArgs(['--confg', 'x'])).toThrow(UsageError);
    expect(() => parseProcessArgs(['--confg', 'x'])).toThrow(/--confg/);
  });
});
