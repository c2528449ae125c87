/**
 * Spill files: the rows an operator cannot keep in memory, written to the process's spill folder
 * as an Arrow IPC stream compressed with zstd — one zstd frame per batch, each after its length
 * (4 bytes, little-endian) — and read back frame by frame as a stream of batches of the
 * operator's schema. Exchange outputs written to disk (exchange/map-output-file.ts) store their
 * blocks in the same frames.
 *
 *   <kindling.local.dir>/kindling-spill-<pid>-<id>/   one folder per engine, removed when it closes
 *     <task>-<operator>-<n>.arrows.zst               one file per spilled run, removed by its
 *                                                    operator or, at the latest, when its task ends
 *     <query>-s<stage>-m<map>-a<attempt>.shuffle     a map task's exchange output, removed when
 *                                                    its query (or stage) is released
 *
 * At start-up `sweepSpillLeftovers` removes the folders of processes that no longer run (a crash
 * or a kill leaves its folder behind).
 */
import * as arrow from 'apache-arrow';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { EngineError, IpcChunkSink, SqlState, makeBatch, type Schema } from '../../common/index.ts';
import type { SpillFile, SpillSpace } from '../../physical/index.ts';

const PREFIX = 'kindling-spill-';

/** The default of `kindling.local.dir`: a folder under the OS temporary folder. */
export function defaultLocalDir(): string {
  return path.join(os.tmpdir(), 'kindling');
}

/** A new engine's spill folder under `localDir` (created when a task first spills). */
export function engineSpillDir(localDir: string): string {
  return path.join(localDir, `${PREFIX}${process.pid}-${randomBytes(6).toString('hex')}`);
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: it runs, under another user.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Removes the spill folders under `localDir` of processes that are gone (a crash or a kill leaves
 * them behind); called when an engine starts. Returns the folders removed.
 */
export function sweepSpillLeftovers(localDir: string): string[] {
  let names: string[];
  try {
    names = fs.readdirSync(localDir);
  } catch {
    return [];
  }
  const removed: string[] = [];
  for (const name of names) {
    if (!name.startsWith(PREFIX)) continue;
    const pid = Number(/^(\d+)-/.exec(name.slice(PREFIX.length))?.[1]);
    if (!Number.isInteger(pid) || pid <= 0 || processAlive(pid)) continue;
    const dir = path.join(localDir, name);
    fs.rmSync(dir, { recursive: true, force: true });
    removed.push(dir);
  }
  return removed;
}

/** Removes an engine's spill folder (the engine closes). */
export function removeSpillDir(dir: string): void {
  fs.rmSync(dir, { recursive: true, force: true });
}

/** The 58030 error of a spill file that cannot be written. */
export function spillError(file: string, err: unknown): EngineError {
  return new EngineError(
    SqlState.ioError,
    `could not write spill file ${file}: ${err instanceof Error ? err.message : String(err)}`,
    { hint: 'free disk space in kindling.local.dir, or point it at a larger disk', cause: err },
  );
}

/** Creates `file` (and the folder it is in) for writing; 58030 when it cannot be made. */
export async function createSpillFile(file: string): Promise<fs.promises.FileHandle> {
  try {
    await fs.promises.mkdir(path.dirname(file), { recursive: true });
    return await fs.promises.open(file, 'wx');
  } catch (err) {
    throw spillError(file, err);
  }
}

/** What `writeFrames` wrote. */
export interface FramesWritten {
  /** Bytes on disk (compressed, with the frames' lengths). */
  readonly bytes: number;
  readonly rows: number;
  /** The largest batch, in bytes of memory. */
  readonly maxBatchBytes: number;
}

/**
 * Appends `batches` to `handle`, at its current position, as one Arrow IPC stream (schema,
 * batches, end marker) in zstd frames, each after its length (4 bytes, little-endian). A frame
 * holds a batch, or with `minFrameBytes` as many whole batches as make at least that many IPC
 * bytes (small batches compress better together). Empty batches are left out.
 */
export async function writeFrames(
  handle: fs.promises.FileHandle,
  batches: Iterable<arrow.RecordBatch> | AsyncIterable<arrow.RecordBatch>,
  minFrameBytes = 0,
): Promise<FramesWritten> {
  let bytes = 0;
  let rows = 0;
  let maxBatchBytes = 0;
  let pending = 0;
  const sink = new IpcChunkSink();
  const writer = new arrow.RecordBatchStreamWriter();
  writer.reset(sink);
  const flush = async (): Promise<void> => {
    const chunks = sink.take();
    pending = 0;
    if (chunks.length === 0) return;
    const frame = zlib.zstdCompressSync(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks), {
      params: { [zlib.constants.ZSTD_c_compressionLevel]: 1 },
    });
    const length = Buffer.alloc(4);
    length.writeUInt32LE(frame.byteLength);
    await handle.write(length);
    await handle.write(frame);
    bytes += 4 + frame.byteLength;
  };
  for await (const batch of batches) {
    if (batch.numRows === 0) continue;
    writer.write(batch);
    rows += batch.numRows;
    let b = 0;
    for (const c of batch.data.children) b += c.byteLength;
    if (b > maxBatchBytes) maxBatchBytes = b;
    pending += b;
    if (pending >= minFrameBytes) await flush();
  }
  writer.finish();
  await flush();
  return { bytes, rows, maxBatchBytes };
}

/** The spill files of one task: every file it wrote is removed by `removeAll` when it ends. */
export class TaskSpillSpace implements SpillSpace {
  private readonly dir: string;
  private readonly prefix: string;
  private readonly files = new Set<string>();
  private next = 0;

  /** `dir`: the engine's spill folder; `name` tells the task's files apart (`q3/s2/p1#0`). */
  constructor(dir: string, name: string) {
    this.dir = dir;
    this.prefix = name.replace(/[^A-Za-z0-9_-]/g, '_');
  }

  async write(
    consumer: string,
    schema: Schema,
    batches: Iterable<arrow.RecordBatch> | AsyncIterable<arrow.RecordBatch>,
  ): Promise<SpillFile> {
    const file = path.join(this.dir, `${this.prefix}-${consumer}-${this.next++}.arrows.zst`);
    const handle = await createSpillFile(file);
    this.files.add(file);
    let written: FramesWritten;
    try {
      written = await writeFrames(handle, batches);
    } catch (err) {
      await handle.close().catch(() => undefined);
      this.removeFile(file);
      throw err instanceof EngineError ? err : spillError(file, err);
    }
    await handle.close();
    return {
      ...written,
      read: () => readFrames(file, schema),
      remove: () => this.removeFile(file),
    };
  }

  private removeFile(file: string): void {
    if (!this.files.delete(file)) return;
    fs.rmSync(file, { force: true });
  }

  /** Removes every file this task wrote and has not removed yet. */
  removeAll(): void {
    for (const f of [...this.files]) this.removeFile(f);
  }
}

/**
 * The IPC bytes of the frames in bytes [start, end) of `file`, decompressed one at a time (each
 * read at its own position, so readers of one file do not disturb each other). A Flight server
 * passes them on as they are (remote/flight/shuffle-tickets.ts).
 */
export async function* frameBytes(file: string, start: number, end: number): AsyncGenerator<Uint8Array> {
  const handle = await fs.promises.open(file, 'r');
  try {
    const length = Buffer.alloc(4);
    let position = start;
    while (position < end) {
      const got = await handle.read(length, 0, 4, position);
      if (got.bytesRead === 0 && end === Infinity) return;
      const n = length.readUInt32LE(0);
      const frame = Buffer.alloc(n);
      if (got.bytesRead !== 4 || (await handle.read(frame, 0, n, position + 4)).bytesRead !== n) {
        throw new Error('the file ends inside a frame');
      }
      position += 4 + n;
      if (position > end) throw new Error('a frame crosses the end of its range');
      yield zlib.zstdDecompressSync(frame);
    }
  } finally {
    await handle.close();
  }
}

/**
 * The batches of the stream written by `writeFrames` at bytes [start, end) of `file` (the whole
 * file by default), as batches of `schema`; a file that cannot be read is a 58030 error.
 */
export async function* readFrames(
  file: string,
  schema: Schema,
  start = 0,
  end = Infinity,
): AsyncGenerator<arrow.RecordBatch> {
  const frames = frameBytes(file, start, end);
  try {
    const reader = await arrow.RecordBatchReader.from(frames);
    for await (const b of reader) {
      if (b.numRows > 0) yield makeBatch(schema, b.data.children, b.numRows);
    }
  } catch (err) {
    throw new EngineError(
      SqlState.ioError,
      `could not read spill file ${file}: ${err instanceof Error ? err.message : String(err)}`,
      { cause: err },
    );
  } finally {
    // A reader that stops early (a LIMIT, a failure downstream) closes the file now, not when
    // the garbage collector finds the handle.
    await frames.return(undefined);
  }
}
