/** The RLE / bit-packed hybrid encoder against a straightforward decoder, and exact bytes for small cases. */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { bitWidthOf, encodeHybrid, encodeRun } from './rle-hybrid.ts';

/** Decodes `count` values of bit width `width` (reference implementation of the Parquet spec). */
function decodeHybrid(bytes: Uint8Array, width: number, count: number): number[] {
  const out: number[] = [];
  let pos = 0;
  const varint = (): number => {
    let v = 0;
    let shift = 0;
    for (;;) {
      const b = bytes[pos++]!;
      v += (b & 0x7f) * 2 ** shift;
      if (b < 0x80) return v;
      shift += 7;
    }
  };
  while (out.length < count) {
    const header = varint();
    if (header % 2 === 0) {
      let value = 0;
      for (let b = 0; b < (width + 7) >> 3; b++) value |= bytes[pos++]! << (8 * b);
      for (let k = 0; k < header / 2; k++) out.push(value);
    } else {
      const groups = (header - 1) / 2;
      let bit = 0;
      const start = pos;
      for (let k = 0; k < groups * 8; k++) {
        let v = 0;
        for (let j = 0; j < width; j++, bit++) v |= ((bytes[start + (bit >> 3)]! >> (bit & 7)) & 1) << j;
        out.push(v);
      }
      pos = start + groups * width;
    }
  }
  expect(pos).toBe(bytes.length);
  return out.slice(0, count);
}

describe('RLE / bit-packed hybrid', () => {
  it('writes long runs as RLE runs', () => {
    expect([...encodeHybrid(new Uint8Array(100).fill(1), 0, 100, 1)]).toEqual([200, 1, 1]);
    expect([...encodeRun(3, 1, 1)]).toEqual([6, 1]);
    expect([...encodeHybrid(new Int32Array(10).fill(300), 0, 10, 9)]).toEqual([20, 0x2c, 0x01]);
  });

  it('bit-packs mixed values in groups of 8, zero-padded', () => {
    // 0..7 at width 3: the spec's example bytes 10001000 11000110 11111010.
    expect([...encodeHybrid(Int32Array.of(0, 1, 2, 3, 4, 5, 6, 7), 0, 8, 3)]).toEqual([3, 0x88, 0xc6, 0xfa]);
    expect([...encodeHybrid(Uint8Array.of(1, 0, 1), 0, 3, 1)]).toEqual([3, 0b101]);
  });

  it('round trips arbitrary values and sub-ranges', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 20 }),
        fc.array(fc.tuple(fc.nat(1 << 20), fc.integer({ min: 1, max: 40 })), { maxLength: 40 }),
        fc.nat(5),
        (width, runs, skip) => {
          const values: number[] = [];
          for (const [v, len] of runs) for (let k = 0; k < len; k++) values.push(v % 2 ** width);
          const arr = Int32Array.from(values);
          const start = Math.min(skip, arr.length);
          const decoded = decodeHybrid(
            encodeHybrid(arr, start, arr.length, width),
            width,
            arr.length - start,
          );
          expect(decoded).toEqual(values.slice(start));
        },
      ),
    );
  });

  it('computes bit widths', () => {
    expect([0, 1, 2, 3, 4, 255, 256, 65535].map(bitWidthOf)).toEqual([1, 1, 2, 2, 3, 8, 9, 16]);
  });
});
