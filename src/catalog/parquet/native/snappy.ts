/**
 * Snappy decompression (the raw block format Parquet uses: a varint of the uncompressed length,
 * then literal and back-reference elements). Every length and offset is checked against the input
 * and the declared output size, so corrupt input throws `CorruptPageError` instead of reading or
 * writing out of bounds.
 */
import { CorruptPageError } from './native-errors.ts';

function corrupt(): CorruptPageError {
  return new CorruptPageError('corrupt snappy-compressed page');
}

/** Decompresses `input` into a new buffer of exactly `expectedLength` bytes. */
export function snappyDecompress(input: Uint8Array, expectedLength: number): Uint8Array {
  const inLen = input.length;
  let ip = 0;
  let length = 0;
  let shift = 0;
  for (;;) {
    if (ip >= inLen || shift > 28) throw corrupt();
    const b = input[ip++]!;
    length += (b & 0x7f) * 2 ** shift;
    if ((b & 0x80) === 0) break;
    shift += 7;
  }
  if (length !== expectedLength) {
    throw new CorruptPageError(`snappy page holds ${length} bytes, the header says ${expectedLength}`);
  }
  const out = new Uint8Array(length);
  let op = 0;
  while (ip < inLen) {
    const tag = input[ip++]!;
    const kind = tag & 3;
    if (kind === 0) {
      let len = tag >> 2;
      if (len >= 60) {
        const extra = len - 59;
        if (ip + extra > inLen) throw corrupt();
        len = 0;
        for (let k = 0; k < extra; k++) len += input[ip + k]! * 2 ** (8 * k);
        ip += extra;
      }
      len += 1;
      if (ip + len > inLen || op + len > length) throw corrupt();
      if (len < 16) {
        for (let k = 0; k < len; k++) out[op + k] = input[ip + k]!;
      } else {
        out.set(input.subarray(ip, ip + len), op);
      }
      ip += len;
      op += len;
      continue;
    }
    let len: number;
    let offset: number;
    if (kind === 1) {
      if (ip >= inLen) throw corrupt();
      len = 4 + ((tag >> 2) & 7);
      offset = ((tag >> 5) << 8) | input[ip++]!;
    } else if (kind === 2) {
      if (ip + 2 > inLen) throw corrupt();
      len = (tag >> 2) + 1;
      offset = input[ip]! | (input[ip + 1]! << 8);
      ip += 2;
    } else {
      if (ip + 4 > inLen) throw corrupt();
      len = (tag >> 2) + 1;
      offset = (input[ip]! | (input[ip + 1]! << 8) | (input[ip + 2]! << 16) | (input[ip + 3]! << 24)) >>> 0;
      ip += 4;
    }
    if (offset === 0 || offset > op || op + len > length) throw corrupt();
    const from = op - offset;
    if (offset >= len && len >= 16) {
      out.copyWithin(op, from, from + len);
    } else {
      for (let k = 0; k < len; k++) out[op + k] = out[from + k]!;
    }
    op += len;
  }
  if (op !== length) throw corrupt();
  return out;
}
