/**
 * An estimate of a CSV table's rows without scanning it, for the optimizer when no row count is
 * recorded: the bytes per line of a sample (the first 64 KiB of text of the first non-empty file)
 * into the files' text size. A gzip file's text size is its trailer's ISIZE (the uncompressed size
 * modulo 2^32; a file whose ISIZE is below its compressed size is assumed 4× larger instead).
 * Reads a few bytes per file and one small sample; null when nothing can be read.
 */
import * as fs from 'node:fs';
import * as zlib from 'node:zlib';
import type { DataFile } from '../file-listing.ts';

const SAMPLE_BYTES = 64 * 1024;
/** Compressed bytes read to get a sample of text out of a gzip file. */
const SAMPLE_COMPRESSED_BYTES = 24 * 1024;
const ASSUMED_GZIP_RATIO = 4;

function readAt(file: string, position: number, length: number): Buffer {
  const fd = fs.openSync(file, 'r');
  try {
    const buf = Buffer.alloc(length);
    const n = fs.readSync(fd, buf, 0, length, position);
    return buf.subarray(0, n);
  } finally {
    fs.closeSync(fd);
  }
}

/** Up to SAMPLE_BYTES of the file's text from its start. */
function sampleText(file: DataFile, gzip: boolean): Buffer {
  if (!gzip) return readAt(file.path, 0, Math.min(SAMPLE_BYTES, file.size));
  const head = readAt(file.path, 0, Math.min(SAMPLE_COMPRESSED_BYTES, file.size));
  // A truncated stream: flush what decompresses instead of failing at its end.
  const text = zlib.gunzipSync(head, { finishFlush: zlib.constants.Z_SYNC_FLUSH });
  return text.subarray(0, SAMPLE_BYTES);
}

function textSize(file: DataFile, gzip: boolean): number {
  if (!gzip) return file.size;
  if (file.size < 18) return 0;
  const isize = readAt(file.path, file.size - 4, 4).readUInt32LE(0);
  return isize >= file.size ? isize : file.size * ASSUMED_GZIP_RATIO;
}

/** The estimated rows of `files` (`isGzip` tells which are compressed); null when unknown. */
export function estimateCsvRows(files: readonly DataFile[], isGzip: (f: DataFile) => boolean): number | null {
  try {
    let perLine: number | null = null;
    for (const f of files) {
      if (f.size === 0) continue;
      const text = sampleText(f, isGzip(f));
      let lines = 0;
      let end = 0;
      for (let i = 0; i < text.length; i++) {
        if (text[i] === 0x0a) {
          lines++;
          end = i + 1;
        }
      }
      // Bytes per line of the complete lines; a file of one unterminated line counts as one.
      perLine = lines > 0 ? end / lines : text.length > 0 ? text.length : null;
      break;
    }
    if (perLine === null) return files.length === 0 || files.every((f) => f.size === 0) ? 0 : null;
    let total = 0;
    for (const f of files) total += textSize(f, isGzip(f));
    return Math.max(0, Math.round(total / perLine));
  } catch {
    return null;
  }
}
