// Preloaded (--import) into a gateway process by the availability tests: the longest time its
// event loop was held between two SIGUSR2 signals, written to os.tmpdir()/lk-loop-<pid>.json on
// the second. The /healthz probe measures from outside, through a machine it shares with the
// attacker; this is the gateway's own share of that figure.
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const histogram = monitorEventLoopDelay({ resolution: 5 });
let watching = false;
process.on('SIGUSR2', () => {
  if (!watching) {
    histogram.reset();
    histogram.enable();
    watching = true;
    return;
  }
  histogram.disable();
  watching = false;
  writeFileSync(
    path.join(os.tmpdir(), `lk-loop-${process.pid}.json`),
    JSON.stringify({ maxMs: histogram.max / 1e6, p99Ms: histogram.percentile(99) / 1e6 }),
  );
});
