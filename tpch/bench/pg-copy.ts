/**
 * `COPY … FROM STDIN` with the `pg` client, without another package: a submittable query that,
 * once the server asks for the data, streams a .tbl file (gunzipped if `.gz`) as CopyData
 * messages, dropping the trailing `|` dbgen may put at the end of each line.
 */
import { once } from 'node:events';
import { createReadStream } from 'node:fs';
import type { Writable } from 'node:stream';
import { createGunzip } from 'node:zlib';

const PIPE = 0x7c;
const NEWLINE = 0x0a;

/** Removes a `|` right before each `\n`, also when a chunk ends between the two. */
export class TrailingPipeStripper {
  private pendingPipe = false;

  push(chunk: Uint8Array): Uint8Array {
    const out = new Uint8Array(chunk.length + 1);
    let n = 0;
    if (this.pendingPipe) {
      if (chunk[0] !== NEWLINE) out[n++] = PIPE;
      this.pendingPipe = false;
    }
    for (let i = 0; i < chunk.length; i++) {
      const b = chunk[i]!;
      if (b === PIPE) {
        if (i + 1 === chunk.length) {
          this.pendingPipe = true;
          continue;
        }
        if (chunk[i + 1] === NEWLINE) continue;
      }
      out[n++] = b;
    }
    return out.subarray(0, n);
  }

  end(): Uint8Array {
    // A file without a final newline keeps its last `|` out (it ends a line too).
    this.pendingPipe = false;
    return new Uint8Array(0);
  }
}

interface PgConnection {
  query(text: string): void;
  sendCopyFromChunk(chunk: Uint8Array): void;
  endCopyFrom(): void;
  sendCopyFail(message: string): void;
  readonly stream: Writable;
}

/** Pass to `client.query(...)`; await `done`. */
export class CopyFromFile {
  readonly done: Promise<void>;
  private resolve!: () => void;
  private reject!: (err: Error) => void;
  private failure: Error | undefined;
  private readonly sql: string;
  private readonly file: string;

  constructor(sql: string, file: string) {
    this.sql = sql;
    this.file = file;
    this.done = new Promise((res, rej) => {
      this.resolve = res;
      this.reject = rej;
    });
  }

  submit(connection: PgConnection): void {
    connection.query(this.sql);
  }

  handleCopyInResponse(connection: PgConnection): void {
    void this.pump(connection);
  }

  private async pump(connection: PgConnection): Promise<void> {
    try {
      const raw = createReadStream(this.file);
      const source = this.file.endsWith('.gz') ? raw.pipe(createGunzip()) : raw;
      const strip = new TrailingPipeStripper();
      for await (const chunk of source as AsyncIterable<Buffer>) {
        if (this.failure !== undefined) return;
        const bytes = strip.push(chunk);
        // pg-protocol copies the chunk with Buffer methods.
        connection.sendCopyFromChunk(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length));
        if (connection.stream.writableNeedDrain) await once(connection.stream, 'drain');
      }
      connection.endCopyFrom();
    } catch (err) {
      this.failure ??= err as Error;
      connection.sendCopyFail((err as Error).message);
    }
  }

  handleError(err: Error): void {
    this.failure = err;
  }

  handleReadyForQuery(): void {
    if (this.failure !== undefined) this.reject(this.failure);
    else this.resolve();
  }

  handleCommandComplete(): void {}
  handleRowDescription(): void {}
  handleDataRow(): void {}
  handleEmptyQuery(): void {}
  handlePortalSuspended(): void {}
  handleCopyData(): void {}
}
