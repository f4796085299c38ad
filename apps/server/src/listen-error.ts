import { KeepwatchError } from '@keepwatch/errors';

const REASONS: Record<string, string> = {
  EADDRINUSE: 'another process listens on that port',
  EADDRNOTAVAIL: "the address is not one of this machine's",
  EACCES: 'a port below 1024 needs root or CAP_NET_BIND_SERVICE',
  ENOTFOUND: 'the host name does not resolve',
  EAI_AGAIN: 'the host name does not resolve (DNS did not answer)',
};

/**
 * The server cannot listen on `[server] listen`. Config check cannot know (the port may be free
 * there, the address another machine's), so start-up says which setting to look at.
 */
export class ListenError extends KeepwatchError<'KW_SERVER_LISTEN_FAILED'> {
  static readonly code = 'KW_SERVER_LISTEN_FAILED';
  constructor(address: string, cause: unknown) {
    const code = (cause as NodeJS.ErrnoException | undefined)?.code;
    const reason = (code && REASONS[code]) ?? code ?? 'listen failed';
    super(
      ListenError.code,
      `cannot listen on ${address} ([server] listen): ${reason}${code && REASONS[code] ? ` (${code})` : ''}`,
      { cause },
    );
  }
}
