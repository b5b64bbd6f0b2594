// What the gateway's two worker threads (spec imports, large tool results) share: starting one
// from a module next to the caller's, from source or compiled, and stopping it after a quiet spell
// so an idle gateway keeps no thread.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker, type WorkerOptions } from 'node:worker_threads';

/** Starts `<name>.ts` (under tsx) or `<name>.js` (compiled) from the directory of `callerUrl` (import.meta.url). */
export function startSiblingWorker(callerUrl: string, name: string, options: WorkerOptions = {}): Worker {
  const url = new URL(`./${name}${path.extname(fileURLToPath(callerUrl))}`, callerUrl);
  if (url.pathname.endsWith('.ts')) {
    // From source under tsx: on Node 20 a worker does not inherit tsx's loader, so it registers it.
    const boot = `import('tsx/esm/api').then(({ register }) => { register(); return import(${JSON.stringify(url.href)}); })`;
    return new Worker(boot, { ...options, eval: true });
  }
  return new Worker(url, options);
}

/** A timer that stops a worker once it has had nothing to do for `idleMs`. */
export function idleStopper(idleMs: number) {
  let timer: NodeJS.Timeout | undefined;
  return {
    /** Work arrived: no stop. */
    cancel: () => clearTimeout(timer),
    /** Nothing to do: `stop` runs after `idleMs` unless work arrives first. */
    schedule(stop: () => void) {
      clearTimeout(timer);
      timer = setTimeout(stop, idleMs);
      timer.unref();
    },
  };
}
