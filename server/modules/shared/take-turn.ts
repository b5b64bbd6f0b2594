// Heavy synchronous work, one piece per event-loop iteration. Answers that arrive together all
// queue their continuation at once, and a plain setImmediate per piece would run every one of
// them in the same check phase, back to back: a burst of large answers then held the loop (and
// /healthz) for the sum of their costs. Here each turn starts the next from the check phase, which
// Node defers to the following iteration, so waiting I/O is served between any two pieces.
const waiting: (() => void)[] = [];
let draining = false;

function drain(): void {
  const next = waiting.shift();
  if (!next) {
    draining = false;
    return;
  }
  // Scheduled before the piece runs (in the microtasks after this callback): the next iteration.
  setImmediate(drain);
  next();
}

/** Resolves when it is this caller's turn: at most one per event-loop iteration. */
export function takeTurn(): Promise<void> {
  return new Promise((resolve) => {
    waiting.push(resolve);
    if (!draining) {
      draining = true;
      setImmediate(drain);
    }
  });
}
