/**
 * The bytes of the Arrow Flight data plane, written by hand (no .proto file, no code generator):
 *
 * - Protobuf encoding of the two messages of `FlightService.DoGet` we use, wire-compatible with
 *   Arrow Flight's `Flight.proto` (package `arrow.flight.protocol`):
 *
 *       message Ticket     { bytes ticket = 1; }
 *       message FlightData { FlightDescriptor flight_descriptor = 1; bytes data_header = 2;
 *                            bytes app_metadata = 3; bytes data_body = 1000; }
 *
 *   Every field is length-delimited (wire type 2). Decoding skips fields it does not know by
 *   their wire type (and `flight_descriptor`); a decoded `data_body` is a view into the received
 *   buffer, never a copy. An encoded body may be given in parts, written straight into the
 *   message (no join first).
 *
 * - Splitting an Arrow IPC stream into its messages and joining them back. A stream, as
 *   apache-arrow's `RecordBatchStreamWriter` writes it, is per message:
 *
 *       0xFFFFFFFF   int32 LE metadata length   Message flatbuffer (padded to 8)   body
 *
 *   (`bodyLength` bytes, a field of the Message), then the end marker 0xFFFFFFFF 00000000. Before
 *   Arrow 0.15 the continuation word was absent; the splitter reads both. In Flight, the Message
 *   flatbuffer travels as `data_header` and the body as `data_body`: the first FlightData holds the
 *   Schema message (no body), then one per RecordBatch message. The splitter takes chunks cut
 *   anywhere (a message may span chunks, a chunk may hold several), and hands out bodies as views
 *   of the chunks they lie in.
 */
import * as arrow from 'apache-arrow';

// ---------------------------------------------------------------------------------------------
// Protobuf
// ---------------------------------------------------------------------------------------------

const WIRE_VARINT = 0;
const WIRE_FIXED64 = 1;
const WIRE_LENGTH_DELIMITED = 2;
const WIRE_START_GROUP = 3;
const WIRE_END_GROUP = 4;
const WIRE_FIXED32 = 5;

const TICKET_FIELD = 1;
const DESCRIPTOR_FIELD = 1;
const DATA_HEADER_FIELD = 2;
const APP_METADATA_FIELD = 3;
const DATA_BODY_FIELD = 1000;

/** A FlightData as received: every field a view into the message's buffer (empty when absent). */
export interface FlightData {
  readonly dataHeader: Uint8Array;
  readonly appMetadata: Uint8Array;
  readonly dataBody: Uint8Array;
}

/** A FlightData to send: the body may be given in parts, in order (they are not joined first). */
export interface OutgoingFlightData {
  readonly dataHeader: Uint8Array;
  readonly appMetadata?: Uint8Array;
  readonly dataBody: Uint8Array | readonly Uint8Array[];
}

/** Bytes that are not the protobuf message they should be. */
export class ProtobufError extends Error {
  override readonly name = 'ProtobufError';
}

function varintSize(value: number): number {
  let size = 1;
  while (value >= 128) {
    value = Math.floor(value / 128);
    size++;
  }
  return size;
}

function writeVarint(out: Uint8Array, at: number, value: number): number {
  while (value >= 128) {
    out[at++] = (value % 128) | 128;
    value = Math.floor(value / 128);
  }
  out[at++] = value;
  return at;
}

function tagOf(field: number, wireType: number): number {
  return field * 8 + wireType;
}

function bytesFieldSize(field: number, length: number): number {
  return varintSize(tagOf(field, WIRE_LENGTH_DELIMITED)) + varintSize(length) + length;
}

function writeBytesFieldHead(out: Uint8Array, at: number, field: number, length: number): number {
  at = writeVarint(out, at, tagOf(field, WIRE_LENGTH_DELIMITED));
  return writeVarint(out, at, length);
}

function partsOf(body: Uint8Array | readonly Uint8Array[]): readonly Uint8Array[] {
  return body instanceof Uint8Array ? [body] : body;
}

/** A `Ticket` message. */
export function encodeFlightTicket(ticket: Uint8Array): Buffer {
  const out = Buffer.allocUnsafe(
    ticket.byteLength === 0 ? 0 : bytesFieldSize(TICKET_FIELD, ticket.byteLength),
  );
  if (ticket.byteLength === 0) return out;
  out.set(ticket, writeBytesFieldHead(out, 0, TICKET_FIELD, ticket.byteLength));
  return out;
}

/** The `ticket` of a `Ticket` message (a view into `bytes`). */
export function decodeFlightTicket(bytes: Uint8Array): Uint8Array {
  let ticket = bytes.subarray(0, 0);
  const reader = new ProtobufReader(bytes);
  while (!reader.done) {
    const { field, wireType } = reader.tag();
    if (field === TICKET_FIELD) ticket = reader.bytes(wireType, 'Ticket.ticket');
    else reader.skip(field, wireType);
  }
  return ticket;
}

/** The bytes gRPC puts before each message on the wire (compressed flag, u32 length). */
export const GRPC_MESSAGE_PREFIX = 5;

const ZEROS = new Uint8Array(8);

/**
 * A `FlightData` message; empty fields are left out, as proto3 does. With `alignBody`, the header
 * is padded with zeros (a Message flatbuffer may be) so that the body starts 8-byte aligned from
 * the start of the message's gRPC frame: a receiver that holds the frame at an aligned address —
 * grpc-js does for every message larger than a few KB — then has Arrow read the body's buffers in
 * place instead of copying it to align them.
 */
export function encodeFlightData(data: OutgoingFlightData, options: { alignBody?: boolean } = {}): Buffer {
  const body = partsOf(data.dataBody);
  let bodyLength = 0;
  for (const part of body) bodyLength += part.byteLength;
  const metadata = data.appMetadata ?? new Uint8Array(0);
  const header = data.dataHeader.byteLength;
  let padding = 0;
  if (options.alignBody === true && header > 0 && bodyLength > 0) {
    const after =
      (metadata.byteLength > 0 ? bytesFieldSize(APP_METADATA_FIELD, metadata.byteLength) : 0) +
      varintSize(tagOf(DATA_BODY_FIELD, WIRE_LENGTH_DELIMITED)) +
      varintSize(bodyLength);
    while ((GRPC_MESSAGE_PREFIX + bytesFieldSize(DATA_HEADER_FIELD, header + padding) + after) % 8 !== 0) {
      padding++;
    }
  }
  const fields: [number, number, readonly Uint8Array[]][] = [
    [DATA_HEADER_FIELD, header + padding, [data.dataHeader, ZEROS.subarray(0, padding)]],
    [APP_METADATA_FIELD, metadata.byteLength, [metadata]],
    [DATA_BODY_FIELD, bodyLength, body],
  ];
  let size = 0;
  for (const [field, length] of fields) if (length > 0) size += bytesFieldSize(field, length);
  const out = Buffer.allocUnsafe(size);
  let at = 0;
  for (const [field, length, parts] of fields) {
    if (length === 0) continue;
    at = writeBytesFieldHead(out, at, field, length);
    for (const part of parts) {
      out.set(part, at);
      at += part.byteLength;
    }
  }
  return out;
}

/** A `FlightData` message; `flight_descriptor` and unknown fields are skipped. */
export function decodeFlightData(bytes: Uint8Array): FlightData {
  const empty = bytes.subarray(0, 0);
  let dataHeader = empty;
  let appMetadata = empty;
  let dataBody = empty;
  const reader = new ProtobufReader(bytes);
  while (!reader.done) {
    const { field, wireType } = reader.tag();
    switch (field) {
      case DATA_HEADER_FIELD:
        dataHeader = reader.bytes(wireType, 'FlightData.data_header');
        break;
      case APP_METADATA_FIELD:
        appMetadata = reader.bytes(wireType, 'FlightData.app_metadata');
        break;
      case DATA_BODY_FIELD:
        dataBody = reader.bytes(wireType, 'FlightData.data_body');
        break;
      case DESCRIPTOR_FIELD:
      default:
        reader.skip(field, wireType);
    }
  }
  return { dataHeader, appMetadata, dataBody };
}

/** Reads the fields of one protobuf message, in order. */
class ProtobufReader {
  private readonly buf: Uint8Array;
  private at = 0;

  constructor(buf: Uint8Array) {
    this.buf = buf;
  }

  get done(): boolean {
    return this.at >= this.buf.byteLength;
  }

  tag(): { field: number; wireType: number } {
    const tag = this.varint(5);
    const field = Math.floor(tag / 8);
    if (field === 0) throw new ProtobufError('field number 0');
    return { field, wireType: tag % 8 };
  }

  /** A length-delimited field's bytes, as a view. */
  bytes(wireType: number, name: string): Uint8Array {
    if (wireType !== WIRE_LENGTH_DELIMITED) {
      throw new ProtobufError(`${name} has wire type ${wireType}, not length-delimited`);
    }
    const length = this.varint(10);
    if (length > this.buf.byteLength - this.at) throw new ProtobufError(`${name} runs past the message`);
    const out = this.buf.subarray(this.at, this.at + length);
    this.at += length;
    return out;
  }

  /** Steps over a field whose tag was just read. */
  skip(field: number, wireType: number): void {
    switch (wireType) {
      case WIRE_VARINT:
        this.varint(10);
        return;
      case WIRE_FIXED64:
        this.advance(8);
        return;
      case WIRE_LENGTH_DELIMITED:
        this.advance(this.varint(10));
        return;
      case WIRE_FIXED32:
        this.advance(4);
        return;
      case WIRE_START_GROUP:
        for (;;) {
          if (this.done) throw new ProtobufError(`group ${field} is not closed`);
          const inner = this.tag();
          if (inner.wireType === WIRE_END_GROUP) {
            if (inner.field !== field) throw new ProtobufError(`group ${field} closed as ${inner.field}`);
            return;
          }
          this.skip(inner.field, inner.wireType);
        }
      default:
        throw new ProtobufError(`field ${field} has the unknown wire type ${wireType}`);
    }
  }

  private advance(n: number): void {
    if (n > this.buf.byteLength - this.at) throw new ProtobufError('a field runs past the message');
    this.at += n;
  }

  private varint(maxBytes: number): number {
    let value = 0;
    let scale = 1;
    for (let i = 0; i < maxBytes; i++) {
      if (this.at >= this.buf.byteLength) throw new ProtobufError('the message ends inside a varint');
      const byte = this.buf[this.at++]!;
      value += (byte & 127) * scale;
      if (byte < 128) {
        if (!Number.isSafeInteger(value)) throw new ProtobufError('a varint is too large');
        return value;
      }
      scale *= 128;
    }
    throw new ProtobufError('a varint is too long');
  }
}

// ---------------------------------------------------------------------------------------------
// Arrow IPC streams
// ---------------------------------------------------------------------------------------------

const CONTINUATION = 0xffffffff;

/** One piece of an IPC stream: a message (metadata and body), or the end-of-stream marker. */
export type IpcPiece =
  | {
      readonly kind: 'message';
      readonly headerType: arrow.MessageHeader;
      /** The Message flatbuffer, with the padding it was written with. */
      readonly header: Uint8Array;
      /** The body, as views of the chunks it lies in (none when it is empty). */
      readonly body: readonly Uint8Array[];
      readonly bodyLength: number;
    }
  | { readonly kind: 'end' };

/** Bytes that are not an Arrow IPC stream. */
export class IpcStreamError extends Error {
  override readonly name = 'IpcStreamError';
}

/** The `headerType` and `bodyLength` of a Message flatbuffer. */
export function readMessageHeader(header: Uint8Array): {
  headerType: arrow.MessageHeader;
  bodyLength: number;
} {
  let message: arrow.Message<arrow.MessageHeader>;
  try {
    message = arrow.Message.decode(header);
  } catch (err) {
    throw new IpcStreamError(
      `not an Arrow IPC message header: ${err instanceof Error ? err.message : String(err)}`,
    );
  }
  const bodyLength = Number(message.bodyLength);
  if (!Number.isSafeInteger(bodyLength) || bodyLength < 0) {
    throw new IpcStreamError(`an Arrow IPC message has a body length of ${message.bodyLength}`);
  }
  return { headerType: message.headerType, bodyLength };
}

/**
 * Splits an IPC stream given in chunks into its pieces. `push` returns the pieces completed by a
 * chunk; `finish` checks the stream did not stop inside a message.
 */
export class IpcStreamSplitter {
  private chunks: Uint8Array[] = [];
  /** Where the unread bytes start in `chunks[0]`. */
  private offset = 0;
  private pending = 0;
  /** The current message's metadata length once read, else -1. */
  private metadataLength = -1;
  private header: { bytes: Uint8Array; headerType: arrow.MessageHeader; bodyLength: number } | null = null;

  /** Bytes received that are not yet part of a piece handed out. */
  get buffered(): number {
    return this.pending;
  }

  push(chunk: Uint8Array): IpcPiece[] {
    if (chunk.byteLength > 0) {
      this.chunks.push(chunk);
      this.pending += chunk.byteLength;
    }
    const out: IpcPiece[] = [];
    for (;;) {
      if (this.header === null) {
        if (this.metadataLength < 0) {
          if (this.pending < 4) break;
          const first = this.peekUint32();
          if (first === CONTINUATION) {
            if (this.pending < 8) break;
            this.take(4);
            this.metadataLength = this.peekUint32();
          } else {
            this.metadataLength = first;
          }
          this.take(4);
          if (this.metadataLength === 0) {
            this.metadataLength = -1;
            out.push({ kind: 'end' });
            continue;
          }
          if (this.metadataLength > 0x7fffffff) {
            throw new IpcStreamError(`an Arrow IPC message has a metadata length of ${this.metadataLength}`);
          }
        }
        if (this.pending < this.metadataLength) break;
        const bytes = this.takeContiguous(this.metadataLength);
        this.header = { bytes, ...readMessageHeader(bytes) };
      }
      if (this.pending < this.header.bodyLength) break;
      const { bytes, headerType, bodyLength } = this.header;
      out.push({ kind: 'message', headerType, header: bytes, body: this.take(bodyLength), bodyLength });
      this.header = null;
      this.metadataLength = -1;
    }
    return out;
  }

  /** Throws when the stream stopped inside a message. */
  finish(): void {
    if (this.pending > 0 || this.header !== null || this.metadataLength >= 0) {
      throw new IpcStreamError('the Arrow IPC stream ends inside a message');
    }
  }

  private peekUint32(): number {
    const bytes = this.pending >= 4 ? this.takeContiguous(4, false) : new Uint8Array(4);
    return new DataView(bytes.buffer, bytes.byteOffset, 4).getUint32(0, true);
  }

  /** The next `n` bytes as one view (copied only when they span chunks). */
  private takeContiguous(n: number, consume = true): Uint8Array {
    const first = this.chunks[0]!;
    if (first.byteLength - this.offset >= n) {
      const view = first.subarray(this.offset, this.offset + n);
      if (consume) this.take(n);
      return view;
    }
    const out = new Uint8Array(n);
    let at = 0;
    let offset = this.offset;
    for (let i = 0; at < n; i++) {
      const part = this.chunks[i]!.subarray(offset, offset + (n - at));
      out.set(part, at);
      at += part.byteLength;
      offset = 0;
    }
    if (consume) this.take(n);
    return out;
  }

  /** Removes the next `n` bytes, returned as views of the chunks they lie in. */
  private take(n: number): Uint8Array[] {
    const parts: Uint8Array[] = [];
    this.pending -= n;
    while (n > 0) {
      const first = this.chunks[0]!;
      const available = first.byteLength - this.offset;
      if (available > n) {
        parts.push(first.subarray(this.offset, this.offset + n));
        this.offset += n;
        return parts;
      }
      parts.push(this.offset === 0 ? first : first.subarray(this.offset));
      this.chunks.shift();
      this.offset = 0;
      n -= available;
    }
    return parts;
  }
}

/** The pieces of a whole IPC stream held in one buffer. */
export function splitIpcStream(bytes: Uint8Array): IpcPiece[] {
  const splitter = new IpcStreamSplitter();
  const pieces = splitter.push(bytes);
  splitter.finish();
  return pieces;
}

/** The end-of-stream marker. */
export const IPC_END_OF_STREAM: Uint8Array = new Uint8Array([0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0]);

/**
 * One IPC message as stream chunks: continuation, metadata length, the header padded to 8, the
 * body (padded with zeros to the `bodyLength` its header gives, when it came shorter).
 */
export function ipcMessageChunks(header: Uint8Array, body: Uint8Array | readonly Uint8Array[]): Uint8Array[] {
  const parts = partsOf(body);
  let length = 0;
  for (const part of parts) length += part.byteLength;
  const { bodyLength } = readMessageHeader(header);
  if (length > bodyLength) {
    throw new IpcStreamError(`an Arrow IPC message has ${length} bytes of body for ${bodyLength}`);
  }
  const padding = (8 - (header.byteLength % 8)) % 8;
  const prefix = new Uint8Array(8);
  const view = new DataView(prefix.buffer);
  view.setUint32(0, CONTINUATION, true);
  view.setInt32(4, header.byteLength + padding, true);
  const out = [prefix, header];
  if (padding > 0) out.push(ZEROS.subarray(0, padding));
  for (const part of parts) if (part.byteLength > 0) out.push(part);
  if (length < bodyLength) out.push(new Uint8Array(bodyLength - length));
  return out;
}

/** An IPC stream of `messages`, with its end marker. */
export function joinIpcStream(
  messages: Iterable<{ readonly header: Uint8Array; readonly body: Uint8Array | readonly Uint8Array[] }>,
): Uint8Array {
  const chunks: Uint8Array[] = [];
  for (const m of messages) chunks.push(...ipcMessageChunks(m.header, m.body));
  chunks.push(IPC_END_OF_STREAM);
  return Buffer.concat(chunks);
}
