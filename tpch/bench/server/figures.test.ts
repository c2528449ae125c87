/** The server benchmark's pure parts: percentiles, the memory verdict, /proc parsing, the table. */
import { describe, expect, it } from 'vitest';
import {
  kindFigures,
  kindTable,
  latencyFigures,
  parseVmRss,
  percentile,
  responsivenessLine,
  rssFigures,
  rssLine,
} from './figures.ts';

describe('percentile (nearest rank)', () => {
  const hundred = Array.from({ length: 100 }, (_, i) => i + 1);

  it('picks the smallest sample with p% at or below it', () => {
    expect(percentile(hundred, 50)).toBe(50);
    expect(percentile(hundred, 95)).toBe(95);
    expect(percentile(hundred, 99)).toBe(99);
    expect(percentile(hundred, 100)).toBe(100);
    expect(percentile([10, 20, 30, 40], 50)).toBe(20);
    expect(percentile([10, 20, 30, 40], 51)).toBe(30);
    expect(percentile([7], 99)).toBe(7);
  });

  it('is NaN without samples and refuses a p outside (0, 100]', () => {
    expect(percentile([], 50)).toBeNaN();
    expect(() => percentile([1], 0)).toThrow(RangeError);
    expect(() => percentile([1], 101)).toThrow(RangeError);
  });

  it('sorts unsorted samples before ranking them', () => {
    const f = latencyFigures([5, 1, 4, 2, 3, 100]);
    expect(f).toEqual({ count: 6, p50Ms: 3, p95Ms: 100, p99Ms: 100, maxMs: 100 });
  });
});

describe('kind figures', () => {
  it('divides the count by the seconds for throughput', () => {
    const f = kindFigures('select_1', 'both', [1, 2, 3, 4], 0, 2);
    expect(f.qps).toBe(2);
    expect(f.count).toBe(4);
    expect(f.p99Ms).toBe(4);
  });

  it('renders one aligned line per kind and a total', () => {
    const lines = kindTable(
      [kindFigures('q01', 'both', [120.25, 80], 0, 10), kindFigures('select_1', 'simple', [0.5], 2, 10)],
      10,
    );
    expect(lines).toHaveLength(5);
    expect(lines[0]).toMatch(/^kind\s+protocol\s+count\s+q\/s\s+p50 ms\s+p95 ms\s+p99 ms\s+max ms\s+errors$/);
    expect(lines[1]).toMatch(/^q01\s+both\s+2\s+0\.20\s+80\.0\s+120\.3\s+120\.3\s+120\.3\s+0$/);
    expect(lines[2]).toMatch(/^select_1\s+simple\s+1\s+0\.10\s+0\.5\s+0\.5\s+0\.5\s+0\.5\s+2$/);
    expect(lines[3]).toMatch(/^-+$/);
    expect(lines[4]).toMatch(/^total\s+3\s+0\.30\s+2$/);
    // Every line is as wide as the header: the columns line up.
    for (const l of [lines[1]!, lines[2]!]) expect(l.length).toBe(lines[0]!.length);
  });

  it('shows a dash for a kind without samples', () => {
    const [, line] = kindTable([kindFigures('q22', 'extended', [], 3, 10)], 10);
    expect(line).toMatch(/^q22\s+extended\s+0\s+0\.00\s+—\s+—\s+—\s+—\s+3$/);
  });
});

describe('resident memory', () => {
  it('compares the end with the value after the warm-up, not with the start', () => {
    const samples = [
      { t: 0, kb: 100_000 },
      { t: 5, kb: 300_000 },
      { t: 10, kb: 400_000 },
      { t: 30, kb: 500_000 },
      { t: 60, kb: 440_000 },
    ];
    const f = rssFigures(samples)!;
    expect(f).toMatchObject({
      startKb: 100_000,
      settledKb: 400_000,
      settledAt: 10,
      peakKb: 500_000,
      endKb: 440_000,
    });
    expect(f.growthPercent).toBeCloseTo(10);
    expect(f.flat).toBe(true);
    expect(rssLine(f)).toMatch(
      /start 98 MB, after 10 s 391 MB, peak 488 MB, end 430 MB \(\+10\.0% .*: flat$/,
    );
  });

  it('is not flat when the end is more than 15% above or below', () => {
    const grow = rssFigures([
      { t: 10, kb: 100 },
      { t: 60, kb: 116 },
    ])!;
    expect(grow.flat).toBe(false);
    expect(rssLine(grow)).toMatch(/NOT FLAT$/);
    expect(
      rssFigures([
        { t: 10, kb: 100 },
        { t: 60, kb: 84 },
      ])!.flat,
    ).toBe(false);
    expect(
      rssFigures([
        { t: 10, kb: 100 },
        { t: 60, kb: 115 },
      ])!.flat,
    ).toBe(true);
  });

  it('uses the last sample as the settled one for a short load, and nothing without samples', () => {
    const f = rssFigures([
      { t: 0, kb: 10 },
      { t: 3, kb: 20 },
    ])!;
    expect(f.settledKb).toBe(20);
    expect(rssLine(f)).toMatch(/after 3 s 0 MB/);
    expect(rssFigures([])).toBeUndefined();
    expect(rssLine(undefined)).toMatch(/not measured/);
  });

  it('reads VmRSS from /proc/<pid>/status', () => {
    const status = 'Name:\tnode\nVmPeak:\t 2000 kB\nVmRSS:\t  123456 kB\nThreads:\t9\n';
    expect(parseVmRss(status)).toBe(123456);
    expect(parseVmRss('Name:\tnode\n')).toBeUndefined();
  });
});

describe('responsiveness line', () => {
  it('says whether SELECT 1 p99 stayed under the limit', () => {
    expect(responsivenessLine(latencyFigures([1, 2, 3]), 100)).toMatch(/p99 3\.0 ms, max 3\.0 ms: short/);
    expect(responsivenessLine(latencyFigures([1, 2, 300]), 100)).toMatch(/TOO SLOW \(p99 > 100 ms\)$/);
    expect(responsivenessLine(latencyFigures([]), 100)).toMatch(/no samples/);
  });
});
