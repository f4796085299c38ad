/**
 * Asks the dump tool its version while connecting to the server: each takes tens of milliseconds
 * (Debian's pg_dump is a Perl wrapper, 60 ms for `--version`) and neither needs the other. When
 * both fail, the tool's failure wins (a missing tool is the first thing to fix); a connection
 * made for nothing is closed.
 */
export async function versionWhileConnecting<V, C>(
  version: Promise<V>,
  connect: Promise<C>,
  close: (connection: C) => Promise<unknown>,
): Promise<[V, C]> {
  const [tool, connection] = await Promise.allSettled([version, connect]);
  if (tool.status === 'fulfilled' && connection.status === 'fulfilled') return [tool.value, connection.value];
  if (connection.status === 'fulfilled') await close(connection.value).catch(() => {});
  throw tool.status === 'rejected' ? tool.reason : (connection as PromiseRejectedResult).reason;
}
