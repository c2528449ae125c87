/**
 * Decoding Parquet's RLE/bit-packed hybrid (definition levels, dictionary indices, RLE booleans):
 * runs of `header >> 1` repeated values (header bit 0 clear: 0) or `header >> 1` groups of eight
 * bit-packed values (bit 0 set: 1), values LSB first. Decodes exactly `count` values into an
 * Int32Array; a run that ends early, or repeats a value wider than the bit width, throws
 * `CorruptPageError` (so every value decoded is below 2^bitWidth).
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
    const header = readRunHeader(bytes, pos, end);
    pos = runAt;
    if ((header & 1) === 0) {
      const runLength = Math.floor(header / 2);
      const value = readRunValue(bytes, pos, end, valueBytes, bitWidth);
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

/** Where the run after the last header `readRunHeader` read starts. */
let runAt = 0;

/** A run's varint header at `pos` (the run's data then starts at `runAt`). */
function readRunHeader(bytes: Uint8Array, pos: number, end: number): number {
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
  runAt = pos;
  return header;
}

/** An RLE run's repeated value: `valueBytes` little-endian bytes, below 2^bitWidth. */
function readRunValue(
  bytes: Uint8Array,
  pos: number,
  end: number,
  valueBytes: number,
  bitWidth: number,
): number {
  if (pos + valueBytes > end) throw truncated();
  let value = 0;
  for (let k = 0; k < valueBytes; k++) value += bytes[pos + k]! * 2 ** (8 * k);
  if (value >= 2 ** bitWidth)
    throw new CorruptPageError(`RLE run value ${value} wider than ${bitWidth} bits`);
  return value;
}

let scratch = new Uint32Array(1024);

/** A word buffer of at least `bytes` bytes and eight more (the spare word a straddling read takes). */
function packedScratch(bytes: number): Uint32Array {
  const words = (bytes >> 2) + 3;
  if (scratch.length < words) scratch = new Uint32Array(Math.max(words, scratch.length * 2));
  return scratch;
}

/** Unpacks `count` values of `bitWidth` bits starting at byte `pos` (little-endian platforms). */
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
  if (bitWidth <= 24) {
    // The packed bytes, copied into aligned 32-bit words (one spare): a value is then the bits
    // from `shift` of one word and, when it straddles, the low bits of the next — two aligned
    // loads and no branch, where reading byte by byte costs a load and a loop per byte.
    const byteLength = Math.min(bytes.length - pos, Math.ceil((count * bitWidth) / 8));
    const words = packedScratch(byteLength);
    const view = new Uint8Array(words.buffer, 0, byteLength + 8);
    view.set(bytes.subarray(pos, pos + byteLength));
    view.fill(0, byteLength);
    const mask = (1 << bitWidth) - 1;
    let bit = 0;
    for (let i = 0; i < count; i++) {
      const w = bit >>> 5;
      const shift = bit & 31;
      out[o + i] = ((words[w]! >>> shift) | ((words[w + 1]! << 1) << (31 - shift))) & mask;
      bit += bitWidth;
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

/**
 * Decodes only the values at `positions[0…count)` (ascending value indexes; -1 entries give -1)
 * of the hybrid data of `bitWidth` (≤ 24) bits at `bytes[start, end)` into `out[0…count)`: runs are
 * walked by their headers and a bit-packed value read where it lies, so the cost follows the runs
 * and the values wanted, not every value. A position past the data throws `CorruptPageError`.
 */
export function decodeHybridAt(
  bytes: Uint8Array,
  start: number,
  end: number,
  bitWidth: number,
  positions: Int32Array,
  count: number,
  out: Int32Array,
): void {
  if (bitWidth < 0 || bitWidth > 24) throw new CorruptPageError(`invalid bit width ${bitWidth}`);
  if (end > bytes.length) throw truncated();
  const valueBytes = (bitWidth + 7) >> 3;
  const mask = bitWidth === 0 ? 0 : (1 << bitWidth) - 1;
  let pos = start;
  let base = 0;
  let j = 0;
  while (j < count && positions[j]! < 0) out[j++] = -1;
  while (j < count) {
    const header = readRunHeader(bytes, pos, end);
    pos = runAt;
    if ((header & 1) === 0) {
      const runLength = Math.floor(header / 2);
      const value = readRunValue(bytes, pos, end, valueBytes, bitWidth);
      pos += valueBytes;
      const stop = base + runLength;
      while (j < count) {
        const x = positions[j]!;
        if (x < 0) out[j++] = -1;
        else if (x < stop) out[j++] = value | 0;
        else break;
      }
      base = stop;
    } else {
      const values = Math.floor(header / 2) * 8;
      const runStart = pos;
      const runEnd = Math.min(end, pos + (values * bitWidth) / 8);
      const stop = base + values;
      while (j < count) {
        const x = positions[j]!;
        if (x < 0) {
          out[j++] = -1;
          continue;
        }
        if (x >= stop) break;
        const bit = (x - base) * bitWidth;
        const at = runStart + (bit >> 3);
        if (at + (((bit & 7) + bitWidth + 7) >> 3) > runEnd) throw truncated();
        // Up to 24 + 7 bits from four bytes, little-endian (bytes past the run read as 0).
        const b0 = bytes[at]!;
        const b1 = at + 1 < runEnd ? bytes[at + 1]! : 0;
        const b2 = at + 2 < runEnd ? bytes[at + 2]! : 0;
        const b3 = at + 3 < runEnd ? bytes[at + 3]! : 0;
        out[j++] = ((b0 | (b1 << 8) | (b2 << 16) | (b3 << 24)) >>> (bit & 7)) & mask;
      }
      pos = runStart + (values * bitWidth) / 8;
      base = stop;
    }
  }
}
