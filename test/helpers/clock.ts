// A clock a test moves instead of waiting for time to pass: given to the gateway (startGateway's
// `now`) and to the test server (startTestServer's `now`), it decides when tokens, keys,
// sessions, lock-outs and rate windows expire. Everything else (timeouts, polling) keeps real time.
export interface TestClock {
  now: () => number;
  /** Moves the clock forward by `ms`. */
  advance(ms: number): void;
}

export function testClock(start = Date.now()): TestClock {
  let offset = start - Date.now();
  return {
    // Real time goes on beside it, so durations measured in between stay true.
    now: () => Date.now() + offset,
    advance(ms) {
      offset += ms;
    },
  };
}

/** A clock that stands still until moved: for a test that must know exactly how much time passed. */
export function frozenClock(start = Date.now()): TestClock {
  let at = start;
  return {
    now: () => at,
    advance(ms) {
      at += ms;
    },
  };
}
