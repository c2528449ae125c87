/**
 * Cuts rows `[start, start + n)` out of a whole-row-group column as a column with `offset === 0`
 * (the engine's operators expect that of what scans produce): values and offsets are views or
 * rebased copies, validity and boolean bits are views when `start` is a multiple of 8, else copied.
 */
import * as arrow from 'apache-arrow';

function bitsAt(bits: Uint8Array, start: number, n: number): Uint8Array {
  if ((start & 7) === 0) return bits.subarray(start >> 3, (start + n + 7) >> 3);
  const out = new Uint8Array((n + 7) >> 3);
  for (let i = 0; i < n; i++) {
    const j = start + i;
    if ((bits[j >> 3]! >> (j & 7)) & 1) out[i >> 3]! |= 1 << (i & 7);
  }
  return out;
}

function countNulls(bits: Uint8Array, n: number): number {
  let valid = 0;
  const full = n >> 3;
  for (let b = 0; b < full; b++) {
    let x = bits[b]!;
    x = x - ((x >> 1) & 0x55);
    x = (x & 0x33) + ((x >> 2) & 0x33);
    valid += (x + (x >> 4)) & 0x0f;
  }
  for (let i = full << 3; i < n; i++) valid += (bits[i >> 3]! >> (i & 7)) & 1;
  return n - valid;
}

export function sliceColumn(data: arrow.Data, start: number, n: number): arrow.Data {
  if (start === 0 && n === data.length) return data;
  const type = data.type;
  let nullBitmap: Uint8Array | undefined;
  let nullCount = 0;
  if (data.nullCount > 0 && data.nullBitmap !== undefined && data.nullBitmap.length > 0) {
    nullBitmap = bitsAt(data.nullBitmap, start, n);
    nullCount = countNulls(nullBitmap, n);
    if (nullCount === 0) nullBitmap = undefined;
  }
  const validity = nullBitmap === undefined ? {} : { nullBitmap };
  if (arrow.DataType.isNull(type)) {
    return arrow.makeData({ type, length: n, nullCount: n } as never);
  }
  if (arrow.DataType.isBool(type)) {
    return arrow.makeData({
      type,
      length: n,
      nullCount,
      ...validity,
      data: bitsAt(data.values as Uint8Array, start, n),
    } as never);
  }
  if (arrow.DataType.isUtf8(type) || arrow.DataType.isBinary(type)) {
    const src = data.valueOffsets as Int32Array;
    const base = src[start]!;
    const offsets = new Int32Array(n + 1);
    for (let i = 0; i <= n; i++) offsets[i] = src[start + i]! - base;
    const bytes = (data.values as Uint8Array).subarray(base, base + offsets[n]!);
    return arrow.makeData({
      type,
      length: n,
      nullCount,
      ...validity,
      valueOffsets: offsets,
      data: bytes,
    } as never);
  }
  const values = data.values as Uint8Array;
  const stride = data.length === 0 ? 1 : values.length / data.length;
  const sliced = values.subarray(start * stride, (start + n) * stride);
  return arrow.makeData({ type, length: n, nullCount, ...validity, data: sliced } as never);
}
