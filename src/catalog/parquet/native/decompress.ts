/**
 * Page decompression for the codecs the native decoder supports: UNCOMPRESSED, SNAPPY (own
 * decoder), GZIP and ZSTD (node:zlib). The output must be exactly the page's declared uncompressed
 * size; zlib is bounded by it (`maxOutputLength`), so a corrupt page cannot inflate without limit.
 */
import * as zlib from 'node:zlib';
import { CorruptPageError } from './native-errors.ts';
import { snappyDecompress } from './snappy.ts';

export type NativeCodec = 'UNCOMPRESSED' | 'SNAPPY' | 'GZIP' | 'ZSTD';

export function isNativeCodec(codec: string): codec is NativeCodec {
  return codec === 'UNCOMPRESSED' || codec === 'SNAPPY' || codec === 'GZIP' || codec === 'ZSTD';
}

export function decompressPage(codec: NativeCodec, input: Uint8Array, uncompressedSize: number): Uint8Array {
  let out: Uint8Array;
  switch (codec) {
    case 'UNCOMPRESSED':
      out = input;
      break;
    case 'SNAPPY':
      return snappyDecompress(input, uncompressedSize);
    case 'GZIP':
    case 'ZSTD': {
      if (uncompressedSize === 0 && input.length === 0) return new Uint8Array(0);
      // One output chunk a little larger than the page: no 16 KiB chunks to concatenate afterwards,
      // and room to spare, or node:zlib would allocate a second chunk (of the same size) just to
      // learn that the stream ended where the first one filled up.
      const options = {
        maxOutputLength: Math.max(64, uncompressedSize),
        chunkSize: Math.max(64, uncompressedSize + 64),
      };
      try {
        const buffer =
          codec === 'GZIP' ? zlib.gunzipSync(input, options) : zlib.zstdDecompressSync(input, options);
        // A plain Uint8Array view: Buffer's `slice` does not copy, which the decoder relies on.
        out = new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
      } catch (err) {
        throw new CorruptPageError(
          `corrupt ${codec.toLowerCase()}-compressed page (${(err as Error).message})`,
        );
      }
      break;
    }
  }
  if (out.length !== uncompressedSize) {
    throw new CorruptPageError(
      `page decompresses to ${out.length} bytes, the header says ${uncompressedSize}`,
    );
  }
  return out;
}
