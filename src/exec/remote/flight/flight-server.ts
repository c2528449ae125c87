/**
 * An executor's Arrow Flight server: it serves the streams its `FlightSource` names by ticket
 * (exchange outputs, result-task batches) through `FlightService.DoGet`, the one Flight method we
 * implement (the others answer UNIMPLEMENTED), on grpc-js with our own protobuf codec
 * (flight-codec.ts). Any Flight client can read it: the first FlightData holds the Schema
 * message, then one per record batch (Arrow IPC Message flatbuffer as `data_header`, its body as
 * `data_body`).
 *
 * A source's stream is either Arrow IPC bytes, passed through without decoding a batch (the
 * decompressed frames of a map output file's blocks), or record batches, encoded here. IPC bytes
 * may be several streams of the same schema one after another (a bucket's blocks, then its
 * batches in memory): one stream goes out — the first schema, every record batch, no end
 * marker (the end of the call ends it).
 *
 * Backpressure: the source is pulled only as the client reads. A write that fills the call's
 * buffer waits for 'drain', and at most `MAX_UNSENT_BYTES` (or one message, when larger) wait to
 * be taken by HTTP/2, whose flow control follows the client's reading. A client that cancels
 * aborts the source's signal and ends its iterator (`return()`). A source's error reaches the
 * client as NOT_FOUND (`FlightNotFound`), INVALID_ARGUMENT (a ticket that is not a protobuf
 * Ticket) or INTERNAL with its message.
 *
 * The server listens without TLS (loopback or the cluster's network); TLS credentials are a
 * later option. Messages of any size pass (no gRPC message-size limit).
 *
 * Throughput over loopback (flight-bench.ts: 200 MB of 64K-row batches of bigint, double and
 * string columns, server and client in two processes, node 24, a shared 2-core machine at load
 * average ~6, so the figures vary from run to run): 170–350 MB/s (4.5–9.5 M rows/s) for batches
 * encoded by the server, 135–420 MB/s for IPC bytes passed through. Each body is copied twice on
 * the server (into the protobuf message, then by grpc-js into its frame) and once on the client
 * (grpc-js joins a message's HTTP/2 frames); Arrow then reads it in place (`alignBody` in
 * flight-codec.ts).
 */
import * as grpc from '@grpc/grpc-js';
import { timingSafeEqual } from 'node:crypto';
import * as arrow from 'apache-arrow';
import { once } from 'node:events';
import { IpcChunkSink, makeBatchWithArrowSchema } from '../../../common/index.ts';
import {
  IpcStreamSplitter,
  ProtobufError,
  decodeFlightTicket,
  encodeFlightData,
  type IpcPiece,
  type OutgoingFlightData,
} from './flight-codec.ts';

/** The gRPC path of `FlightService.DoGet`. */
export const DO_GET_PATH = '/arrow.flight.protocol.FlightService/DoGet';

/** Bytes written to a call and not yet taken by HTTP/2, at most (one larger message may exceed it). */
export const MAX_UNSENT_BYTES = 8 << 20;

/** The ticket names nothing this server holds (NOT_FOUND at the client). */
export class FlightNotFound extends Error {
  override readonly name = 'FlightNotFound';
}

/** What a Flight server serves. */
export interface FlightSource {
  /**
   * The stream a ticket names: an Arrow IPC stream as chunks of bytes (schema first), or batches
   * to encode. Throw `FlightNotFound` when the ticket names nothing held. `signal` aborts when the
   * client goes away.
   */
  doGet(ticket: Uint8Array, signal: AbortSignal): Promise<FlightStream>;
}

export type FlightStream =
  /**
   * Raw IPC stream bytes, e.g. decompressed frames of a map output file's blocks: chunks may hold
   * several messages or end inside one. Several streams of one schema may follow each other.
   * Bodies are sent as views of the chunks: a chunk's memory must not be reused once yielded.
   */
  | { readonly kind: 'ipc'; readonly chunks: AsyncIterable<Uint8Array> }
  /**
   * Batches to encode (e.g. held in memory), all of one schema; `schema` is sent when there are
   * none (else the first batch's is).
   */
  | {
      readonly kind: 'batches';
      readonly batches: AsyncIterable<arrow.RecordBatch>;
      readonly schema?: arrow.Schema;
    };

export interface FlightServer {
  /** `host:port` actually bound. */
  readonly address: string;
  /** Stops listening and cancels the calls still running. */
  close(): Promise<void>;
}

/**
 * gRPC options of both ends: no message size limit; keepalive pings find a peer that is gone; a
 * 4 MB HTTP/2 window (the default 64 KB holds loopback back); a client retries a lost server at
 * least every 5 s (calls in between fail at once with UNAVAILABLE).
 */
export const FLIGHT_GRPC_OPTIONS: grpc.ChannelOptions = {
  'grpc.max_send_message_length': -1,
  'grpc.max_receive_message_length': -1,
  'grpc.keepalive_time_ms': 20_000,
  'grpc.keepalive_timeout_ms': 10_000,
  'grpc-node.flow_control_window': 4 << 20,
  'grpc.max_reconnect_backoff_ms': 5_000,
};

/**
 * Starts a Flight server for `source` on `host` (`port` 0 or absent: any free port). With `token`,
 * a call must carry it (`authorization: Bearer <token>`, as Flight's own bearer-token
 * authentication sends it) or is refused with UNAUTHENTICATED.
 */
export async function startFlightServer(
  source: FlightSource,
  options: { host: string; port?: number; token?: string },
): Promise<FlightServer> {
  const server = new grpc.Server(FLIGHT_GRPC_OPTIONS);
  const definition: grpc.ServiceDefinition = {
    DoGet: {
      path: DO_GET_PATH,
      requestStream: false,
      responseStream: true,
      requestSerialize: (ticket: Uint8Array) => Buffer.from(ticket),
      requestDeserialize: (bytes: Buffer) => bytes,
      responseSerialize: (data: OutgoingFlightData) => encodeFlightData(data, { alignBody: true }),
      responseDeserialize: (bytes: Buffer) => bytes,
      originalName: 'doGet',
    },
  };
  const expected = options.token === undefined ? null : Buffer.from(`Bearer ${options.token}`);
  const doGet: grpc.handleServerStreamingCall<Buffer, OutgoingFlightData> = (call) => {
    if (expected !== null && !authorized(call.metadata, expected)) {
      call.emit('error', {
        code: grpc.status.UNAUTHENTICATED,
        details: 'a Flight call needs the cluster token',
      });
      return;
    }
    void serveDoGet(source, call);
  };
  server.addService(definition, { DoGet: doGet });
  const host =
    options.host.includes(':') && !options.host.startsWith('[') ? `[${options.host}]` : options.host;
  const port = await new Promise<number>((resolve, reject) => {
    server.bindAsync(`${host}:${options.port ?? 0}`, grpc.ServerCredentials.createInsecure(), (err, bound) =>
      err === null ? resolve(bound) : reject(err),
    );
  });
  let closed: Promise<void> | null = null;
  return {
    address: `${host}:${port}`,
    close() {
      closed ??= new Promise<void>((resolve) => {
        server.forceShutdown();
        resolve();
      });
      return closed;
    },
  };
}

/** Whether the call's `authorization` is `expected`, compared in constant time. */
function authorized(metadata: grpc.Metadata, expected: Buffer): boolean {
  const given = metadata.get('authorization')[0];
  if (typeof given !== 'string') return false;
  const bytes = Buffer.from(given);
  return bytes.length === expected.length && timingSafeEqual(bytes, expected);
}

async function serveDoGet(
  source: FlightSource,
  call: grpc.ServerWritableStream<Buffer, OutgoingFlightData>,
): Promise<void> {
  const controller = new AbortController();
  const onCancelled = (): void => controller.abort(new Error('the client cancelled the call'));
  call.on('cancelled', onCancelled);
  if (call.cancelled) onCancelled();
  try {
    let ticket: Uint8Array;
    try {
      ticket = decodeFlightTicket(call.request);
    } catch (err) {
      throw err instanceof ProtobufError ? new InvalidTicket(`not a Flight Ticket: ${err.message}`) : err;
    }
    const stream = await source.doGet(ticket, controller.signal);
    const writer = new CallWriter(call, controller.signal);
    for await (const data of flightDataOf(stream)) {
      if (controller.signal.aborted) break;
      await writer.send(data);
      if (controller.signal.aborted) break;
    }
    if (!controller.signal.aborted) call.end();
  } catch (err) {
    if (!controller.signal.aborted) call.emit('error', statusOf(err));
  } finally {
    call.off('cancelled', onCancelled);
  }
}

class InvalidTicket extends Error {
  override readonly name = 'InvalidTicket';
}

function statusOf(err: unknown): Partial<grpc.StatusObject> {
  const details = err instanceof Error ? err.message : String(err);
  if (err instanceof FlightNotFound) return { code: grpc.status.NOT_FOUND, details };
  if (err instanceof InvalidTicket) return { code: grpc.status.INVALID_ARGUMENT, details };
  return { code: grpc.status.INTERNAL, details };
}

/** Writes FlightData to a call no faster than HTTP/2 takes it. */
class CallWriter {
  private readonly call: grpc.ServerWritableStream<Buffer, OutgoingFlightData>;
  private readonly signal: AbortSignal;
  private unsent = 0;
  private wake: (() => void) | null = null;

  constructor(call: grpc.ServerWritableStream<Buffer, OutgoingFlightData>, signal: AbortSignal) {
    this.call = call;
    this.signal = signal;
    signal.addEventListener('abort', () => this.wakeUp(), { once: true });
  }

  async send(data: OutgoingFlightData): Promise<void> {
    let bytes = data.dataHeader.byteLength;
    for (const part of data.dataBody instanceof Uint8Array ? [data.dataBody] : data.dataBody) {
      bytes += part.byteLength;
    }
    this.unsent += bytes;
    const roomLeft = this.call.write(data, () => {
      this.unsent -= bytes;
      this.wakeUp();
    });
    if (!roomLeft && !this.signal.aborted) {
      await once(this.call, 'drain', { signal: this.signal }).catch(() => undefined);
    }
    // A message larger than the bound goes out alone.
    while (this.unsent > MAX_UNSENT_BYTES && !this.signal.aborted) {
      await new Promise<void>((resolve) => (this.wake = resolve));
    }
  }

  private wakeUp(): void {
    const wake = this.wake;
    this.wake = null;
    wake?.();
  }
}

/** The FlightData of a source's stream: its schema, then a message per record batch. */
export function flightDataOf(stream: FlightStream): AsyncGenerator<OutgoingFlightData> {
  switch (stream.kind) {
    case 'ipc':
      return ipcFlightData(stream.chunks);
    case 'batches':
      return batchFlightData(stream.batches, stream.schema ?? null);
  }
}

/**
 * The messages of IPC streams of one schema, as one stream: the first schema, then every record
 * batch; later schemas (checked to have the same column types) and end markers are dropped.
 */
async function* ipcFlightData(chunks: AsyncIterable<Uint8Array>): AsyncGenerator<OutgoingFlightData> {
  const splitter = new IpcStreamSplitter();
  let schema: { header: Uint8Array; decoded: arrow.Schema | null } | null = null;
  const toFlightData = (piece: IpcPiece): OutgoingFlightData | null => {
    if (piece.kind === 'end') return null;
    switch (piece.headerType) {
      case arrow.MessageHeader.Schema:
        if (schema === null) {
          schema = { header: piece.header, decoded: null };
          return { dataHeader: piece.header, dataBody: [] };
        }
        checkSameSchema(schema, piece.header);
        return null;
      case arrow.MessageHeader.RecordBatch:
        if (schema === null) throw new Error('the Arrow IPC stream has a record batch before its schema');
        return { dataHeader: piece.header, dataBody: piece.body };
      case arrow.MessageHeader.DictionaryBatch:
        throw new Error('dictionary-encoded columns are not served (exchanges never hold them)');
      default:
        throw new Error(
          `the Arrow IPC stream holds a message of type ${arrow.MessageHeader[piece.headerType]}`,
        );
    }
  };
  for await (const chunk of chunks) {
    for (const piece of splitter.push(chunk)) {
      const data = toFlightData(piece);
      if (data !== null) yield data;
    }
  }
  splitter.finish();
  if (schema === null) throw new Error('the Arrow IPC stream has no schema');
}

function schemaOfHeader(header: Uint8Array): arrow.Schema {
  return (arrow.Message.decode(header) as arrow.Message<arrow.MessageHeader.Schema>).header();
}

/** Throws unless the schema message `header` has the column types of the stream's schema. */
function checkSameSchema(
  first: { header: Uint8Array; decoded: arrow.Schema | null },
  header: Uint8Array,
): void {
  if (Buffer.from(header.buffer, header.byteOffset, header.byteLength).equals(first.header)) return;
  first.decoded ??= schemaOfHeader(first.header);
  if (!sameColumnTypes(first.decoded, schemaOfHeader(header))) {
    throw new Error('the Arrow IPC streams of one ticket have different schemas');
  }
}

function sameColumnTypes(a: arrow.Schema, b: arrow.Schema): boolean {
  return (
    a.fields.length === b.fields.length &&
    a.fields.every((f, i) =>
      arrow.util.compareTypes(f.type as arrow.DataType, b.fields[i]!.type as arrow.DataType),
    )
  );
}

/** Batches encoded with apache-arrow's stream writer, split into FlightData as they come. */
async function* batchFlightData(
  batches: AsyncIterable<arrow.RecordBatch>,
  declared: arrow.Schema | null,
): AsyncGenerator<OutgoingFlightData> {
  const sink = new IpcChunkSink();
  const writer = new arrow.RecordBatchStreamWriter();
  writer.reset(sink, declared);
  const splitter = new IpcStreamSplitter();
  let schema = declared;
  const drain = function* (): Generator<OutgoingFlightData> {
    for (const chunk of sink.take()) {
      for (const piece of splitter.push(chunk)) {
        if (piece.kind === 'end') continue;
        if (piece.headerType === arrow.MessageHeader.DictionaryBatch) {
          throw new Error('dictionary-encoded columns are not served (exchanges never hold them)');
        }
        yield { dataHeader: piece.header, dataBody: piece.body };
      }
    }
  };
  yield* drain();
  for await (const batch of batches) {
    if (schema === null) {
      schema = batch.schema;
    } else if (batch.schema !== schema) {
      // The writer would end the stream at a batch of another schema: put each on the stream's
      // (names and nullability may differ, column types may not).
      if (!sameColumnTypes(schema, batch.schema)) {
        throw new Error('the batches of one ticket have different column types');
      }
      writer.write(makeBatchWithArrowSchema(schema, batch.data.children, batch.numRows));
      yield* drain();
      continue;
    }
    writer.write(batch);
    yield* drain();
  }
  writer.finish();
  yield* drain();
  splitter.finish();
}
