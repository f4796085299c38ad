import { createServer, type Socket } from 'node:net';

/**
 * A loopback port nothing listens on (bound, then released): for a server of the test's own to
 * listen on, or for a client to be refused, as by a database that is down.
 */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** A TCP listener that accepts connections and never writes a byte: a hung database. */
export interface SilentListener {
  readonly port: number;
  /** Connections accepted so far (each stays open, unanswered, until `close()`). */
  readonly accepted: number;
  /** Drops every connection and stops listening. */
  close(): Promise<void>;
}

export async function silentListener(): Promise<SilentListener> {
  const sockets = new Set<Socket>();
  let accepted = 0;
  const server = createServer((socket) => {
    accepted++;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as { port: number }).port,
    get accepted() {
      return accepted;
    },
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
