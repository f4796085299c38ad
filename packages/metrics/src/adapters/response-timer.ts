import type { ServerResponse } from 'node:http';

/**
 * Calls `done` once when the response finishes or the connection closes first (an aborted
 * request still took server time and still belongs in the counts), with the elapsed seconds.
 */
export function onResponseDone(response: ServerResponse, done: (statusCode: number, seconds: number) => void): void {
  const start = process.hrtime.bigint();
  let called = false;
  const finish = (): void => {
    if (called) return;
    called = true;
    response.off('finish', finish);
    response.off('close', finish);
    done(response.statusCode, Number(process.hrtime.bigint() - start) / 1e9);
  };
  response.once('finish', finish);
  response.once('close', finish);
}
