/**
 * Benchmark: encode 1M lineitem-shaped rows (engine representation, 16 columns) to Parquet with
 * Kindling's writer and with parquet-wasm's `writeParquet`, uncompressed and zstd.
 *
 *   npx node src/catalog/parquet/writer/bench-writer.ts [rows] [runs]
 *
 * parquet-wasm is timed with its input conversion (Arrow JS → IPC stream → wasm table), which is
 * what using it from the engine costs; the pure `writeParquet` time is printed too. parquet-wasm's
 * Arrow IPC reader does not take Decimal64, so its input holds the decimals as Decimal128 (built
 * outside the timing).
 */
import * as arrow from 'apache-arrow';
import * as pw from 'parquet-wasm/node';
import { makeBatch, schema, T, field, type Field } from '../../../common/index.ts';
import { LINEITEM_COLUMNS } from '../../tpch-lineitem.ts';
import { encodeRowGroup, type ParquetCompression } from './index.ts';

const rows = Number(process.argv[2] ?? 1_000_000);
const runs = Number(process.argv[3] ?? 3);
const enc = new TextEncoder();

function randomInt(lo: number, hi: number): number {
  return lo + Math.floor(Math.random() * (hi - lo + 1));
}

function stringColumn(n: number, pick: (i: number) => Uint8Array): arrow.Data {
  const parts: Uint8Array[] = new Array<Uint8Array>(n);
  const offsets = new Int32Array(n + 1);
  let total = 0;
  for (let i = 0; i < n; i++) {
    const p = pick(i);
    parts[i] = p;
    total += p.length;
    offsets[i + 1] = total;
  }
  const bytes = new Uint8Array(total);
  for (let i = 0; i < n; i++) bytes.set(parts[i]!, offsets[i]);
  return arrow.makeData({
    type: new arrow.Utf8(),
    length: n,
    valueOffsets: offsets,
    data: bytes,
    nullCount: 0,
  });
}

function choices(words: readonly string[]): Uint8Array[] {
  return words.map((w) => enc.encode(w));
}

export function buildLineitem(n: number): arrow.RecordBatch {
  const fields: readonly Field[] = LINEITEM_COLUMNS;
  const int64 = (f: (i: number) => number): arrow.Data => {
    const v = new BigInt64Array(n);
    for (let i = 0; i < n; i++) v[i] = BigInt(f(i));
    return arrow.makeData({ type: new arrow.Int64(), length: n, data: v, nullCount: 0 });
  };
  const decimal = (f: (i: number) => number): arrow.Data => {
    const v = new BigInt64Array(n);
    for (let i = 0; i < n; i++) v[i] = BigInt(f(i));
    return arrow.makeData({
      type: new arrow.Decimal(2, 15, 64),
      length: n,
      data: new Uint32Array(v.buffer),
      nullCount: 0,
    });
  };
  const int32 = (type: arrow.Int32 | arrow.DateDay, f: (i: number) => number): arrow.Data => {
    const v = new Int32Array(n);
    for (let i = 0; i < n; i++) v[i] = f(i);
    return arrow.makeData({ type, length: n, data: v, nullCount: 0 } as never);
  };
  const flags = choices(['R', 'A', 'N']);
  const status = choices(['O', 'F']);
  const instruct = choices(['DELIVER IN PERSON', 'COLLECT COD', 'NONE', 'TAKE BACK RETURN']);
  const modes = choices(['REG AIR', 'AIR', 'RAIL', 'SHIP', 'TRUCK', 'MAIL', 'FOB']);
  const words = choices(
    'the quick brown fox jumps over lazy dog carefully final deposits sleep furiously among ironic packages'.split(
      ' ',
    ),
  );
  const comment = (): Uint8Array => {
    const len = randomInt(10, 43);
    const out = new Uint8Array(len + 12);
    let pos = 0;
    while (pos < len) {
      const w = words[randomInt(0, words.length - 1)]!;
      out.set(w, pos);
      pos += w.length;
      out[pos++] = 32;
    }
    return out.subarray(0, len);
  };
  const ship = new Int32Array(n);
  for (let i = 0; i < n; i++) ship[i] = randomInt(8036, 10561);
  const columns = [
    int64((i) => 1 + Math.floor(i / 4)),
    int64(() => randomInt(1, 200_000)),
    int64(() => randomInt(1, 10_000)),
    int32(new arrow.Int32(), (i) => 1 + (i % 7)),
    decimal(() => randomInt(1, 50) * 100),
    decimal(() => randomInt(90_000, 10_494_950)),
    decimal(() => randomInt(0, 10)),
    decimal(() => randomInt(0, 8)),
    stringColumn(n, () => flags[randomInt(0, 2)]!),
    stringColumn(n, () => status[randomInt(0, 1)]!),
    int32(new arrow.DateDay(), (i) => ship[i]!),
    int32(new arrow.DateDay(), (i) => ship[i]! + randomInt(-60, 60)),
    int32(new arrow.DateDay(), (i) => ship[i]! + randomInt(1, 30)),
    stringColumn(n, () => instruct[randomInt(0, 3)]!),
    stringColumn(n, () => modes[randomInt(0, 6)]!),
    stringColumn(n, comment),
  ];
  return makeBatch(schema(fields), columns, n);
}

/** The same data with Decimal128 decimals, for parquet-wasm. */
function forParquetWasm(batch: arrow.RecordBatch): arrow.Table {
  const cols = batch.data.children.map((c) => {
    if (!arrow.DataType.isDecimal(c.type)) return c;
    const src = new BigInt64Array(
      (c.values as Uint32Array).buffer,
      (c.values as Uint32Array).byteOffset,
      c.length,
    );
    const out = new BigInt64Array(2 * c.length);
    for (let i = 0; i < c.length; i++) {
      out[2 * i] = src[i]!;
      out[2 * i + 1] = src[i]! < 0n ? -1n : 0n;
    }
    return arrow.makeData({
      type: new arrow.Decimal(c.type.scale, c.type.precision, 128),
      length: c.length,
      data: new Uint32Array(out.buffer),
      nullCount: 0,
    });
  });
  const fields = cols.map((c, i) => new arrow.Field(batch.schema.fields[i]!.name, c.type, true));
  const s = new arrow.Schema(fields);
  const data = arrow.makeData({
    type: new arrow.Struct(fields),
    length: batch.numRows,
    nullCount: 0,
    children: cols,
  });
  return new arrow.Table([new arrow.RecordBatch(s, data)]);
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

/** Median wall time and median CPU time of this thread's process (the machine is shared: CPU time is steadier). */
function time(label: string, f: () => number): void {
  const wall: number[] = [];
  const cpu: number[] = [];
  let size = 0;
  f(); // warm-up
  for (let r = 0; r < runs; r++) {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    size = f();
    wall.push(performance.now() - t0);
    const c = process.cpuUsage(c0);
    cpu.push((c.user + c.system) / 1000);
  }
  console.log(
    `${label.padEnd(46)} ${median(wall).toFixed(0).padStart(6)} ms wall ${median(cpu).toFixed(0).padStart(6)} ms cpu ${(size / 1e6).toFixed(1).padStart(6)} MB`,
  );
}

function main(): void {
  const t0 = performance.now();
  const batch = buildLineitem(rows);
  const wasmTable = forParquetWasm(batch);
  console.log(
    `built ${rows} lineitem rows in ${(performance.now() - t0).toFixed(0)} ms; median of ${runs} runs:`,
  );

  const engineSchema = schema(LINEITEM_COLUMNS.map((f) => field(f.name, f.type, f.nullable)));
  void T;
  for (const compression of ['none', 'zstd', 'gzip'] as const satisfies readonly ParquetCompression[]) {
    time(
      `kindling encodeRowGroup (${compression})`,
      () => encodeRowGroup(engineSchema, [batch], { compression }).bytes.length,
    );
  }
  for (const [name, codec] of [
    ['UNCOMPRESSED', pw.Compression.UNCOMPRESSED],
    ['SNAPPY', pw.Compression.SNAPPY],
    ['ZSTD', pw.Compression.ZSTD],
  ] as const) {
    const props = (): pw.WriterProperties =>
      new pw.WriterPropertiesBuilder()
        .setCompression(codec)
        .setMaxRowGroupSize(1 << 20)
        .build();
    time(`parquet-wasm writeParquet incl. IPC (${name})`, () => {
      const ipc = arrow.tableToIPC(wasmTable, 'stream');
      return pw.writeParquet(pw.Table.fromIPCStream(ipc), props()).length;
    });
    const ipc = arrow.tableToIPC(wasmTable, 'stream');
    time(
      `parquet-wasm writeParquet only (${name})`,
      () => pw.writeParquet(pw.Table.fromIPCStream(ipc), props()).length,
    );
  }
}

if (import.meta.main) main();
