/**
 * How long to wait before replacing an executor that died (a thread, a process, a pod): at once
 * for the first three deaths in a minute, then twice as long each time from 500 ms up to 30 s — so
 * executors that keep dying at once (a broken installation, an image that does not start) are
 * replaced ever more slowly, never in a loop that burns the server's CPU or the API server.
 */
const WINDOW_MS = 60_000;
const FREE_DEATHS = 3;
const MAX_DELAY_MS = 30_000;

export class ReplacementBackoff {
  private deaths: number[] = [];

  /** Records a death at `now` and says how long to wait before replacing it. */
  delayAfterDeath(now = Date.now()): number {
    this.deaths = this.deaths.filter((t) => now - t < WINDOW_MS);
    this.deaths.push(now);
    const n = this.deaths.length;
    return n <= FREE_DEATHS ? 0 : Math.min(MAX_DELAY_MS, 250 * 2 ** (n - FREE_DEATHS));
  }
}
