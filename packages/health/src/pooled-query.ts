import { onAbort, raceAbort } from './abort.js';

/** What the postgres and mysql probes need from a driver's pool, in driver-neutral terms. */
export interface PoolAdapter<Connection> {
  acquire(): Promise<Connection>;
  query(connection: Connection): Promise<unknown>;
  /** Back to the pool, healthy. */
  release(connection: Connection): void;
  /** Closes the socket and removes the connection from the pool. */
  destroy(connection: Connection): void;
}

/**
 * Runs one query on a pooled connection, giving up when the signal aborts.
 *
 * - A connection stuck in its query (a silent server, a lock) is destroyed on abort, so it
 *   neither leaks nor blocks the next check in a small pool.
 * - pg-pool and mysql2 cannot cancel a pending checkout. Rather than queue one more checkout
 *   behind it on every check while a server is silent (the pool's wait queue would grow without
 *   bound), the next check adopts the one left behind; if it arrives with no check waiting, it
 *   goes straight back to the pool. The pool's own connect timeout (pg `connectionTimeoutMillis`,
 *   mysql2 `connectTimeout`) is what finally ends a connect to a silent server.
 */
export function createPooledQuery<Connection>(adapter: PoolAdapter<Connection>) {
  let leftover: Promise<Connection> | undefined;

  function leaveBehind(checkout: Promise<Connection>): void {
    leftover = checkout;
    checkout.then(
      (connection) => {
        if (leftover !== checkout) return;
        leftover = undefined;
        adapter.release(connection);
      },
      () => {
        if (leftover === checkout) leftover = undefined;
      },
    );
  }

  return async function pooledQuery(signal: AbortSignal): Promise<void> {
    const checkout = leftover ?? adapter.acquire();
    leftover = undefined;
    let connection: Connection;
    try {
      connection = await raceAbort(checkout, signal);
    } catch (error) {
      if (signal.aborted) leaveBehind(checkout);
      throw error;
    }
    const abort = onAbort(signal, () => adapter.destroy(connection));
    try {
      await raceAbort(adapter.query(connection), signal);
    } catch (error) {
      abort.dispose();
      // After an abort the connection is already destroyed; otherwise a failed query may have
      // left it in any state, so it does not go back to the pool either.
      if (!signal.aborted) adapter.destroy(connection);
      throw error;
    }
    abort.dispose();
    adapter.release(connection);
  };
}
