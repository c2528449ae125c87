/**
 * Streams a file's bytes in chunks: plain files from a byte offset with positioned reads (so a range
 * of a large file is read without touching the rest), gzip files through a zlib stream. Each read
 * returns the caller's unparsed tail (`carry`) followed by new bytes, so a line that spans chunks is
 * whole; memory stays at about one chunk whatever the file size.
 */
import * as fs from 'node:fs';
import * as zlib from 'node:zlib';
import { EngineError, SqlState } from '../../common/index.ts';

export const DEFAULT_CHUNK_SIZE = 4 * 1024 * 1024;

export function missingPath(file: string): EngineError {
  return new EngineError(SqlState.pathNotFound, `[PATH_NOT_FOUND] Path does not exist: ${file}.`);
}

export function ioFailure(file: string, err: unknown): EngineError {
  if (err instanceof EngineError) return err;
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return missingPath(file);
  const reason = err instanceof Error ? err.message : String(err);
  if (code !== undefined && code.startsWith('Z_')) {
    return new EngineError('XX001', `could not decompress "${file}": ${reason}`, { cause: err });
  }
  return new EngineError(SqlState.ioError, `could not read "${file}": ${reason}`, { cause: err });
}

export interface ChunkReader {
  /** `carry` followed by the next bytes of the file, or null at the end of the file. */
  read(carry: Uint8Array): Promise<Uint8Array | null>;
  close(): Promise<void>;
}

/** Positioned reads of a plain file from byte `start`. */
export function plainReader(file: string, start: number, chunkSize: number): ChunkReader {
  let handle: fs.promises.FileHandle | null = null;
  let position = start;
  let eof = false;
  return {
    async read(carry) {
      if (eof) return null;
      try {
        handle ??= await fs.promises.open(file, 'r');
        const buffer = new Uint8Array(carry.length + chunkSize);
        buffer.set(carry, 0);
        let filled = carry.length;
        while (filled < buffer.length) {
          const { bytesRead } = await handle.read(buffer, filled, buffer.length - filled, position);
          if (bytesRead === 0) {
            eof = true;
            break;
          }
          filled += bytesRead;
          position += bytesRead;
        }
        if (filled === carry.length) return null;
        return filled === buffer.length ? buffer : buffer.subarray(0, filled);
      } catch (err) {
        throw ioFailure(file, err);
      }
    },
    async close() {
      const h = handle;
      handle = null;
      if (h !== null) await h.close();
    },
  };
}

/** Decompressed bytes of a gzip file (zlib runs ahead on the thread pool while we parse). */
export function gzipReader(file: string, chunkSize: number): ChunkReader {
  const input = fs.createReadStream(file, { highWaterMark: 1 << 20 });
  const size = Math.max(64 * 1024, Math.min(chunkSize, 1 << 20));
  const gunzip = zlib.createGunzip({ chunkSize: size, readableHighWaterMark: 4 * size } as zlib.ZlibOptions);
  input.on('error', (err) => gunzip.destroy(err));
  input.pipe(gunzip);
  const chunks = (gunzip as AsyncIterable<Buffer>)[Symbol.asyncIterator]();
  return {
    async read(carry) {
      let next: IteratorResult<Buffer>;
      try {
        next = await chunks.next();
      } catch (err) {
        throw ioFailure(file, err);
      }
      if (next.done === true) return null;
      const chunk = new Uint8Array(next.value.buffer, next.value.byteOffset, next.value.byteLength);
      if (carry.length === 0) return chunk;
      const out = new Uint8Array(carry.length + chunk.length);
      out.set(carry, 0);
      out.set(chunk, carry.length);
      return out;
    },
    async close() {
      input.destroy();
      gunzip.destroy();
      await chunks.return?.();
    },
  };
}
