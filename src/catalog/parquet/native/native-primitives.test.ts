/**
 * Unit tests of the native decoder's building blocks: the RLE/bit-packed hybrid decoder against the
 * writer's encoder (every bit width), snappy on hand-made streams (literals, overlapping copies) and
 * random bytes (always a result or CorruptPageError), and page headers from the writer's encoder.
 */
import { describe, expect, it } from 'vitest';
import { encodeDataPageHeader } from '../writer/metadata-encoder.ts';
import { encodeHybrid } from '../writer/rle-hybrid.ts';
import { CorruptPageError } from './native-errors.ts';
import { readPageHeader } from './page-header.ts';
import { decodeHybrid, decodeHybridAt } from './rle-hybrid-decoder.ts';
import { snappyDecompress } from './snappy.ts';

describe('RLE/bit-packed hybrid', () => {
  it('round-trips the writer encoding at every bit width, with runs and packed groups', () => {
    for (let width = 1; width <= 24; width++) {
      const n = 1000;
      const values = new Int32Array(n);
      const max = 2 ** width;
      for (let i = 0; i < n; i++) values[i] = i % 100 < 30 ? max - 1 : (i * 2654435761) % max;
      const bytes = encodeHybrid(values, 0, n, width);
      const out = new Int32Array(n);
      decodeHybrid(bytes, 0, bytes.length, width, out, 0, n);
      expect(Array.from(out), `width ${width}`).toEqual(Array.from(values));
      // A prefix that ends inside a packed group, written after an offset.
      const part = new Int32Array(n + 3);
      decodeHybrid(bytes, 0, bytes.length, width, part, 3, n - 5);
      expect(Array.from(part.subarray(3, n - 2)), `width ${width}, prefix`).toEqual(
        Array.from(values.subarray(0, n - 5)),
      );
    }
  });

  it('reads values at chosen positions as the whole decoding does, across runs, packed groups and -1s', () => {
    for (let width = 0; width <= 24; width++) {
      const n = 3000;
      const max = 2 ** width;
      const values = Int32Array.from({ length: n }, (_, i) =>
        i % 200 < 60 ? max - 1 : Number((BigInt(i) * 2654435761n) % BigInt(max)),
      );
      const bytes = encodeHybrid(values, 0, n, width);
      for (const every of [1, 3, 97, 1000]) {
        const positions = Int32Array.from({ length: n }, (_, i) => i).filter(
          (i) => i % every === every - 1 || i === 0,
        );
        // NULL rows are -1 positions between the others.
        const withNulls = Int32Array.from(
          Array.from(positions).flatMap((x, k) => (k % 5 === 2 ? [-1, x] : [x])),
        );
        const out = new Int32Array(withNulls.length);
        decodeHybridAt(bytes, 0, bytes.length, width, withNulls, withNulls.length, out);
        expect(Array.from(out), `width ${width}, every ${every}`).toEqual(
          Array.from(withNulls, (x) => (x < 0 ? -1 : values[x]!)),
        );
      }
      expect(() =>
        decodeHybridAt(bytes, 0, bytes.length, width, Int32Array.of(n + 64), 1, new Int32Array(1)),
      ).toThrow(CorruptPageError);
    }
  });

  it('throws CorruptPageError when the data ends early', () => {
    const values = Int32Array.from({ length: 100 }, (_, i) => i % 7);
    const bytes = encodeHybrid(values, 0, 100, 3);
    expect(() => decodeHybrid(bytes, 0, 3, 3, new Int32Array(100), 0, 100)).toThrow(CorruptPageError);
    expect(() => decodeHybrid(new Uint8Array(0), 0, 0, 1, new Int32Array(1), 0, 1)).toThrow(CorruptPageError);
    // A repeated value wider than the bit width (a 3-bit index of 255): no index past a dictionary.
    const wide = new Uint8Array([4 << 1, 255]);
    expect(() => decodeHybrid(wide, 0, 2, 3, new Int32Array(4), 0, 4)).toThrow(CorruptPageError);
    expect(() => decodeHybridAt(wide, 0, 2, 3, Int32Array.of(1), 1, new Int32Array(1))).toThrow(
      CorruptPageError,
    );
  });

  it('decodes bit widths above 24 and zero', () => {
    // One bit-packed group of 8 values of width 32.
    const bytes = new Uint8Array(1 + 32);
    bytes[0] = (1 << 1) | 1;
    const view = new DataView(bytes.buffer);
    for (let i = 0; i < 8; i++) view.setUint32(1 + 4 * i, 0xfffffff0 + i, true);
    const out = new Int32Array(8);
    decodeHybrid(bytes, 0, bytes.length, 32, out, 0, 8);
    expect(Array.from(out, (x) => x >>> 0)).toEqual([0, 1, 2, 3, 4, 5, 6, 7].map((i) => 0xfffffff0 + i));
    const zero = new Int32Array(5).fill(9);
    decodeHybrid(new Uint8Array([5 << 1]), 0, 1, 0, zero, 0, 5);
    expect(Array.from(zero)).toEqual([0, 0, 0, 0, 0]);
  });
});

describe('snappy', () => {
  it('decodes literals and overlapping back-references', () => {
    // "abcabcabcabcX": literal "abc", copy offset 3 length 9, literal "X".
    const stream = new Uint8Array([13, (3 - 1) << 2, 97, 98, 99, 1 | ((9 - 4) << 2), 3, 0, 88]);
    expect(new TextDecoder().decode(snappyDecompress(stream, 13))).toBe('abcabcabcabcX');
    // A long literal (length in one extra byte), a 2-byte-offset copy and a 1-byte-offset copy.
    const literal = Uint8Array.from({ length: 70 }, (_, i) => 65 + (i % 26));
    const long = new Uint8Array([
      140,
      1,
      60 << 2,
      69,
      ...literal,
      2 | ((64 - 1) << 2),
      70,
      0,
      1 | ((6 - 4) << 2),
      70,
    ]);
    const out = snappyDecompress(long, 140);
    expect(Array.from(out.subarray(70))).toEqual(Array.from(literal));
  });

  it('rejects wrong lengths and bad offsets, and never crashes on random bytes', () => {
    expect(() => snappyDecompress(new Uint8Array([5, 0, 65]), 5)).toThrow(CorruptPageError);
    expect(() => snappyDecompress(new Uint8Array([4, 1 | (0 << 2), 9]), 4)).toThrow(CorruptPageError);
    expect(() => snappyDecompress(new Uint8Array([3]), 4)).toThrow(/snappy page holds 3 bytes/);
    let seed = 3;
    for (let k = 0; k < 2000; k++) {
      const input = new Uint8Array(1 + (k % 40));
      for (let i = 0; i < input.length; i++) {
        seed = (seed * 1103515245 + 12345) & 0x7fffffff;
        input[i] = seed & 0xff;
      }
      input[0] = k % 64;
      try {
        expect(snappyDecompress(input, input[0]).length).toBe(input[0]);
      } catch (err) {
        expect(err).toBeInstanceOf(CorruptPageError);
      }
    }
  });
});

describe('page headers', () => {
  it('reads what the writer encodes, and rejects truncated headers', () => {
    const bytes = encodeDataPageHeader({
      uncompressedSize: 1234,
      compressedSize: 567,
      numValues: 89,
      encoding: 8,
      levelEncoding: 3,
    });
    const h = readPageHeader(bytes, 0, bytes.length);
    expect([h.type, h.uncompressedSize, h.compressedSize, h.numValues, h.encoding, h.bodyStart]).toEqual([
      0,
      1234,
      567,
      89,
      8,
      bytes.length,
    ]);
    for (let cut = 0; cut < bytes.length; cut++) {
      expect(() => readPageHeader(bytes, 0, cut)).toThrow(CorruptPageError);
    }
  });
});
