/**
 * A map task's exchange output on disk: one file per map task in the engine's spill folder, laid
 * out bucket by bucket, with an index of each bucket's byte ranges at its end — like a shuffle
 * data file and its index file, in one. Whoever has the file's path can read any bucket of it
 * (another thread, or a process serving it over the network): the index says where, and every
 * block carries its own schema.
 *
 *   <spill folder>/<query>-s<stage>-m<map>-a<attempt>.shuffle
 *     block …     the batches of one bucket written at one time: an Arrow IPC stream (schema,
 *                 batches, end marker) in length-prefixed zstd frames (spill/spill-files.ts)
 *     index       u32 buckets; per bucket: u32 blocks, then per block u64 offset, u64 length
 *     u32         the index's length in bytes
 *     8 bytes     "KDLSHUF1"
 *
 * A task that writes its output in several rounds (each time the memory budget refuses more)
 * appends one block per non-empty bucket each round, so a bucket may have several ranges; they
 * are read in the order written. All integers are little-endian.
 */
import type * as arrow from 'apache-arrow';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { EngineError, SqlState, type Schema } from '../../common/index.ts';
import { createSpillFile, frameBytes, readFrames, spillError, writeFrames } from '../spill/spill-files.ts';
import type { TaskDescription } from '../task.ts';

const MAGIC = 'KDLSHUF1';
const TRAILER = 4 + MAGIC.length;
/** IPC bytes per zstd frame at least: a bucket's small pieces compress together. */
const FRAME_BYTES = 1 << 20;

/** Bytes [offset, offset + length) of a file. */
export interface ByteRange {
  readonly offset: number;
  readonly length: number;
}

/** A finished map output file: where it is and where each bucket's blocks are in it. */
export interface MapOutputFile {
  readonly path: string;
  /** Per bucket, the ranges of its blocks, in the order written (none for an empty bucket). */
  readonly index: readonly (readonly ByteRange[])[];
  /** The file's size. */
  readonly bytes: number;
}

/** Where map task `task` writes its exchange output, in the engine's spill folder `dir`. */
export function mapOutputPath(
  dir: string,
  task: Pick<TaskDescription, 'queryId' | 'stageId' | 'partition' | 'attempt'>,
): string {
  const query = task.queryId.replace(/[^A-Za-z0-9_-]/g, '_');
  return path.join(dir, `${query}-s${task.stageId}-m${task.partition}-a${task.attempt}.shuffle`);
}

/** Writes one map output file: blocks as they come, then the index when finished. */
export class MapOutputFileWriter {
  readonly path: string;
  private readonly index: ByteRange[][];
  private handle: fs.promises.FileHandle | null = null;
  private opening: Promise<fs.promises.FileHandle> | null = null;
  /** Bytes written so far. */
  bytes = 0;

  constructor(file: string, buckets: number) {
    this.path = file;
    this.index = Array.from({ length: buckets }, () => []);
  }

  /** Appends one block holding `batches` to bucket `bucket` (nothing when they have no rows). */
  async appendBlock(
    bucket: number,
    batches: Iterable<arrow.RecordBatch> | AsyncIterable<arrow.RecordBatch>,
  ): Promise<void> {
    const handle = await this.open();
    const offset = this.bytes;
    let written;
    try {
      written = await writeFrames(handle, batches, FRAME_BYTES);
    } catch (err) {
      throw err instanceof EngineError ? err : spillError(this.path, err);
    }
    this.bytes += written.bytes;
    if (written.rows > 0) this.index[bucket]!.push({ offset, length: written.bytes });
  }

  /** Writes the index and closes the file; no block may be appended after. */
  async finish(): Promise<MapOutputFile> {
    const handle = await this.open();
    const body = encodeIndex(this.index);
    const trailer = Buffer.alloc(TRAILER);
    trailer.writeUInt32LE(body.byteLength, 0);
    trailer.write(MAGIC, 4, 'latin1');
    try {
      await handle.write(body);
      await handle.write(trailer);
      await handle.close();
    } catch (err) {
      throw spillError(this.path, err);
    }
    this.handle = null;
    return { path: this.path, index: this.index, bytes: this.bytes + body.byteLength + TRAILER };
  }

  /** Closes and removes the file (the task failed or was cancelled). */
  async abandon(): Promise<void> {
    const handle = this.handle ?? (await this.opening?.catch(() => null)) ?? null;
    this.handle = null;
    await handle?.close().catch(() => undefined);
    await fs.promises.rm(this.path, { force: true });
  }

  private async open(): Promise<fs.promises.FileHandle> {
    if (this.handle !== null) return this.handle;
    this.opening ??= createSpillFile(this.path);
    this.handle = await this.opening;
    return this.handle;
  }
}

function encodeIndex(index: readonly (readonly ByteRange[])[]): Buffer {
  let size = 4;
  for (const ranges of index) size += 4 + 16 * ranges.length;
  const out = Buffer.alloc(size);
  let at = out.writeUInt32LE(index.length, 0);
  for (const ranges of index) {
    at = out.writeUInt32LE(ranges.length, at);
    for (const r of ranges) {
      at = out.writeBigUInt64LE(BigInt(r.offset), at);
      at = out.writeBigUInt64LE(BigInt(r.length), at);
    }
  }
  return out;
}

function corrupt(file: string, why: string): EngineError {
  return new EngineError(SqlState.ioError, `could not read the exchange output file ${file}: ${why}`);
}

/** The index of the map output file at `file`, from the file alone. */
export async function readMapOutputIndex(file: string): Promise<MapOutputFile> {
  let handle: fs.promises.FileHandle;
  try {
    handle = await fs.promises.open(file, 'r');
  } catch (err) {
    throw corrupt(file, err instanceof Error ? err.message : String(err));
  }
  try {
    const { size } = await handle.stat();
    if (size < TRAILER) throw corrupt(file, 'it is too short to have an index');
    const trailer = Buffer.alloc(TRAILER);
    await handle.read(trailer, 0, TRAILER, size - TRAILER);
    if (trailer.toString('latin1', 4) !== MAGIC) throw corrupt(file, 'it does not end with an index');
    const length = trailer.readUInt32LE(0);
    const start = size - TRAILER - length;
    if (start < 0) throw corrupt(file, 'its index is longer than the file');
    const body = Buffer.alloc(length);
    await handle.read(body, 0, length, start);
    const fail = (): never => {
      throw corrupt(file, 'its index is damaged');
    };
    if (length < 4) fail();
    const buckets = body.readUInt32LE(0);
    let at = 4;
    const index: ByteRange[][] = [];
    for (let b = 0; b < buckets; b++) {
      if (at + 4 > length) fail();
      const n = body.readUInt32LE(at);
      at += 4;
      if (at + 16 * n > length) fail();
      const ranges: ByteRange[] = [];
      for (let i = 0; i < n; i++, at += 16) {
        const offset = Number(body.readBigUInt64LE(at));
        const len = Number(body.readBigUInt64LE(at + 8));
        if (offset + len > start) fail();
        ranges.push({ offset, length: len });
      }
      index.push(ranges);
    }
    if (at !== length) fail();
    return { path: file, index, bytes: size };
  } finally {
    await handle.close();
  }
}

/** The batches of `ranges` of the map output file `file`, in order, as batches of `schema`. */
export async function* readBlocks(
  file: string,
  ranges: readonly ByteRange[],
  schema: Schema,
): AsyncGenerator<arrow.RecordBatch> {
  for (const r of ranges) yield* readFrames(file, schema, r.offset, r.offset + r.length);
}

/**
 * The decompressed bytes of `ranges` of the map output file `file`, frame by frame, in order: one
 * Arrow IPC stream (schema, batches, end marker) per block, without decoding a batch.
 */
export async function* readBlockBytes(
  file: string,
  ranges: readonly ByteRange[],
): AsyncGenerator<Uint8Array> {
  for (const r of ranges) yield* frameBytes(file, r.offset, r.offset + r.length);
}
