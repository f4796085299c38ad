import { createServer, connect, type Socket } from 'node:net';

/** A TCP proxy on a loopback port that forwards to `targetPort`, the client's bytes at most `bytesPerSecond`. */
export interface ThrottledProxy {
  readonly port: number;
  close(): Promise<void>;
}

/**
 * Slows what a client sends (an S3 upload) so a test can act while it is under way; what comes
 * back is not slowed. Each connection's upstream closes with it, as a real network path would.
 */
export async function throttledProxy(targetPort: number, bytesPerSecond: number): Promise<ThrottledProxy> {
  const sockets = new Set<Socket>();
  const server = createServer((client) => {
    const upstream = connect(targetPort, '127.0.0.1');
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
    }
    client.on('data', (chunk: Buffer) => {
      upstream.write(chunk);
      client.pause();
      setTimeout(() => client.resume(), (chunk.length / bytesPerSecond) * 1000);
    });
    upstream.pipe(client);
    const end = () => {
      client.destroy();
      upstream.destroy();
    };
    client.on('close', end).on('error', end);
    upstream.on('close', end).on('error', end);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as { port: number }).port,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
