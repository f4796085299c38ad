import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { UsageError, createLogger, parseProcessArgs } from '../src/index.js';

function sink() {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      for (const line of chunk.toString().split('\n').filter(Boolean)) lines.push(JSON.parse(line));
      callback();
    },
  });
  return { lines, stream };
}

describe('createLogger', () => {
  it('censors secrets wherever a caller puts them', () => {
    const { lines, stream } = sink();
    const logger = createLogger({ name: 'test', destination: stream });
    logger.info({ config: { admin_token: 'tok-123', passphrase: 'pp-456' }, password: 'pw-789' }, 'started');
    logger.info({ req: { headers: { authorization: 'Basic abc' } } }, 'request');
    const text = JSON.stringify(lines);
    expect(lines).toHaveLength(2);
    for (const secret of ['tok-123', 'pp-456', 'pw-789', 'Basic abc']) expect(text).not.toContain(secret);
    expect(lines[0]).toMatchObject({ name: 'test', msg: 'started', password: '[redacted]' });
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
