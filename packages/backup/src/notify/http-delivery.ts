/** One HTTP request of a notification. */
export interface NotificationRequest {
  url: URL;
  method: 'GET' | 'POST';
  body?: string;
  contentType?: string;
}

/** How hard to try. */
export interface DeliveryPolicy {
  attempts: number;
  /** Each attempt's bound, from connecting to the response's status line. */
  timeoutMs: number;
  /** Wait before the second attempt; doubles for each later one. */
  backoffMs: number;
  userAgent: string;
  /** Aborted at shutdown: the attempt in flight stops and no other is made. */
  signal: AbortSignal;
}

export type DeliveryResult =
  | { ok: true; attempts: number; status: number }
  | { ok: false; attempts: number; reason: string; status?: number };

/**
 * Sends a request, retrying a refused or reset connection, a timeout and a status another
 * attempt may change (408, 425, 429, 5xx) with exponential backoff. Any other 4xx is an answer:
 * a wrong URL stays wrong. Never rejects.
 */
export async function deliver(request: NotificationRequest, policy: DeliveryPolicy): Promise<DeliveryResult> {
  const { url, authorization } = withoutUserInfo(request.url);
  const headers: Record<string, string> = { 'user-agent': policy.userAgent };
  if (authorization) headers.authorization = authorization;
  if (request.contentType) headers['content-type'] = request.contentType;
  let made = 0;
  let last: { reason: string; status?: number } = { reason: 'not sent' };
  while (made < policy.attempts && !policy.signal.aborted) {
    if (made > 0 && !(await pause(policy.backoffMs * 2 ** (made - 1), policy.signal))) break;
    made++;
    try {
      const response = await fetch(url, {
        method: request.method,
        headers,
        ...(request.body === undefined ? {} : { body: request.body }),
        signal: AbortSignal.any([AbortSignal.timeout(policy.timeoutMs), policy.signal]),
      });
      // The body is not wanted; cancelling it frees the connection at once.
      await response.body?.cancel().catch(() => undefined);
      if (response.ok) return { ok: true, attempts: made, status: response.status };
      last = { reason: `answered HTTP ${response.status}`, status: response.status };
      if (!retryableStatus(response.status)) break;
    } catch (error) {
      last = { reason: describeFailure(error, policy) };
    }
  }
  const reason = policy.signal.aborted ? `${last.reason}; given up at shutdown` : last.reason;
  return { ok: false, attempts: made, ...last, reason };
}

function retryableStatus(status: number): boolean {
  return status === 408 || status === 425 || status === 429 || status >= 500;
}

/**
 * `fetch` refuses a URL with user info ("Request cannot be constructed from a URL that includes
 * credentials"): a webhook behind basic auth gets them as a header instead.
 */
function withoutUserInfo(input: URL): { url: URL; authorization?: string } {
  if (!input.username && !input.password) return { url: input };
  const url = new URL(input);
  const credentials = `${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`;
  url.username = '';
  url.password = '';
  return { url, authorization: `Basic ${Buffer.from(credentials).toString('base64')}` };
}

/** Why an attempt failed, without the URL (undici's messages name host and port at most). */
function describeFailure(error: unknown, policy: DeliveryPolicy): string {
  const name = (error as { name?: unknown } | null)?.name;
  if (name === 'TimeoutError') return `no answer within ${policy.timeoutMs} ms`;
  if (name === 'AbortError') return 'stopped';
  const cause = (error as { cause?: { code?: unknown; message?: unknown } } | null)?.cause;
  if (typeof cause?.code === 'string')
    return `${cause.code}${typeof cause.message === 'string' ? ` (${cause.message})` : ''}`;
  if (typeof cause?.message === 'string') return cause.message;
  return error instanceof Error ? error.message : String(error);
}

/** Resolves true after `ms`, or false as soon as `signal` aborts. */
function pause(ms: number, signal: AbortSignal): Promise<boolean> {
  if (signal.aborted) return Promise.resolve(false);
  return new Promise((resolve) => {
    const done = (finished: boolean) => {
      clearTimeout(timer);
      signal.removeEventListener('abort', onAbort);
      resolve(finished);
    };
    const onAbort = () => done(false);
    const timer = setTimeout(() => done(true), ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
