/**
 * Settles with `work`, or rejects with `signal.reason` as soon as the signal aborts, whichever
 * comes first. A probe that ignores its signal still cannot make a check late; its own cleanup
 * (destroying a stuck connection) is its business.
 */
export function raceAbort<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) {
    work.catch(() => undefined);
    return Promise.reject(signal.reason);
  }
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}

/** Runs `onAbort` once if the signal aborts before `dispose()` is called. */
export function onAbort(signal: AbortSignal, onAbort: () => void): { dispose(): void } {
  if (signal.aborted) {
    onAbort();
    return { dispose: () => undefined };
  }
  signal.addEventListener('abort', onAbort, { once: true });
  return { dispose: () => signal.removeEventListener('abort', onAbort) };
}
