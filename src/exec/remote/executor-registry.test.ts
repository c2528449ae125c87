/**
 * The registry's up/down rules on a hand-driven clock (no timers: `check()` is called directly).
 */
import { describe, expect, it } from 'vitest';
import type { ExecutorEvent } from './control-plane.ts';
import { infoOf } from './control-plane-scenarios.ts';
import { ExecutorRegistry } from './executor-registry.ts';

function setup(): { registry: ExecutorRegistry; events: string[]; at: (ms: number) => void } {
  let now = 0;
  const registry = new ExecutorRegistry({ timeoutMs: 1000, now: () => now });
  const events: string[] = [];
  registry.listen((e: ExecutorEvent) => events.push(e.kind === 'up' ? `up:${e.info.id}` : `down:${e.id}`));
  return {
    registry,
    events,
    at: (ms) => {
      now = ms;
      registry.check();
    },
  };
}

describe('ExecutorRegistry', () => {
  it('one up per registration, down after the timeout, barred until it registers again', () => {
    const { registry, events, at } = setup();
    const beat = { info: infoOf('a'), registration: 'r1' };
    registry.heartbeat(beat);
    at(900);
    registry.heartbeat(beat);
    at(1800);
    expect(events).toEqual(['up:a']);
    at(2000);
    expect(events).toEqual(['up:a', 'down:a']);
    registry.heartbeat(beat); // a stalled process wakes up
    at(2100);
    expect(events).toEqual(['up:a', 'down:a']);
    registry.heartbeat({ info: infoOf('a'), registration: 'r2' });
    expect(events).toEqual(['up:a', 'down:a', 'up:a']);
    expect(registry.live()).toEqual([infoOf('a')]);
  });

  it('a new registration under a live id is down for the old one, then up', () => {
    const { registry, events } = setup();
    registry.heartbeat({ info: infoOf('a'), registration: 'r1' });
    registry.heartbeat({ info: infoOf('a'), registration: 'r2' });
    expect(events).toEqual(['up:a', 'down:a', 'up:a']);
    registry.deregistered('a');
    registry.deregistered('a');
    expect(events).toEqual(['up:a', 'down:a', 'up:a', 'down:a']);
  });

  it("the driver's own disconnection reports executors down without barring them", () => {
    const { registry, events, at } = setup();
    const a = { info: infoOf('a'), registration: 'r1' };
    const b = { info: infoOf('b'), registration: 'r1' };
    registry.heartbeat(a);
    registry.heartbeat(b);
    registry.disconnected();
    at(500);
    registry.reconnected(); // a brief blip: fresh timeouts for everyone
    at(1400);
    expect(events).toEqual(['up:a', 'up:b']);
    registry.disconnected();
    at(2600);
    expect(events).toEqual(['up:a', 'up:b', 'down:a', 'down:b']);
    registry.reconnected();
    registry.heartbeat(a);
    expect(events).toEqual(['up:a', 'up:b', 'down:a', 'down:b', 'up:a']);
  });

  it('a late listener first gets an up for each executor up now', () => {
    const { registry } = setup();
    registry.heartbeat({ info: infoOf('a'), registration: 'r1' });
    registry.heartbeat({ info: infoOf('b'), registration: 'r1' });
    registry.deregistered('a');
    const late: ExecutorEvent[] = [];
    registry.listen((e) => late.push(e));
    expect(late).toEqual([{ kind: 'up', info: infoOf('b') }]);
    registry.closed('closed');
    registry.heartbeat({ info: infoOf('c'), registration: 'r1' }); // too late
    expect(late).toEqual([
      { kind: 'up', info: infoOf('b') },
      { kind: 'down', id: 'b', reason: 'closed' },
    ]);
  });
});
