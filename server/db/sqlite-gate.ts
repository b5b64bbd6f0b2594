// better-sqlite3 runs every statement synchronously on one connection, so an asynchronous
// transaction (BEGIN ... awaits ... COMMIT) would take in any statement another request issues
// between its awaits — and roll it back with its own. The gate keeps them apart: repository calls
// share it, a transaction holds it alone, and calls made inside the transaction pass through.
import { AsyncLocalStorage } from 'node:async_hooks';

export interface Gate {
  /** Runs a repository call once no transaction holds the gate (at once inside the transaction). */
  shared<T>(fn: () => Promise<T>): Promise<T>;
  /** Runs `fn` alone: after the calls in progress end, before any that arrive meanwhile. */
  exclusive<T>(fn: () => Promise<T>): Promise<T>;
}

export function createGate(): Gate {
  const inside = new AsyncLocalStorage<'shared' | 'exclusive'>();
  let readers = 0;
  let writing = false;
  let writersWaiting = 0;
  let waiters: (() => void)[] = [];

  function wake() {
    const woken = waiters;
    waiters = [];
    for (const resume of woken) resume();
  }

  const wait = () => new Promise<void>((resume) => waiters.push(resume));

  return {
    async shared(fn) {
      // Inside the transaction, or inside a call that holds the gate already.
      if (inside.getStore()) return fn();
      // Writers go first: a steady stream of calls must not keep a transaction waiting.
      // Checked and claimed in one synchronous step, so two waiters woken together cannot both pass.
      while (writing || writersWaiting > 0) await wait();
      readers++;
      try {
        return await inside.run('shared', fn);
      } finally {
        readers--;
        if (readers === 0) wake();
      }
    },
    async exclusive(fn) {
      const within = inside.getStore();
      if (within === 'exclusive') return fn();
      // It would wait for the call it is part of to end: a deadlock, so a mistake in the code.
      if (within === 'shared') throw new Error('A transaction cannot start inside a repository call.');
      writersWaiting++;
      while (writing || readers > 0) await wait();
      writersWaiting--;
      writing = true;
      try {
        return await inside.run('exclusive', fn);
      } finally {
        writing = false;
        wake();
      }
    },
  };
}
