/**
 * Decoding Parquet's RLE/bit-packed hybrid (definition levels, dictionary indices, RLE booleans):
 * runs of `header >> 1` repeated values (header bit 0 clear: 0) or `header >> 1` groups of eight
 * bit-packed values (bit 0 set: 1), values LSB first. Decodes exactly `count` values into an
 * Int32Array; a run that ends early throws `CorruptPageError`.
 */
import { CorruptPageError } from './native-errors.ts';

function truncated(): CorruptPageError {
  return new CorruptPageError('RLE/bit-packed data ends early');
}

/**
 * Decodes `count` values of `bitWidth` bits from `bytes[start, end)` into `out[outStart…]`.
 * Returns the position after the last byte consumed.
 */
export function decodeHybrid(
  bytes: Uint8Array,
  start: number,
  end: number,
  bitWidth: number,
  out: Int32Array,
  outStart: number,
  count: number,
): number {
  if (bitWidth < 0 || bitWidth > 32) throw new CorruptPageError(`invalid bit width ${bitWidth}`);
  if (end > bytes.length) throw truncated();
  let pos = start;
  let o = outStart;
  const stop = outStart + count;
  const valueBytes = (bitWidth + 7) >> 3;
  while (o < stop) {
    // varint header
    let header = 0;
    let mul = 1;
    for (;;) {
      if (pos >= end) throw truncated();
      const b = bytes[pos++]!;
      header += (b & 0x7f) * mul;
      if ((b & 0x80) === 0) break;
      mul *= 128;
      if (mul > 2 ** 35) throw new CorruptPageError('malformed RLE run header');
    }
    if ((header & 1) === 0) {
      const runLength = Math.floor(header / 2);
      if (pos + valueBytes > end) throw truncated();
      let value = 0;
      for (let k = 0; k < valueBytes; k++) value += bytes[pos + k]! * 2 ** (8 * k);
      pos += valueBytes;
      if (runLength === 0) continue;
      const take = Math.min(runLength, stop - o);
      out.fill(value | 0, o, o + take);
      o += take;
    } else {
      const values = Math.floor(header / 2) * 8;
      if (values === 0) continue;
      const take = Math.min(values, stop - o);
      const runBytes = (values * bitWidth) / 8;
      const needed = Math.ceil((take * bitWidth) / 8);
      if (pos + needed > end) throw truncated();
      unpack(bytes, pos, bitWidth, out, o, take);
      o += take;
      pos = Math.min(end, pos + runBytes);
    }
  }
  return pos;
}

/** Unpacks `count` values of `bitWidth` bits starting at byte `pos`. */
function unpack(
  bytes: Uint8Array,
  pos: number,
  bitWidth: number,
  out: Int32Array,
  o: number,
  count: number,
): void {
  if (bitWidth === 0) {
    out.fill(0, o, o + count);
    return;
  }
  if (bitWidth === 1) {
    for (let i = 0; i < count; i++) out[o + i] = (bytes[pos + (i >> 3)]! >> (i & 7)) & 1;
    return;
  }
  if (bitWidth <= 8 && (count & 7) === 0) {
    // Whole groups of eight values are `bitWidth` (≤ 8) bytes: read each group as two 32-bit
    // words instead of value by value.
    const mask = (1 << bitWidth) - 1;
    let p = pos;
    for (let i = 0; i < count; i += 8) {
      let lo = 0;
      let hi = 0;
      for (let b = 0; b < bitWidth && b < 4; b++) lo |= bytes[p + b]! << (8 * b);
      for (let b = 4; b < bitWidth; b++) hi |= bytes[p + b]! << (8 * (b - 4));
      // Value v occupies bits [v * bitWidth, (v + 1) * bitWidth) of the 64-bit lo/hi pair.
      for (let v = 0; v < 8; v++) {
        const at = v * bitWidth;
        let x: number;
        if (at + bitWidth <= 32) x = lo >>> at;
        else if (at >= 32) x = hi >>> (at - 32);
        else x = (lo >>> at) | (hi << (32 - at));
        out[o + i + v] = x & mask;
      }
      p += bitWidth;
    }
    return;
  }
  if (bitWidth <= 24) {
    // A value and the bits before it in its first byte fit four bytes: read them as one
    // little-endian word (the last values, whose four bytes would run past the buffer, byte by byte).
    const mask = (1 << bitWidth) - 1;
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const last = bytes.length - 4;
    let q = pos;
    let shift = 0;
    let i = 0;
    for (; i < count && q <= last; i++) {
      out[o + i] = (view.getUint32(q, true) >>> shift) & mask;
      shift += bitWidth;
      q += shift >> 3;
      shift &= 7;
    }
    for (; i < count; i++) {
      let x = 0;
      for (let k = 0; 8 * k < shift + bitWidth; k++) x += (bytes[q + k] ?? 0) * 2 ** (8 * k);
      out[o + i] = Math.floor(x / 2 ** shift) & mask;
      shift += bitWidth;
      q += shift >> 3;
      shift &= 7;
    }
    return;
  }
  // Wide values: exact arithmetic on doubles (at most 32 + 7 bits pending).
  let acc = 0;
  let bits = 0;
  let p = pos;
  const modulus = 2 ** bitWidth;
  for (let i = 0; i < count; i++) {
    while (bits < bitWidth) {
      acc += bytes[p++]! * 2 ** bits;
      bits += 8;
    }
    out[o + i] = (acc % modulus) | 0;
    acc = Math.floor(acc / modulus);
    bits -= bitWidth;
  }
}
