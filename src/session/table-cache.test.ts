import type * as arrow from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import { T, columnFromValues, field, makeBatch, schema, type Schema } from '../common/index.ts';
import { ExecutionEngine } from '../exec/index.ts';
import { CachedTableProvider, cachedTableDefinition } from '../catalog/index.ts';
import { TableCache, type CacheStore } from './table-cache.ts';

const s = schema([field('a', T.int)]);
const batchOf = (n: number): arrow.RecordBatch =>
  makeBatch(
    s,
    [
      columnFromValues(
        T.int,
        Array.from({ length: n }, (_, i) => i),
      ),
    ],
    n,
  );

/** A store with a byte limit that charges 4 bytes a row, as an Int32 column takes. */
class FakeStore implements CacheStore {
  readonly held = new Map<string, number>();
  readonly limit: number;
  constructor(limit: number) {
    this.limit = limit;
  }
  get used(): number {
    return [...this.held.values()].reduce((a, b) => a + b, 0);
  }
  putCache(cacheId: string, _schema: Schema, partitions: readonly (readonly arrow.RecordBatch[])[]) {
    const bytes = partitions.flat().reduce((t, b) => t + b.numRows * 4, 0);
    if (this.used + bytes > this.limit)
      return { ok: false, needed: bytes, free: this.limit - this.used } as const;
    this.held.set(cacheId, bytes);
    return { ok: true, bytes } as const;
  }
  dropCache(cacheId: string): void {
    this.held.delete(cacheId);
  }
  cacheRoom(): number {
    return this.limit - this.used;
  }
}

describe('TableCache', () => {
  it('registers lazily, fills, and frees on drop', () => {
    const store = new FakeStore(1000);
    const cache = new TableCache(store);
    const e = cache.register('db.t', 'db', 't', 'v1', 'MEMORY_ONLY');
    expect(e.state).toBe('lazy');
    expect(store.held.size).toBe(0);
    cache.fill(e, s, [[batchOf(10)], [batchOf(5)]]);
    expect(e.state).toBe('filled');
    expect(e.bytes).toBe(60);
    expect(cache.bytes).toBe(60);
    expect(store.used).toBe(60);
    expect(cache.drop('db.t')).toBe(true);
    expect(cache.drop('db.t')).toBe(false);
    expect(store.used).toBe(0);
  });

  it('drops a cache whose table changed version', () => {
    const store = new FakeStore(1000);
    const cache = new TableCache(store);
    cache.fill(cache.register('db.t', 'db', 't', 'v1', 'MEMORY_ONLY'), s, [[batchOf(10)]]);
    expect(cache.lookup('db.t', 'v1')?.state).toBe('filled');
    expect(cache.lookup('db.t', 'v2')).toBeUndefined();
    expect(cache.peek('db.t')).toBeUndefined();
    expect(store.used).toBe(0);
  });

  it('re-registering replaces the earlier cache and frees it', () => {
    const store = new FakeStore(1000);
    const cache = new TableCache(store);
    const first = cache.register('db.t', 'db', 't', 'v1', 'MEMORY_ONLY');
    cache.fill(first, s, [[batchOf(10)]]);
    const second = cache.register('db.t', 'db', 't', 'v1', 'MEMORY_ONLY');
    expect(second.cacheId).not.toBe(first.cacheId);
    expect(store.held.has(first.cacheId)).toBe(false);
    // A fill of the replaced entry arriving late is ignored.
    cache.fill(first, s, [[batchOf(10)]]);
    expect(store.used).toBe(0);
  });

  it('evicts the least recently read caches until a new one fits', () => {
    const store = new FakeStore(110);
    const cache = new TableCache(store);
    for (const name of ['a', 'b', 'c'])
      cache.fill(cache.register(name, 'db', name, 'v', 'MEMORY_ONLY'), s, [[batchOf(8)]]);
    expect(store.used).toBe(96);
    // 'a' is read, so 'b' is now the least recently read
    cache.lookup('a', 'v');
    cache.fill(cache.register('d', 'db', 'd', 'v', 'MEMORY_ONLY'), s, [[batchOf(10)]]);
    expect(cache.list().map((e) => e.key)).toEqual(['c', 'a', 'd']);
    expect(store.used).toBe(32 + 32 + 40);
    // Needs two evictions: 'c', then 'a'
    cache.fill(cache.register('e', 'db', 'e', 'v', 'MEMORY_ONLY'), s, [[batchOf(14)]]);
    expect(cache.list().map((e) => e.key)).toEqual(['d', 'e']);
    expect(store.used).toBe(40 + 56);
  });

  it('fails with 53200 and stays uncached when nothing can make room, evicting nothing for it', () => {
    const store = new FakeStore(100);
    const cache = new TableCache(store);
    cache.fill(cache.register('a', 'db', 'a', 'v', 'MEMORY_ONLY'), s, [[batchOf(10)]]);
    const e = cache.register('big', 'db', 'big', 'v', 'MEMORY_ONLY');
    expect(() => cache.fill(e, s, [[batchOf(30)]])).toThrow(expect.objectContaining({ sqlstate: '53200' }));
    expect(cache.peek('big')).toBeUndefined();
    expect(cache.list().map((x) => x.key)).toEqual(['a']);
    expect(store.used).toBe(40);
  });

  it('gives a new cache room for the free bytes and every other cache', () => {
    const store = new FakeStore(100);
    const cache = new TableCache(store);
    cache.fill(cache.register('a', 'db', 'a', 'v', 'MEMORY_ONLY'), s, [[batchOf(10)]]);
    cache.fill(cache.register('b', 'db', 'b', 'v', 'MEMORY_ONLY'), s, [[batchOf(5)]]);
    expect(cache.room('c')).toBe(100);
    expect(cache.room('a')).toBe(100 - 40);
  });

  it('discard drops an entry only while it is the current one', () => {
    const cache = new TableCache(new FakeStore(1000));
    const old = cache.register('k', 'db', 'k', 'v', 'MEMORY_ONLY');
    const current = cache.register('k', 'db', 'k', 'v', 'MEMORY_ONLY');
    cache.discard(old);
    expect(cache.peek('k')).toBe(current);
    cache.discard(current);
    expect(cache.peek('k')).toBeUndefined();
  });

  it('drops temporary views by prefix and everything on clear', () => {
    const cache = new TableCache(new FakeStore(1000));
    for (const key of ['#1.v', '#1.w', '#2.v', 'db.t']) cache.register(key, '', key, 'v', 'MEMORY_ONLY');
    cache.dropPrefixed('#1.');
    expect(cache.list().map((e) => e.key)).toEqual(['#2.v', 'db.t']);
    cache.clear();
    expect(cache.list()).toEqual([]);
  });
});

describe('ExecutionEngine caches', () => {
  it('charges the process budget once, serves scans on this thread, and releases on drop', async () => {
    const engine = new ExecutionEngine({ threads: 0, memoryLimit: 1 << 20 });
    try {
      const bytes = engine.putCache('test-cache-1', s, [[batchOf(100)], [batchOf(50)]]);
      expect(bytes).toEqual({ ok: true, bytes: 600 });
      expect(engine.memoryUsed).toBe(600);
      const provider = new CachedTableProvider(cachedTableDefinition('test-cache-1', 'db', 't', s));
      const scan = provider.scan({ projection: null, filters: [], limit: null, targetPartitions: 2 });
      expect(scan.partitions).toBe(2);
      expect(scan.describe()).toContain('InMemoryTableScan: db.t');
      let rows = 0;
      for (let p = 0; p < scan.partitions; p++)
        for await (const b of scan.open(p, { signal: new AbortController().signal, batchSize: 1024 }))
          rows += b.numRows;
      expect(rows).toBe(150);
      // Over the limit: refused, nothing charged
      expect(engine.putCache('test-cache-2', s, [[batchOf(300_000)]])).toEqual({
        ok: false,
        needed: 1_200_000,
        free: (1 << 20) - 600,
      });
      expect(engine.memoryUsed).toBe(600);
      engine.dropCache('test-cache-1');
      expect(engine.memoryUsed).toBe(0);
      expect(() => new CachedTableProvider(cachedTableDefinition('test-cache-1', 'db', 't', s))).toThrow(
        /not on this thread/,
      );
    } finally {
      await engine.close();
    }
  });
});
