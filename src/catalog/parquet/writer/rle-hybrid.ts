/**
 * Parquet's RLE / bit-packed hybrid encoding (used for definition levels and dictionary indices).
 *
 * Runs of 8 or more equal values become RLE runs (`varint(count << 1)`, value in ceil(w/8) bytes);
 * everything else is bit-packed in groups of 8 values (`varint(groups << 1 | 1)`, then w bytes per
 * group, LSB first). The last bit-packed group of a page is zero-padded; readers stop at the page's
 * value count.
 */

/** Bits needed to store `maxValue` (at least 1). */
export function bitWidthOf(maxValue: number): number {
  let w = 1;
  while (w < 32 && maxValue >= 2 ** w) w++;
  return w;
}

/** Encodes `values[start, end)` with bit width `width` (1..24). No length prefix. */
export function encodeHybrid(
  values: Int32Array | Uint8Array,
  start: number,
  end: number,
  width: number,
): Uint8Array {
  const n = end - start;
  const out = new Uint8Array(Math.ceil(n / 8) * (Math.max(width, 9) + 5) + 32);
  const valueBytes = (width + 7) >> 3;
  let pos = 0;
  let i = start;
  while (i < end) {
    const v = values[i]!;
    let j = i + 1;
    while (j < end && values[j] === v) j++;
    if (j - i >= 8 || j === end) {
      pos = writeVarint(out, pos, (j - i) * 2);
      for (let b = 0; b < valueBytes; b++) out[pos++] = (v >>> (8 * b)) & 0xff;
      i = j;
      continue;
    }
    // Bit-packed groups until a run of 8 equal values (or an all-equal tail) starts.
    let k = i;
    let groups = 0;
    for (;;) {
      k += 8;
      groups++;
      if (k >= end) break;
      const u = values[k]!;
      let m = k + 1;
      while (m < end && m - k < 8 && values[m] === u) m++;
      if (m - k >= 8 || m === end) break;
    }
    pos = writeVarint(out, pos, groups * 2 + 1);
    const stop = k < end ? k : end;
    let acc = 0;
    let bits = 0;
    for (let x = i; x < stop; x++) {
      acc |= values[x]! << bits;
      bits += width;
      while (bits >= 8) {
        out[pos++] = acc & 0xff;
        acc >>>= 8;
        bits -= 8;
      }
    }
    // Zero padding up to the group boundary.
    for (let x = stop; x < i + groups * 8; x++) {
      bits += width;
      while (bits >= 8) {
        out[pos++] = acc & 0xff;
        acc >>>= 8;
        bits -= 8;
      }
    }
    i = stop;
  }
  return out.subarray(0, pos);
}

/** An RLE run of `count` copies of `value` (e.g. definition levels of a page without NULLs). */
export function encodeRun(count: number, value: number, width: number): Uint8Array {
  const out = new Uint8Array(16);
  let pos = writeVarint(out, 0, count * 2);
  for (let b = 0; b < (width + 7) >> 3; b++) out[pos++] = (value >>> (8 * b)) & 0xff;
  return out.subarray(0, pos);
}

function writeVarint(out: Uint8Array, pos: number, value: number): number {
  let v = value;
  while (v >= 0x80) {
    out[pos++] = (v % 0x80) | 0x80;
    v = Math.floor(v / 0x80);
  }
  out[pos++] = v;
  return pos;
}
