/**
 * Throughput of the Flight data plane over loopback: a server in a child process serves 200 MB
 * of 64K-row batches (bigint, double and string columns), the client in this process reads them
 * as batches of the engine's schema; prints MB/s of batch bytes received, for batches encoded by
 * the server and for IPC bytes passed through (as map output files are served).
 *
 *   npx node src/exec/remote/flight/flight-bench.ts [megabytes]
 */
import * as arrow from 'apache-arrow';
import { fork } from 'node:child_process';
import { IpcChunkSink, columnFromValues, makeBatch, type Schema } from '../../../common/index.ts';
import { FlightClient } from './flight-client.ts';
import { startFlightServer } from './flight-server.ts';

const ROWS = 64 * 1024;
const schema: Schema = {
  fields: [
    { name: 'id', type: { kind: 'bigint' }, nullable: false },
    { name: 'price', type: { kind: 'double' }, nullable: true },
    { name: 'name', type: { kind: 'string' }, nullable: true },
  ],
};

function batchBytes(b: arrow.RecordBatch): number {
  let n = 0;
  for (const c of b.data.children) n += c.byteLength;
  return n;
}

function sampleBatch(): arrow.RecordBatch {
  const ids: bigint[] = [];
  const prices: (number | null)[] = [];
  const names: (string | null)[] = [];
  for (let i = 0; i < ROWS; i++) {
    ids.push(BigInt(i));
    prices.push(i % 10 === 0 ? null : i * 1.25);
    names.push(i % 13 === 0 ? null : `customer#${String(i).padStart(9, '0')}`);
  }
  const [a, b, c] = schema.fields.map((f) => f.type);
  return makeBatch(
    schema,
    [columnFromValues(a!, ids), columnFromValues(b!, prices), columnFromValues(c!, names)],
    ROWS,
  );
}

async function serve(megabytes: number): Promise<void> {
  const batch = sampleBatch();
  const count = Math.ceil((megabytes * 1e6) / batchBytes(batch));
  const sink = new IpcChunkSink();
  const writer = new arrow.RecordBatchStreamWriter();
  writer.reset(sink);
  writer.write(batch);
  writer.finish();
  const oneStream = Buffer.concat(sink.take());
  const server = await startFlightServer(
    {
      doGet(ticket) {
        if (new TextDecoder().decode(ticket) === 'ipc') {
          return Promise.resolve({
            kind: 'ipc',
            chunks: (async function* () {
              for (let i = 0; i < count; i++) yield await Promise.resolve(oneStream);
            })(),
          });
        }
        return Promise.resolve({
          kind: 'batches',
          batches: (async function* () {
            for (let i = 0; i < count; i++) yield await Promise.resolve(batch);
          })(),
        });
      },
    },
    { host: '127.0.0.1', port: 0 },
  );
  process.send!(server.address);
  process.once('message', () => void server.close().then(() => process.exit(0)));
}

async function measure(client: FlightClient, kind: string): Promise<void> {
  const started = performance.now();
  let bytes = 0;
  let rows = 0;
  for await (const b of client.doGet(new TextEncoder().encode(kind), schema)) {
    bytes += batchBytes(b);
    rows += b.numRows;
  }
  const seconds = (performance.now() - started) / 1000;
  console.log(
    `${kind.padEnd(8)} ${(bytes / 1e6).toFixed(0)} MB, ${rows} rows in ${seconds.toFixed(2)} s: ` +
      `${(bytes / 1e6 / seconds).toFixed(0)} MB/s, ${(rows / 1e6 / seconds).toFixed(1)} M rows/s`,
  );
}

const megabytes = Number(process.argv[3] === undefined ? (process.argv[2] ?? 200) : process.argv[3]);
if (process.argv[2] === '--serve') {
  await serve(megabytes);
} else {
  const child = fork(import.meta.filename, ['--serve', String(megabytes)]);
  const address = await new Promise<string>((resolve) => child.once('message', (m) => resolve(m as string)));
  const client = new FlightClient(address);
  try {
    for (let round = 0; round < 3; round++) {
      await measure(client, 'batches');
      await measure(client, 'ipc');
    }
  } finally {
    client.close();
    child.send('stop');
  }
}
