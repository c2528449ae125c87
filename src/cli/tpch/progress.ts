/**
 * Generation progress on stderr. On a terminal: a status line rewritten in place with each table
 * being generated (orders and lineitem are generated together) and its percentage, and one final
 * line per table (size and time) as it completes. Elsewhere: just the final lines. Then the total.
 */
import type { GenerateEvent } from '../../../tpch/run/index.ts';

export interface ProgressSink {
  readonly isTTY: boolean;
  write(text: string): void;
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(2)} s`;
}

const CLEAR = '\r\x1b[2K';

export class GenerationProgress {
  private readonly sink: ProgressSink;
  private readonly active = new Map<string, number>();
  private readonly started = performance.now();
  private timer: ReturnType<typeof setInterval> | undefined;

  constructor(sink: ProgressSink) {
    this.sink = sink;
  }

  readonly onEvent = (event: GenerateEvent): void => {
    switch (event.kind) {
      case 'start':
        this.active.set(event.table, 0);
        if (this.sink.isTTY && this.timer === undefined) {
          this.timer = setInterval(() => this.draw(), 250);
          this.timer.unref();
        }
        this.draw();
        return;
      case 'progress':
        this.active.set(event.table, event.fraction);
        return;
      case 'done': {
        this.active.delete(event.table);
        const line = `${event.table.padEnd(9)} ${`${(event.bytes / 1e6).toFixed(1)} MB`.padStart(10)}  ${seconds(event.ms).padStart(9)}`;
        this.sink.write(this.sink.isTTY ? `${CLEAR}${line}\n` : `${line}\n`);
        this.draw();
        return;
      }
    }
  };

  private draw(): void {
    if (!this.sink.isTTY || this.active.size === 0) return;
    const tables = [...this.active].map(([t, f]) => `${t} ${(f * 100).toFixed(0)}%`).join('  ');
    this.sink.write(`${CLEAR}${tables}  ${seconds(performance.now() - this.started)}`);
  }

  /** Stops redrawing; prints the total time when `ok`. */
  finish(ok: boolean): void {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
    if (this.sink.isTTY && this.active.size > 0) this.sink.write(CLEAR);
    this.active.clear();
    if (ok)
      this.sink.write(
        `${'total'.padEnd(9)} ${''.padStart(10)}  ${seconds(performance.now() - this.started).padStart(9)}\n`,
      );
  }
}

export function stderrSink(): ProgressSink {
  return { isTTY: process.stderr.isTTY, write: (text) => process.stderr.write(text) };
}
