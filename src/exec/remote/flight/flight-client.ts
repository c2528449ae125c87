/**
 * The client of an executor's Flight server (flight-server.ts): `doGet(ticket, schema)` streams
 * the ticket's FlightData, rebuilds the Arrow IPC stream from their headers and bodies (bodies are
 * views of the received messages), decodes it with apache-arrow's RecordBatchReader and yields
 * the batches, as batches of the engine's `schema`. The stream is read as it is consumed: the
 * gRPC stream is read a message at a time, and HTTP/2 flow control holds the server back while
 * the consumer is slow.
 *
 * One client per address: its HTTP/2 channel carries any number of concurrent doGets. Every
 * failure is a `FlightError` with the gRPC status name (NOT_FOUND, UNAVAILABLE, CANCELLED,
 * INTERNAL, …). A server that cannot be reached fails fast with UNAVAILABLE: a refused
 * connection at once, one that does not answer after `connectTimeoutMs`; a connection lost mid
 * stream fails the call (keepalive pings find a peer that vanished without closing it).
 */
import * as grpc from '@grpc/grpc-js';
import * as arrow from 'apache-arrow';
import { makeBatch, toArrowType, type Schema } from '../../../common/index.ts';
import {
  IPC_END_OF_STREAM,
  decodeFlightData,
  encodeFlightTicket,
  ipcMessageChunks,
  type FlightData,
} from './flight-codec.ts';
import { DO_GET_PATH, FLIGHT_GRPC_OPTIONS } from './flight-server.ts';

/** The name of a gRPC status code. */
export type FlightErrorCode = keyof typeof grpc.status;

/** A failed Flight call, with the gRPC status name. */
export class FlightError extends Error {
  override readonly name = 'FlightError';
  readonly code: FlightErrorCode;

  constructor(code: FlightErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}

export interface FlightClientOptions {
  /** How long a call waits for a connection to be made before UNAVAILABLE (default 5 s). */
  readonly connectTimeoutMs?: number;
  /** Sent with every call (`authorization: Bearer <token>`) to a server that requires it. */
  readonly token?: string;
}

const DEFAULT_CONNECT_TIMEOUT_MS = 5_000;

export class FlightClient {
  readonly address: string;
  private readonly client: grpc.Client;
  private readonly connectTimeoutMs: number;
  private readonly token: string | null;

  constructor(address: string, options: FlightClientOptions = {}) {
    this.address = address;
    this.connectTimeoutMs = options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS;
    this.token = options.token ?? null;
    this.client = new grpc.Client(address, grpc.credentials.createInsecure(), FLIGHT_GRPC_OPTIONS);
  }

  private metadata(): grpc.Metadata {
    const metadata = new grpc.Metadata();
    if (this.token !== null) metadata.set('authorization', `Bearer ${this.token}`);
    return metadata;
  }

  /**
   * The batches of the stream `ticket` names, as batches of `schema` (empty batches are left
   * out). Stopping early, or aborting `signal`, cancels the call.
   */
  async *doGet(ticket: Uint8Array, schema: Schema, signal?: AbortSignal): AsyncGenerator<arrow.RecordBatch> {
    if (signal?.aborted) throw new FlightError('CANCELLED', `the fetch from ${this.address} was cancelled`);
    await this.connected(signal);
    // A call fails fast (UNAVAILABLE) when the channel is down: grpc-js does not wait for ready by default.
    const call = this.client.makeServerStreamRequest<Uint8Array, FlightData>(
      DO_GET_PATH,
      encodeFlightTicket,
      decodeFlightData,
      ticket,
      this.metadata(),
      {},
    );
    // The call's errors reach the reader through its iteration; after it, none may go unhandled.
    call.on('error', () => undefined);
    const cancel = (): void => call.cancel();
    signal?.addEventListener('abort', cancel, { once: true });
    // The call's failure, once it failed (the reader may report it in its own words).
    const outcome: { failure: FlightError | null } = { failure: null };
    const address = this.address;
    // The IPC stream's bytes, a message at a time as the reader asks for them.
    const ipcChunks = async function* (): AsyncGenerator<Uint8Array> {
      let messages = 0;
      try {
        for await (const data of call as AsyncIterable<FlightData>) {
          // A FlightData with no header carries only app_metadata: nothing of the stream.
          if (data.dataHeader.byteLength === 0) continue;
          messages++;
          yield* ipcMessageChunks(data.dataHeader, data.dataBody);
        }
      } catch (err) {
        outcome.failure = flightErrorOf(err, address);
        throw outcome.failure;
      }
      if (messages > 0) yield IPC_END_OF_STREAM;
    };
    const chunks = ipcChunks();
    let reader: arrow.AsyncRecordBatchStreamReader | null = null;
    try {
      const first = await chunks.next();
      if (first.done === true) return;
      reader = await arrow.RecordBatchReader.from(prepend(first.value, chunks));
      let checked = false;
      for await (const b of reader) {
        if (!checked) {
          checkColumns(b.data.children, schema, address);
          checked = true;
        }
        if (b.numRows > 0) yield makeBatch(schema, b.data.children, b.numRows);
      }
      if (outcome.failure !== null) throw outcome.failure;
    } catch (err) {
      if (outcome.failure !== null) throw outcome.failure;
      if (err instanceof FlightError) throw err;
      throw new FlightError(
        'INTERNAL',
        `could not read the Flight stream from ${address}: ${err instanceof Error ? err.message : String(err)}`,
        { cause: err },
      );
    } finally {
      signal?.removeEventListener('abort', cancel);
      call.cancel();
      await reader?.return().catch(() => undefined);
      await chunks.return(undefined).catch(() => undefined);
    }
  }

  /** Closes the channel; calls still running fail with CANCELLED or UNAVAILABLE. */
  close(): void {
    this.client.close();
  }

  /** Waits for the channel to be connected; UNAVAILABLE when it cannot be. */
  private async connected(signal: AbortSignal | undefined): Promise<void> {
    const channel = this.client.getChannel();
    const deadline = Date.now() + this.connectTimeoutMs;
    for (;;) {
      const state = channel.getConnectivityState(true);
      switch (state) {
        case grpc.connectivityState.READY:
          return;
        case grpc.connectivityState.TRANSIENT_FAILURE:
          throw new FlightError('UNAVAILABLE', `could not connect to the Flight server at ${this.address}`);
        case grpc.connectivityState.SHUTDOWN:
          throw new FlightError('CANCELLED', `the Flight client of ${this.address} is closed`);
        case grpc.connectivityState.IDLE:
        case grpc.connectivityState.CONNECTING:
          break;
      }
      const changed = await new Promise<boolean>((resolve) => {
        const aborted = (): void => resolve(true);
        signal?.addEventListener('abort', aborted, { once: true });
        channel.watchConnectivityState(state, deadline, (err) => {
          signal?.removeEventListener('abort', aborted);
          resolve(err === undefined);
        });
      });
      if (signal?.aborted) throw new FlightError('CANCELLED', `the fetch from ${this.address} was cancelled`);
      if (!changed) {
        throw new FlightError(
          'UNAVAILABLE',
          `could not connect to the Flight server at ${this.address} within ${this.connectTimeoutMs} ms`,
        );
      }
    }
  }
}

/**
 * Throws unless the stream's columns are, in number and kind, those of `schema`. The columns'
 * own types are read, not the batch's schema: Arrow merges that by name (two columns named alike).
 */
function checkColumns(received: readonly arrow.Data[], schema: Schema, address: string): void {
  const same =
    received.length === schema.fields.length &&
    schema.fields.every((f, i) => toArrowType(f.type).typeId === received[i]!.type.typeId);
  if (!same) {
    throw new FlightError(
      'INTERNAL',
      `the Flight stream from ${address} has the columns ${received.map((c) => arrow.Type[c.type.typeId]).join(', ')}, ` +
        `not those expected`,
    );
  }
}

async function* prepend<T>(first: T, rest: AsyncIterator<T>): AsyncGenerator<T> {
  yield first;
  for (;;) {
    const next = await rest.next();
    if (next.done === true) return;
    yield next.value;
  }
}

function isServiceError(err: unknown): err is grpc.ServiceError {
  return err instanceof Error && typeof (err as Partial<grpc.ServiceError>).code === 'number';
}

function flightErrorOf(err: unknown, address: string): FlightError {
  if (err instanceof FlightError) return err;
  if (isServiceError(err)) {
    const code = (grpc.status[err.code] as FlightErrorCode | undefined) ?? 'UNKNOWN';
    return new FlightError(code, `Flight server ${address}: ${err.details || err.message}`, { cause: err });
  }
  return new FlightError(
    'INTERNAL',
    `Flight server ${address}: ${err instanceof Error ? err.message : String(err)}`,
    {
      cause: err,
    },
  );
}
