/**
 * The Flight data plane over a real gRPC server on 127.0.0.1: every column type round trips (as
 * batches and as raw IPC bytes), empty streams, a long stream read slowly holds the server back,
 * a client that stops early or aborts releases the server's iterator, unknown and malformed
 * tickets are NOT_FOUND / INVALID_ARGUMENT, a source's failure is INTERNAL, a closed address is
 * UNAVAILABLE at once; the protobuf and IPC codecs on their own; and a ShuffleStore bucket half on
 * disk and half in memory served as `readMapOutputBucket` reads it.
 */
import * as grpc from '@grpc/grpc-js';
import * as arrow from 'apache-arrow';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setImmediate as nextTurn, setTimeout as sleep } from 'node:timers/promises';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import {
  IpcChunkSink,
  batchRows,
  columnFromValues,
  makeBatch,
  type DataType,
  type Schema,
  type Value,
} from '../../../common/index.ts';
import { columnExpr, defaultEvalContext } from '../../../physical/index.ts';
import { ShuffleStore, readMapOutputBucket } from '../../exchange/shuffle-store.ts';
import { ShuffleWriter } from '../../exchange/shuffle-writer.ts';
import { MemoryBudget, TaskMemoryPool, UNLIMITED, createBudget } from '../../memory/memory-budget.ts';
import {
  GRPC_MESSAGE_PREFIX,
  ProtobufError,
  IpcStreamSplitter,
  decodeFlightData,
  decodeFlightTicket,
  encodeFlightData,
  encodeFlightTicket,
  joinIpcStream,
  splitIpcStream,
  type IpcPiece,
} from './flight-codec.ts';
import { FlightClient, FlightError } from './flight-client.ts';
import {
  DO_GET_PATH,
  FlightNotFound,
  startFlightServer,
  type FlightServer,
  type FlightSource,
  type FlightStream,
} from './flight-server.ts';
import { decodeTicket, encodeTicket, serveShuffleStore, type ShuffleTicket } from './shuffle-tickets.ts';

const types: DataType[] = [
  { kind: 'tinyint' },
  { kind: 'smallint' },
  { kind: 'int' },
  { kind: 'bigint' },
  { kind: 'float' },
  { kind: 'double' },
  { kind: 'decimal', precision: 12, scale: 2 },
  { kind: 'decimal', precision: 30, scale: 4 },
  { kind: 'string' },
  { kind: 'binary' },
  { kind: 'boolean' },
  { kind: 'date' },
  { kind: 'timestamp' },
  { kind: 'timestamp_ntz' },
  { kind: 'array', element: { kind: 'int' }, containsNull: true },
  {
    kind: 'struct',
    fields: [
      { name: 'a', type: { kind: 'int' }, nullable: true },
      { name: 'b', type: { kind: 'string' }, nullable: true },
    ],
  },
  { kind: 'map', key: { kind: 'string' }, value: { kind: 'double' }, valueContainsNull: true },
];
const schema: Schema = { fields: types.map((type, i) => ({ name: `c${i}`, type, nullable: true })) };

function rowAt(i: number): Value[] {
  if (i % 7 === 3) return types.map(() => null);
  return [
    (i % 200) - 100,
    i % 30000,
    i * 3,
    BigInt(i) * 10_000_000_007n,
    i / 4,
    i / 3,
    BigInt(i * 125),
    10n ** 25n + BigInt(i),
    i % 5 === 0 ? null : `héllo ${i} ${'x'.repeat(i % 17)}`,
    new Uint8Array([i & 255, 0, 7]),
    i % 2 === 0,
    19000 + i,
    1_700_000_000_000_000n + BigInt(i),
    BigInt(i) * 1_000_000n,
    i % 4 === 0 ? null : [i, null, i + 1],
    [i, i % 3 === 0 ? null : 'b'],
    new Map([[`k${i}`, i % 4 === 0 ? null : i / 2]]),
  ];
}

function batchOf(from: number, n: number): arrow.RecordBatch {
  const rows = Array.from({ length: n }, (_, i) => rowAt(from + i));
  return makeBatch(
    schema,
    types.map((t, c) =>
      columnFromValues(
        t,
        rows.map((r) => r[c] ?? null),
      ),
    ),
    n,
  );
}

/** A batch of one int column: not of `schema`. */
function otherBatch(): arrow.RecordBatch {
  const one: Schema = { fields: [{ name: 'x', type: { kind: 'int' }, nullable: true }] };
  return makeBatch(one, [columnFromValues({ kind: 'int' }, [1, 2])], 2);
}

function rowsOf(batches: readonly arrow.RecordBatch[], of: Schema = schema): Value[][] {
  return batches.flatMap((b) =>
    batchRows(
      b,
      of.fields.map((f) => f.type),
    ),
  );
}

/** The Arrow IPC stream bytes of `batches`, as apache-arrow's stream writer writes them. */
function ipcBytes(batches: readonly arrow.RecordBatch[], arrowSchema?: arrow.Schema): Uint8Array {
  const sink = new IpcChunkSink();
  const writer = new arrow.RecordBatchStreamWriter();
  writer.reset(sink, arrowSchema ?? null);
  for (const b of batches) writer.write(b);
  writer.finish();
  return Buffer.concat(sink.take());
}

// eslint-disable-next-line @typescript-eslint/require-await
async function* chunked(bytes: Uint8Array, size: number): AsyncGenerator<Uint8Array> {
  for (let at = 0; at < bytes.byteLength; at += size) yield bytes.subarray(at, at + size);
}

async function collect(it: AsyncIterable<arrow.RecordBatch>): Promise<arrow.RecordBatch[]> {
  const out: arrow.RecordBatch[] = [];
  for await (const b of it) out.push(b);
  return out;
}

const ticketOf = (name: string): Uint8Array => new TextEncoder().encode(name);

/** A source serving named streams; an unknown name is not found. */
function sourceOf(streams: Record<string, (signal: AbortSignal) => FlightStream>): FlightSource {
  return {
    doGet(ticket, signal) {
      const make = streams[new TextDecoder().decode(ticket)];
      if (make === undefined) return Promise.reject(new FlightNotFound('no such stream'));
      return Promise.resolve(make(signal));
    },
  };
}

const servers: FlightServer[] = [];
const clients: FlightClient[] = [];
afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  for (const s of servers.splice(0)) await s.close();
});

async function serve(source: FlightSource): Promise<{ server: FlightServer; client: FlightClient }> {
  const server = await startFlightServer(source, { host: '127.0.0.1', port: 0 });
  servers.push(server);
  const client = new FlightClient(server.address);
  clients.push(client);
  return { server, client };
}

async function failureOf(it: AsyncIterable<unknown>): Promise<FlightError> {
  try {
    for await (const _ of it) {
      // drain
    }
  } catch (err) {
    expect(err).toBeInstanceOf(FlightError);
    return err as FlightError;
  }
  throw new Error('the stream did not fail');
}

// eslint-disable-next-line @typescript-eslint/require-await
async function* fromArray<T>(items: readonly T[]): AsyncGenerator<T> {
  for (const x of items) yield x;
}

describe('Flight protobuf codec', () => {
  it('round trips a Ticket and a FlightData, the body given in parts and decoded as a view', () => {
    const ticket = ticketOf('q1/s2/m3/b4');
    expect(Buffer.from(decodeFlightTicket(encodeFlightTicket(ticket)))).toEqual(Buffer.from(ticket));
    expect(decodeFlightTicket(encodeFlightTicket(new Uint8Array(0))).byteLength).toBe(0);

    const header = new Uint8Array(200).map((_, i) => i);
    const body = new Uint8Array(70_000).map((_, i) => i * 7);
    const bytes = encodeFlightData({
      dataHeader: header,
      appMetadata: ticketOf('meta'),
      dataBody: [body.subarray(0, 5), body.subarray(5, 60_000), body.subarray(60_000)],
    });
    // data_header: tag 0x12, length 200 as a two-byte varint.
    expect([...bytes.subarray(0, 3)]).toEqual([0x12, 0xc8, 0x01]);
    // data_body: field 1000, wire type 2 → tag 8002, the varint c2 3e.
    const bodyTag = 3 + 200 + 2 + 4;
    expect([...bytes.subarray(bodyTag, bodyTag + 2)]).toEqual([0xc2, 0x3e]);
    const data = decodeFlightData(bytes);
    expect(Buffer.from(data.dataHeader).equals(header)).toBe(true);
    expect(new TextDecoder().decode(data.appMetadata)).toBe('meta');
    expect(Buffer.from(data.dataBody).equals(body)).toBe(true);
    expect(data.dataBody.buffer).toBe(bytes.buffer);
    // A schema message: no body, the field left out.
    const schemaOnly = decodeFlightData(encodeFlightData({ dataHeader: header, dataBody: [] }));
    expect(schemaOnly.dataBody.byteLength).toBe(0);
  });

  it('pads the header so that the body starts 8-aligned in its gRPC frame', () => {
    for (const headerLength of [8, 120, 128, 136, 200, 1024]) {
      for (const bodyLength of [8, 200, 70_000, 3_000_000]) {
        const header = new Uint8Array(headerLength).fill(1);
        const bytes = encodeFlightData(
          { dataHeader: header, dataBody: new Uint8Array(bodyLength) },
          { alignBody: true },
        );
        const data = decodeFlightData(bytes);
        expect((GRPC_MESSAGE_PREFIX + data.dataBody.byteOffset - bytes.byteOffset) % 8).toBe(0);
        expect(data.dataBody.byteLength).toBe(bodyLength);
        expect(Buffer.from(data.dataHeader.subarray(0, headerLength)).equals(header)).toBe(true);
        expect(data.dataHeader.subarray(headerLength).every((b) => b === 0)).toBe(true);
      }
    }
  });

  it('skips fields it does not know, of every wire type, and the flight descriptor', () => {
    const body = [9, 8, 7, 6, 5, 4, 3, 2];
    const bytes = new Uint8Array([
      // flight_descriptor (1): a nested message { type (1) = 2, cmd (2) = "ab" }
      0x0a,
      0x06,
      0x08,
      0x02,
      0x12,
      0x02,
      0x61,
      0x62,
      // field 5, varint 300
      0x28,
      0xac,
      0x02,
      // field 6, fixed64
      0x31,
      1,
      2,
      3,
      4,
      5,
      6,
      7,
      8,
      // data_header (2)
      0x12,
      0x03,
      1,
      2,
      3,
      // field 7, fixed32
      0x3d,
      1,
      2,
      3,
      4,
      // field 9, a group holding a varint field 1, then its end
      0x4b,
      0x08,
      0x01,
      0x4c,
      // field 2000, length-delimited
      0x82,
      0x7d,
      0x02,
      0xee,
      0xee,
      // data_body (1000)
      0xc2,
      0x3e,
      body.length,
      ...body,
    ]);
    const data = decodeFlightData(bytes);
    expect([...data.dataHeader]).toEqual([1, 2, 3]);
    expect([...data.dataBody]).toEqual(body);
    expect(data.appMetadata.byteLength).toBe(0);
  });

  it('rejects bytes that are not the message', () => {
    expect(() => decodeFlightData(new Uint8Array([0x12, 0x05, 1, 2]))).toThrow(ProtobufError);
    expect(() => decodeFlightData(new Uint8Array([0x12]))).toThrow(ProtobufError);
    expect(() => decodeFlightData(new Uint8Array([0x17]))).toThrow(ProtobufError); // wire type 7
    expect(() => decodeFlightData(new Uint8Array([0x10, 0x01]))).toThrow(ProtobufError); // header as a varint
    expect(() => decodeFlightTicket(new Uint8Array([0x4b, 0x08, 0x01]))).toThrow(ProtobufError); // open group
    expect(() => decodeFlightTicket(new Uint8Array([0x00]))).toThrow(ProtobufError);
  });
});

describe('Arrow IPC split and join', () => {
  const batches = [batchOf(0, 500), batchOf(500, 0), batchOf(500, 1234)];
  const bytes = ipcBytes(batches);

  it('splits a stream into a schema, a message per batch and the end, and joins it back byte for byte', () => {
    const pieces = splitIpcStream(bytes);
    expect(pieces.map((p) => (p.kind === 'end' ? 'end' : arrow.MessageHeader[p.headerType]))).toEqual([
      'Schema',
      'RecordBatch',
      'RecordBatch',
      'RecordBatch',
      'end',
    ]);
    const messages = pieces.filter((p): p is Extract<IpcPiece, { kind: 'message' }> => p.kind === 'message');
    expect(messages[0]!.bodyLength).toBe(0);
    expect(Buffer.from(joinIpcStream(messages)).equals(Buffer.from(bytes))).toBe(true);
  });

  it('gives the same pieces whatever the chunks the stream comes in', () => {
    const flat = (pieces: IpcPiece[]): unknown[] =>
      pieces.map((p) => (p.kind === 'end' ? 'end' : [Buffer.from(p.header), Buffer.concat(p.body)]));
    const small = ipcBytes([batchOf(0, 20), batchOf(20, 30)]);
    for (const [stream, sizes] of [
      [small, [1, 3, 8]],
      [bytes, [1000, 4099]],
    ] as const) {
      for (const size of sizes) {
        const splitter = new IpcStreamSplitter();
        const pieces: IpcPiece[] = [];
        for (let at = 0; at < stream.byteLength; at += size) {
          pieces.push(...splitter.push(stream.subarray(at, at + size)));
        }
        splitter.finish();
        expect(flat(pieces)).toEqual(flat(splitIpcStream(stream)));
      }
    }
    const whole = splitIpcStream(bytes);
    // Bodies within one chunk are views of it, not copies.
    const body = whole.find((p) => p.kind === 'message' && p.bodyLength > 0);
    expect(body?.kind === 'message' && body.body.every((b) => b.buffer === bytes.buffer)).toBe(true);
  });

  it('throws on a stream cut inside a message', () => {
    const splitter = new IpcStreamSplitter();
    splitter.push(bytes.subarray(0, bytes.byteLength - 20));
    expect(() => splitter.finish()).toThrow(/ends inside a message/);
  });
});

describe('shuffle tickets', () => {
  it('round trip, and anything else is not found', () => {
    const tickets: ShuffleTicket[] = [
      { kind: 'map', queryId: 'q-7', stageId: 2, map: 3, bucket: 11 },
      { kind: 'result', queryId: 'q-7', stageId: 4, partition: 0, attempt: 1 },
    ];
    for (const t of tickets) expect(decodeTicket(encodeTicket(t))).toEqual(t);
    const bad = [
      'not json',
      '[]',
      'null',
      '{"kind":"map","queryId":"q","stageId":1,"map":0}',
      '{"kind":"map","queryId":"","stageId":1,"map":0,"bucket":0}',
      '{"kind":"map","queryId":"q","stageId":-1,"map":0,"bucket":0}',
      '{"kind":"map","queryId":"q","stageId":1.5,"map":0,"bucket":0}',
      '{"kind":"other","queryId":"q","stageId":1,"map":0,"bucket":0}',
      'x'.repeat(10_000),
    ];
    for (const b of bad) expect(() => decodeTicket(ticketOf(b))).toThrow(FlightNotFound);
    expect(() => decodeTicket(new Uint8Array([0xff, 0xfe]))).toThrow(FlightNotFound);
  });
});

describe('Flight server and client', () => {
  it('round trip every column type, as batches and as IPC bytes, on concurrent calls of one client', async () => {
    const batches = [batchOf(0, 1000), batchOf(1000, 0), batchOf(1000, 3001)];
    const bytes = ipcBytes(batches);
    const { client } = await serve(
      sourceOf({
        batches: () => ({ kind: 'batches', batches: fromArray(batches) }),
        ipc: () => ({ kind: 'ipc', chunks: chunked(bytes, 777) }),
      }),
    );
    const want = rowsOf(batches);
    const [viaBatches, viaIpc, again] = await Promise.all([
      collect(client.doGet(ticketOf('batches'), schema)),
      collect(client.doGet(ticketOf('ipc'), schema)),
      collect(client.doGet(ticketOf('batches'), schema)),
    ]);
    expect(viaBatches.map((b) => b.numRows)).toEqual([1000, 3001]);
    expect(rowsOf(viaBatches)).toEqual(want);
    expect(rowsOf(viaIpc)).toEqual(want);
    expect(rowsOf(again)).toEqual(want);
    // Batches of the engine's schema.
    expect(viaIpc[0]!.schema.fields.map((f) => f.name)).toEqual(schema.fields.map((f) => f.name));
  });

  it('require the cluster token of every call when the server has one', async () => {
    const batches = [batchOf(0, 10)];
    const source = sourceOf({ rows: () => ({ kind: 'batches', batches: fromArray(batches) }) });
    const server = await startFlightServer(source, { host: '127.0.0.1', port: 0, token: 'secret-1' });
    servers.push(server);
    const stranger = new FlightClient(server.address);
    const wrong = new FlightClient(server.address, { token: 'secret-2' });
    const member = new FlightClient(server.address, { token: 'secret-1' });
    clients.push(stranger, wrong, member);
    expect((await failureOf(stranger.doGet(ticketOf('rows'), schema))).code).toBe('UNAUTHENTICATED');
    expect((await failureOf(wrong.doGet(ticketOf('rows'), schema))).code).toBe('UNAUTHENTICATED');
    expect(rowsOf(await collect(member.doGet(ticketOf('rows'), schema)))).toEqual(rowsOf(batches));
  });

  it('serve several IPC streams of one schema as one', async () => {
    const a = ipcBytes([batchOf(0, 10)]);
    const b = ipcBytes([batchOf(10, 20), batchOf(30, 5)]);
    const { client } = await serve(sourceOf({ two: () => ({ kind: 'ipc', chunks: fromArray([a, b]) }) }));
    const got = await collect(client.doGet(ticketOf('two'), schema));
    expect(rowsOf(got)).toEqual(rowsOf([batchOf(0, 35)]));
  });

  it('serve empty streams', async () => {
    const arrowSchema = batchOf(0, 0).schema;
    const { client } = await serve(
      sourceOf({
        declared: () => ({ kind: 'batches', batches: fromArray([]), schema: arrowSchema }),
        bare: () => ({ kind: 'batches', batches: fromArray([]) }),
        schemaOnly: () => ({ kind: 'ipc', chunks: fromArray([ipcBytes([], arrowSchema)]) }),
        emptyBatch: () => ({ kind: 'batches', batches: fromArray([batchOf(0, 0)]) }),
      }),
    );
    for (const name of ['declared', 'bare', 'schemaOnly', 'emptyBatch']) {
      expect(await collect(client.doGet(ticketOf(name), schema))).toEqual([]);
    }
  });

  it('hold the server back while the client reads slowly', async () => {
    const longSchema: Schema = { fields: [{ name: 'v', type: { kind: 'bigint' }, nullable: false }] };
    const rows = 128 * 1024; // 1 MB a batch
    const count = 100;
    const column = columnFromValues(
      longSchema.fields[0]!.type,
      Array.from({ length: rows }, (_, i) => BigInt(i)),
    );
    let produced = 0;
    let consumed = 0;
    let maxLead = 0;
    const { client } = await serve(
      sourceOf({
        long: () => ({
          kind: 'batches',
          batches: (async function* () {
            for (let i = 0; i < count; i++) {
              await nextTurn();
              produced++;
              maxLead = Math.max(maxLead, produced - consumed);
              yield makeBatch(longSchema, [column], rows);
            }
          })(),
        }),
      }),
    );
    let sum = 0n;
    for await (const b of client.doGet(ticketOf('long'), longSchema)) {
      const values = b.data.children[0]!.values as BigInt64Array;
      sum += values[rows - 1]! + values[0]!;
      consumed++;
      await sleep(4);
    }
    expect(consumed).toBe(count);
    expect(sum).toBe(BigInt(count) * BigInt(rows - 1));
    // 100 MB went through; the server was never more than a few dozen MB ahead of the reader.
    expect(maxLead).toBeLessThan(40);
  });

  it('release the source when the client stops early or aborts', async () => {
    const released: string[] = [];
    const endless = (name: string) => (): FlightStream => ({
      kind: 'batches',
      batches: (async function* () {
        try {
          for (let i = 0; ; i++) {
            await nextTurn();
            yield batchOf(i * 100, 100);
          }
        } finally {
          released.push(name);
        }
      })(),
    });
    const { client } = await serve(sourceOf({ stop: endless('stop'), abort: endless('abort') }));
    let read = 0;
    for await (const _ of client.doGet(ticketOf('stop'), schema)) if (++read === 3) break;
    const controller = new AbortController();
    let aborted: unknown = null;
    try {
      for await (const _ of client.doGet(ticketOf('abort'), schema, controller.signal)) controller.abort();
    } catch (err) {
      aborted = err;
    }
    expect(aborted).toBeInstanceOf(FlightError);
    expect((aborted as FlightError).code).toBe('CANCELLED');
    for (let i = 0; i < 100 && released.length < 2; i++) await sleep(20);
    expect(released.sort()).toEqual(['abort', 'stop']);
  });

  it('answer NOT_FOUND for an unknown or malformed ticket, INVALID_ARGUMENT for a non-Ticket, INTERNAL for a failing source', async () => {
    const store = new ShuffleStore();
    const fromStore = serveShuffleStore(store, () => schema);
    const pieces = splitIpcStream(ipcBytes([batchOf(0, 10)]));
    const batchOnly = pieces.filter(
      (p) => p.kind === 'message' && p.headerType === arrow.MessageHeader.RecordBatch,
    );
    const dictionary = arrow.tableToIPC(
      new arrow.Table({
        d: arrow.vectorFromArray(['a', 'b', 'a'], new arrow.Dictionary(new arrow.Utf8(), new arrow.Int32())),
      }),
      'stream',
    );
    const badStreams: Record<string, () => FlightStream> = {
      nothing: () => ({ kind: 'ipc', chunks: fromArray([]) }),
      noSchema: () => ({
        kind: 'ipc',
        chunks: fromArray([joinIpcStream(batchOnly as Extract<IpcPiece, { kind: 'message' }>[])]),
      }),
      dictionary: () => ({ kind: 'ipc', chunks: fromArray([dictionary]) }),
      otherSchema: () => ({ kind: 'batches', batches: fromArray([batchOf(0, 5), otherBatch()]) }),
    };
    const { server, client } = await serve({
      doGet(ticket) {
        const name = new TextDecoder().decode(ticket);
        const bad = badStreams[name];
        if (bad !== undefined) return Promise.resolve(bad());
        if (name === 'fails') {
          return Promise.resolve({
            kind: 'batches',
            batches: (async function* () {
              yield batchOf(0, 10);
              await nextTurn();
              throw new Error('the disk is on fire');
            })(),
          });
        }
        const stream = fromStore(decodeTicket(ticket));
        return stream === null
          ? Promise.reject(new FlightNotFound('not held here'))
          : Promise.resolve(stream);
      },
    });
    const unknown = encodeTicket({ kind: 'map', queryId: 'q', stageId: 1, map: 0, bucket: 0 });
    expect((await failureOf(client.doGet(unknown, schema))).code).toBe('NOT_FOUND');
    const malformed = await failureOf(client.doGet(ticketOf('{"kind":"map"'), schema));
    expect(malformed.code).toBe('NOT_FOUND');
    expect(malformed.message).toMatch(/not a Kindling ticket/);
    const failing = await failureOf(client.doGet(ticketOf('fails'), schema));
    expect(failing.code).toBe('INTERNAL');
    expect(failing.message).toMatch(/the disk is on fire/);
    for (const [name, message] of [
      ['nothing', /no schema/],
      ['noSchema', /record batch before its schema/],
      ['dictionary', /dictionary-encoded columns are not served/],
      ['otherSchema', /different column types/],
    ] as const) {
      const err = await failureOf(client.doGet(ticketOf(name), schema));
      expect(err.code).toBe('INTERNAL');
      expect(err.message).toMatch(message);
    }
    // A client expecting other columns than the stream's.
    const fewer: Schema = { fields: schema.fields.slice(1) };
    const mismatch = await failureOf(client.doGet(ticketOf('fails'), fewer));
    expect(mismatch.message).toMatch(/not those expected/);

    // Bytes that are not a protobuf Ticket at all.
    const raw = new grpc.Client(server.address, grpc.credentials.createInsecure());
    try {
      const call = raw.makeServerStreamRequest(
        DO_GET_PATH,
        (b: Uint8Array) => Buffer.from(b),
        (b: Buffer) => b,
        new Uint8Array([0x0f]),
      );
      const err = await new Promise<grpc.ServiceError>((resolve) => {
        call.on('error', resolve);
        call.on('data', () => undefined);
      });
      expect(err.code).toBe(grpc.status.INVALID_ARGUMENT);
    } finally {
      raw.close();
    }
  });

  it('fail at once with UNAVAILABLE for an address no server listens on', async () => {
    const server = await startFlightServer(sourceOf({}), { host: '127.0.0.1' });
    const address = server.address;
    await server.close();
    const client = new FlightClient(address);
    clients.push(client);
    const started = Date.now();
    const err = await failureOf(client.doGet(ticketOf('x'), schema));
    expect(err.code).toBe('UNAVAILABLE');
    expect(Date.now() - started).toBeLessThan(3000);
    // And again on the same client, as fast.
    expect((await failureOf(client.doGet(ticketOf('x'), schema))).code).toBe('UNAVAILABLE');
  });

  it('give up connecting after the connect timeout, or at once when the network says no', async () => {
    // A TEST-NET-1 address: nothing answers there (or the network refuses at once).
    const client = new FlightClient('192.0.2.1:47470', { connectTimeoutMs: 500 });
    clients.push(client);
    const started = Date.now();
    expect((await failureOf(client.doGet(ticketOf('x'), schema))).code).toBe('UNAVAILABLE');
    expect(Date.now() - started).toBeLessThan(3000);
  });

  it('fail a call whose server goes away mid stream with UNAVAILABLE or CANCELLED, never hang', async () => {
    let released = false;
    const { server, client } = await serve(
      sourceOf({
        endless: () => ({
          kind: 'batches',
          batches: (async function* () {
            try {
              for (let i = 0; ; i++) {
                await nextTurn();
                yield batchOf(i * 100, 100);
              }
            } finally {
              released = true;
            }
          })(),
        }),
      }),
    );
    let read = 0;
    let failure: unknown = null;
    try {
      for await (const _ of client.doGet(ticketOf('endless'), schema)) {
        if (++read === 2) await server.close();
      }
    } catch (err) {
      failure = err;
    }
    expect(failure).toBeInstanceOf(FlightError);
    expect(['UNAVAILABLE', 'CANCELLED', 'INTERNAL']).toContain((failure as FlightError).code);
    for (let i = 0; i < 100 && !released; i++) await sleep(20);
    expect(released).toBe(true);
  });
});

describe('serving a ShuffleStore bucket', () => {
  const dirs: string[] = [];
  afterAll(() => {
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  it('sends a bucket partly on disk and partly in memory as readMapOutputBucket reads it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kindling-flight-'));
    dirs.push(dir);
    const shuffleSchema: Schema = {
      fields: [
        { name: 'k', type: { kind: 'bigint' }, nullable: true },
        { name: 's', type: { kind: 'string' }, nullable: true },
        { name: 'i', type: { kind: 'int' }, nullable: false },
      ],
    };
    const shuffleTypes = shuffleSchema.fields.map((f) => f.type);
    const input = Array.from({ length: 40 }, (_, b) => {
      const k: Value[] = [];
      const s: Value[] = [];
      const i: Value[] = [];
      for (let r = b * 500; r < (b + 1) * 500; r++) {
        k.push(r % 17 === 0 ? null : BigInt((r * 7919) % 3));
        s.push(r % 5 === 0 ? null : `row ${r} ${'x'.repeat(r % 40)}`);
        i.push(r);
      }
      return makeBatch(
        shuffleSchema,
        [
          columnFromValues(shuffleTypes[0]!, k),
          columnFromValues(shuffleTypes[1]!, s),
          columnFromValues(shuffleTypes[2]!, i),
        ],
        500,
      );
    });
    const query = new MemoryBudget(createBudget(300_000, 'kindling.memory.query_limit'));
    const process = new MemoryBudget(createBudget(UNLIMITED, 'kindling.memory.limit'));
    const pool = new TaskMemoryPool(query, process);
    const buckets = 8;
    const writer = new ShuffleWriter(
      { kind: 'exchange', exchange: 'hash', keys: [], buckets },
      [columnExpr(shuffleSchema, 0)],
      shuffleSchema,
      pool,
      join(dir, 'q1-s1-m0-a0.shuffle'),
    );
    const ctx = {
      eval: defaultEvalContext(),
      signal: new AbortController().signal,
      batchSize: 1024,
      scope: {},
      memory: pool,
    };
    for (const b of input) await writer.write(b, ctx);
    const { output, bytes, budgets } = await writer.finish();
    const store = new ShuffleStore();
    store.put('q1', 1, 0, output, { bytes, budgets });
    const both = output.buckets.findIndex((b, i) => b.length > 0 && (output.file?.index[i]?.length ?? 0) > 0);
    expect(both).toBeGreaterThanOrEqual(0);

    const fromStore = serveShuffleStore(store, (queryId, stageId) =>
      queryId === 'q1' && stageId === 1 ? shuffleSchema : undefined,
    );
    const { client } = await serve({
      doGet(ticket) {
        const stream = fromStore(decodeTicket(ticket));
        return stream === null
          ? Promise.reject(new FlightNotFound('not held here'))
          : Promise.resolve(stream);
      },
    });
    let empty = 0;
    for (let bucket = 0; bucket < buckets; bucket++) {
      const want = rowsOf(
        await collect(readMapOutputBucket(store.get('q1', 1, 0, bucket)!, shuffleSchema)),
        shuffleSchema,
      );
      const ticket = encodeTicket({ kind: 'map', queryId: 'q1', stageId: 1, map: 0, bucket });
      const got = rowsOf(await collect(client.doGet(ticket, shuffleSchema)), shuffleSchema);
      expect(got).toEqual(want);
      if (want.length === 0) empty++;
    }
    // Three key values and NULL: some buckets are empty, and are served as empty streams.
    expect(empty).toBeGreaterThan(0);
    const missing = encodeTicket({ kind: 'map', queryId: 'q1', stageId: 1, map: 5, bucket: 0 });
    expect((await failureOf(client.doGet(missing, shuffleSchema))).code).toBe('NOT_FOUND');
    store.releaseQuery('q1');
  });
});
