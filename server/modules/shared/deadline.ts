// One deadline for a whole outbound exchange (connect, redirects, headers, body), that also
// follows the caller's own abort signal. Used by the upstream client and the OAuth client.
export interface Deadline {
  /** Aborts when the time is up or the caller aborts. */
  readonly signal: AbortSignal;
  /** True when the time ran out (as opposed to the caller aborting). */
  readonly timedOut: boolean;
  /** Clears the timer and the listener on the caller's signal; call in `finally`. */
  dispose(): void;
}

export function startDeadline(timeoutMs: number, callerSignal?: AbortSignal): Deadline {
  const controller = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort();
  }, timeoutMs);
  const onCallerAbort = () => controller.abort();
  callerSignal?.addEventListener('abort', onCallerAbort, { once: true });
  return {
    signal: controller.signal,
    get timedOut() {
      return timedOut;
    },
    dispose() {
      clearTimeout(timer);
      callerSignal?.removeEventListener('abort', onCallerAbort);
    },
  };
}
