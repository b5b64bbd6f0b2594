// A clock a test moves instead of waiting for time to pass: given to the gateway (startGateway's
// `now`) and to the test server (startTestServer's `now`), it decides when tokens, keys,
// sessions and lock-outs expire. Everything else (timeouts, polling) keeps real time.
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
