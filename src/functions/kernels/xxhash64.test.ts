import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { T, columnFromValues, type DataType, type Value } from '../../common/index.ts';
import { javaBigIntegerBytes, xxhash64Column, xxhash64Value } from './xxhash64.ts';

/** A plain BigInt XXH64 over bytes, written from the specification, as the reference. */
const M = (1n << 64n) - 1n;
const P1 = 0x9e3779b185ebca87n;
const P2 = 0xc2b2ae3d27d4eb4fn;
const P3 = 0x165667b19e3779f9n;
const P4 = 0x85ebca77c2b2ae63n;
const P5 = 0x27d4eb2f165667c5n;
const rotl = (x: bigint, r: bigint): bigint => ((x << r) | (x >> (64n - r))) & M;
const round = (acc: bigint, lane: bigint): bigint => (rotl((acc + lane * P2) & M, 31n) * P1) & M;
function le(b: Uint8Array, i: number, n: number): bigint {
  let v = 0n;
  for (let k = n - 1; k >= 0; k--) v = (v << 8n) | BigInt(b[i + k]!);
  return v;
}
function referenceXxh64(b: Uint8Array, seed: bigint): bigint {
  let i = 0;
  let h: bigint;
  if (b.length >= 32) {
    const v = [(seed + P1 + P2) & M, (seed + P2) & M, seed & M, (seed - P1) & M];
    while (i + 32 <= b.length) {
      for (let k = 0; k < 4; k++) v[k] = round(v[k]!, le(b, i + 8 * k, 8));
      i += 32;
    }
    h = (rotl(v[0]!, 1n) + rotl(v[1]!, 7n) + rotl(v[2]!, 12n) + rotl(v[3]!, 18n)) & M;
    for (const x of v) h = (((h ^ round(0n, x)) * P1) & M) + P4;
    h &= M;
  } else {
    h = (seed + P5) & M;
  }
  h = (h + BigInt(b.length)) & M;
  for (; i + 8 <= b.length; i += 8) h = (rotl(h ^ round(0n, le(b, i, 8)), 27n) * P1 + P4) & M;
  if (i + 4 <= b.length) {
    h = (rotl(h ^ ((le(b, i, 4) * P1) & M), 23n) * P2 + P3) & M;
    i += 4;
  }
  for (; i < b.length; i++) h = (rotl(h ^ ((BigInt(b[i]!) * P5) & M), 11n) * P1) & M;
  h ^= h >> 33n;
  h = (h * P2) & M;
  h ^= h >> 29n;
  h = (h * P3) & M;
  h ^= h >> 32n;
  return BigInt.asIntN(64, h);
}

const bytesType: DataType = T.binary;

describe('xxhash64', () => {
  it('matches the XXH64 reference vectors', () => {
    expect(BigInt.asUintN(64, xxhash64Value(new Uint8Array(0), bytesType, 0n))).toBe(0xef46db3751d8e999n);
    expect(BigInt.asUintN(64, referenceXxh64(new Uint8Array(0), 0n))).toBe(0xef46db3751d8e999n);
  });

  it('agrees with a BigInt implementation on random bytes and seeds (every length path)', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 100 }),
        fc.bigInt({ min: -(1n << 63n), max: (1n << 63n) - 1n }),
        (b, seed) => {
          expect(xxhash64Value(b, bytesType, seed)).toBe(referenceXxh64(b, BigInt.asUintN(64, seed)));
        },
      ),
    );
  });

  it("gives Spark's documented xxhash64('Spark', array(123), 2)", () => {
    const h1 = xxhash64Value('Spark', T.string);
    const h2 = xxhash64Value(123, T.int, h1);
    expect(xxhash64Value(2, T.int, h2)).toBe(5602566077635097486n);
    expect(xxhash64Value(['Spark'], T.array(T.string))).toBe(h1);
  });

  it('hashes ints and longs as their 4 and 8 little-endian bytes', () => {
    expect(xxhash64Value(-7, T.int)).toBe(referenceXxh64(Uint8Array.of(0xf9, 0xff, 0xff, 0xff), 42n));
    const long = Uint8Array.of(1, 2, 3, 4, 5, 6, 7, 0x80);
    expect(xxhash64Value(le(long, 0, 8) - (1n << 64n), T.bigint)).toBe(referenceXxh64(long, 42n));
  });

  it('hashes whole columns like single values, leaving NULL rows at their seed', () => {
    const cases: [DataType, Value[]][] = [
      [T.int, [1, null, -5, 2147483647]],
      [T.smallint, [3, -3, null]],
      [T.bigint, [1n, -1n, null, 9007199254740993n]],
      [T.double, [0, -0, NaN, 1.5, null]],
      [T.float, [0, -0, NaN, 2.25]],
      [T.decimal(10, 2), [12345n, -1n, null]],
      [T.decimal(30, 2), [123456789012345678901234n, -5n, null]],
      [T.string, ['', 'a', 'héllo wörld, a longer string over thirty-two bytes', null]],
      [T.date, [19000, null]],
      [T.boolean, [true, false, null]],
      [T.array(T.int), [[1, 2], [], null]],
    ];
    for (const [type, vals] of cases) {
      const col = columnFromValues(type, vals);
      const hi = new Uint32Array(vals.length);
      const lo = new Uint32Array(vals.length).fill(42);
      xxhash64Column(col, type, vals.length, hi, lo);
      vals.forEach((v, i) => {
        const got = BigInt.asIntN(64, (BigInt(hi[i]!) << 32n) | BigInt(lo[i]!));
        expect(got).toBe(v === null ? 42n : xxhash64Value(v, type));
      });
    }
    // -0.0 and 0.0 hash alike, as do all NaNs
    expect(xxhash64Value(-0, T.double)).toBe(xxhash64Value(0, T.double));
  });

  it("encodes wide decimals like Java's BigInteger.toByteArray", () => {
    expect([...javaBigIntegerBytes(0n)]).toEqual([0]);
    expect([...javaBigIntegerBytes(127n)]).toEqual([127]);
    expect([...javaBigIntegerBytes(128n)]).toEqual([0, 128]);
    expect([...javaBigIntegerBytes(-1n)]).toEqual([255]);
    expect([...javaBigIntegerBytes(-128n)]).toEqual([128]);
    expect([...javaBigIntegerBytes(-129n)]).toEqual([255, 127]);
    expect([...javaBigIntegerBytes(65536n)]).toEqual([1, 0, 0]);
  });
});
