/**
 * Letting a thread's event loop run in the middle of long work.
 */

let lastYield = performance.now();

/**
 * Lets the thread's event loop run (cancel messages, other tasks' fetches of this thread's exchange
 * outputs, timers) when this thread has computed for 10 ms or more without it. Work driven by
 * promises that are already settled never leaves the microtask queue, so long loops call this:
 * scans per batch and per column chunk decoded, exchange readers per batch.
 */
export async function yieldToEventLoop(): Promise<void> {
  const now = performance.now();
  if (now - lastYield < 10) return;
  await new Promise<void>((resolve) => setImmediate(resolve));
  lastYield = performance.now();
}
