/**
 * What executors serve over Flight, named by tickets — small JSON bytes:
 *
 *   { "kind": "map", queryId, stageId, map, bucket }              one bucket of one map output
 *   { "kind": "result", queryId, stageId, partition, attempt }    a result task's batches
 *
 * and serving a map ticket from the executor's `ShuffleStore`: the bucket's blocks on disk go out
 * as they are stored (the decompressed IPC bytes of each zstd frame, no batch decoded), then its
 * batches in memory, encoded — one IPC stream with the schema first (the server drops the
 * blocks' own schemas and end markers).
 */
import * as arrow from 'apache-arrow';
import { IpcChunkSink, toArrowSchema, type Schema } from '../../../common/index.ts';
import { fromWireBatch, type WireBatch } from '../../arrow-transfer.ts';
import { readBlockBytes } from '../../exchange/map-output-file.ts';
import type { MapOutputBucket, ShuffleStore } from '../../exchange/shuffle-store.ts';
import { FlightNotFound, type FlightStream } from './flight-server.ts';

export interface MapTicket {
  readonly kind: 'map';
  readonly queryId: string;
  readonly stageId: number;
  readonly map: number;
  readonly bucket: number;
}

export interface ResultTicket {
  readonly kind: 'result';
  readonly queryId: string;
  readonly stageId: number;
  readonly partition: number;
  readonly attempt: number;
}

export type ShuffleTicket = MapTicket | ResultTicket;

/** A ticket longer than this is not one of ours. */
const MAX_TICKET_BYTES = 4096;

export function encodeTicket(ticket: ShuffleTicket): Uint8Array {
  const plain =
    ticket.kind === 'map'
      ? {
          kind: ticket.kind,
          queryId: ticket.queryId,
          stageId: ticket.stageId,
          map: ticket.map,
          bucket: ticket.bucket,
        }
      : {
          kind: ticket.kind,
          queryId: ticket.queryId,
          stageId: ticket.stageId,
          partition: ticket.partition,
          attempt: ticket.attempt,
        };
  return new TextEncoder().encode(JSON.stringify(plain));
}

/** The ticket `bytes` encode; `FlightNotFound` when they are not a ticket of ours. */
export function decodeTicket(bytes: Uint8Array): ShuffleTicket {
  const bad = (why: string): never => {
    throw new FlightNotFound(`not a Kindling ticket: ${why}`);
  };
  if (bytes.byteLength > MAX_TICKET_BYTES) bad(`${bytes.byteLength} bytes long`);
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch {
    return bad('not JSON');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return bad('not an object');
  const fields = value as Record<string, unknown>;
  const count = (name: string): number => {
    const n = fields[name];
    return typeof n === 'number' && Number.isSafeInteger(n) && n >= 0 ? n : bad(`${name} is not a count`);
  };
  const queryId = fields['queryId'];
  if (typeof queryId !== 'string' || queryId.length === 0) bad('queryId is not a name');
  switch (fields['kind']) {
    case 'map':
      return {
        kind: 'map',
        queryId: queryId as string,
        stageId: count('stageId'),
        map: count('map'),
        bucket: count('bucket'),
      };
    case 'result':
      return {
        kind: 'result',
        queryId: queryId as string,
        stageId: count('stageId'),
        partition: count('partition'),
        attempt: count('attempt'),
      };
    default:
      return bad(`kind is ${JSON.stringify(fields['kind'])}`);
  }
}

/**
 * Serves map tickets from `store`: the stream of the bucket named, or null when the store does
 * not hold it (or the ticket is not a map ticket). `schemaOf` gives the schema of a stage's
 * output (its batches in memory are rebuilt against it).
 */
export function serveShuffleStore(
  store: ShuffleStore,
  schemaOf: (queryId: string, stageId: number) => Schema | undefined,
): (ticket: ShuffleTicket) => FlightStream | null {
  return (ticket) => {
    if (ticket.kind !== 'map') return null;
    const bucket = store.get(ticket.queryId, ticket.stageId, ticket.map, ticket.bucket);
    const schema = schemaOf(ticket.queryId, ticket.stageId);
    if (bucket === undefined || schema === undefined) return null;
    return { kind: 'ipc', chunks: bucketIpcBytes(bucket, schema) };
  };
}

/** The bucket as IPC streams: its schema alone, then every block on disk, then its batches in memory. */
async function* bucketIpcBytes(bucket: MapOutputBucket, schema: Schema): AsyncGenerator<Uint8Array> {
  const arrowSchema = toArrowSchema(schema);
  const sink = new IpcChunkSink();
  const writer = new arrow.RecordBatchStreamWriter();
  // The schema first: an empty bucket is a stream of its schema alone.
  writer.reset(sink, arrowSchema);
  writer.finish();
  yield* sink.take();
  if (bucket.file !== null && bucket.file.ranges.length > 0) {
    yield* readBlockBytes(bucket.file.path, bucket.file.ranges);
  }
  if (bucket.batches.length > 0) yield* wireBatchBytes(bucket.batches, schema);
}

function* wireBatchBytes(batches: readonly WireBatch[], schema: Schema): Generator<Uint8Array> {
  const sink = new IpcChunkSink();
  const writer = new arrow.RecordBatchStreamWriter();
  writer.reset(sink);
  for (const w of batches) {
    writer.write(fromWireBatch(schema, w));
    yield* sink.take();
  }
  writer.finish();
  yield* sink.take();
}
