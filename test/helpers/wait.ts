// Waiting for a condition the page or the gateway reaches in its own time: polled, never a fixed
// sleep, with a deadline generous enough for a busy machine (the browser's own default is 15 s).
export async function waitUntil(check: () => Promise<boolean> | boolean, what: string, timeoutMs = 15_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
