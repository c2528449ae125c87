/**
 * Splits the incoming byte stream into frontend messages. Before start-up completes, packets have no
 * type byte (`int32 length` + body: StartupMessage, SSLRequest, GSSENCRequest, CancelRequest); after
 * it, every message is `type byte + int32 length + body`. Chunks are kept as received and joined only
 * once a whole message is present, so a message split at any byte boundary parses the same.
 */
import { EngineError, SqlState } from '../common/index.ts';

export interface Frame {
  /** The message type byte; 0 for a start-up packet. */
  readonly type: number;
  readonly body: Buffer;
}

/** PostgreSQL's MAX_STARTUP_PACKET_LENGTH. */
export const MAX_STARTUP_PACKET = 10_000;
/** The largest message accepted after start-up (PostgreSQL's own limit for Bind/Query is 1 GiB). */
export const MAX_MESSAGE = 1 << 30;

export function protocolError(message: string): EngineError {
  return new EngineError(SqlState.protocolViolation, message);
}

export class FrameReader {
  private chunks: Buffer[] = [];
  private headOffset = 0;
  private availableBytes = 0;
  private startup = true;
  private readonly maxMessage: number;

  constructor(maxMessage = MAX_MESSAGE) {
    this.maxMessage = maxMessage;
  }

  /** Bytes received and not yet returned as a frame. */
  get available(): number {
    return this.availableBytes;
  }

  /** After the StartupMessage: messages carry a type byte from now on. */
  startupComplete(): void {
    this.startup = false;
  }

  push(chunk: Buffer): void {
    if (chunk.length === 0) return;
    this.chunks.push(chunk);
    this.availableBytes += chunk.length;
  }

  /** The next complete frame, or null when more bytes are needed. Throws 08P01 on a bad header. */
  next(): Frame | null {
    const headerLength = this.startup ? 4 : 5;
    if (this.availableBytes < headerLength) return null;
    const header = this.peek(headerLength);
    const type = this.startup ? 0 : header[0]!;
    const length = header.readInt32BE(this.startup ? 0 : 1);
    if (this.startup) {
      if (length < 8 || length > MAX_STARTUP_PACKET) throw protocolError(`invalid length of startup packet`);
    } else {
      if (length < 4) throw protocolError(`invalid message length ${length}`);
      if (length > this.maxMessage)
        throw protocolError(`message length ${length} exceeds the limit of ${this.maxMessage} bytes`);
    }
    const total = (this.startup ? 0 : 1) + length;
    if (this.availableBytes < total) return null;
    const whole = this.take(total);
    return { type, body: whole.subarray(headerLength) };
  }

  private peek(n: number): Buffer {
    const head = this.chunks[0]!;
    if (head.length - this.headOffset >= n) return head.subarray(this.headOffset, this.headOffset + n);
    return this.copyOut(n, false);
  }

  private take(n: number): Buffer {
    const head = this.chunks[0]!;
    if (head.length - this.headOffset >= n) {
      const out = head.subarray(this.headOffset, this.headOffset + n);
      this.headOffset += n;
      if (this.headOffset === head.length) {
        this.chunks.shift();
        this.headOffset = 0;
      }
      this.availableBytes -= n;
      return out;
    }
    return this.copyOut(n, true);
  }

  private copyOut(n: number, consume: boolean): Buffer {
    const out = Buffer.allocUnsafe(n);
    let written = 0;
    let index = 0;
    let offset = this.headOffset;
    while (written < n) {
      const chunk = this.chunks[index]!;
      const count = Math.min(n - written, chunk.length - offset);
      chunk.copy(out, written, offset, offset + count);
      written += count;
      offset += count;
      if (offset === chunk.length) {
        index++;
        offset = 0;
      }
    }
    if (consume) {
      this.chunks.splice(0, index);
      this.headOffset = offset;
      this.availableBytes -= n;
    }
    return out;
  }
}
