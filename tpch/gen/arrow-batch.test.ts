import { describe, expect, it } from 'vitest';
import * as arrow from 'apache-arrow';
import { EPOCH_OFFSET, toRecordBatch } from './arrow-batch.ts';
import { TABLE_NAMES, scaleOf, type TableName } from './index.ts';
import { generateUnits } from './table-rows.ts';
import { arrowSchema, tableSchema } from './table-schema.ts';
import { formatTbl } from './tbl-format.ts';
import { dayOf } from './format.ts';

const scale = scaleOf(0.01);

/** The batch's value at (row, column) written as dbgen writes it. */
function text(batch: arrow.RecordBatch, row: number, column: number): string {
  const data = batch.data.children[column]!;
  const type = data.typeId;
  if (type === arrow.Type.Decimal) {
    const words = data.values as Uint32Array;
    const v = BigInt.asIntN(64, (BigInt(words[2 * row + 1]!) << 32n) | BigInt(words[2 * row]!));
    const negative = v < 0n;
    const abs = negative ? -v : v;
    const s = `${abs / 100n}.${String(abs % 100n).padStart(2, '0')}`;
    return negative ? `-${s}` : s;
  }
  if (arrow.DataType.isInt(data.type) && data.type.bitWidth === 64) {
    return String((data.values as BigInt64Array)[row]);
  }
  if (arrow.DataType.isInt(data.type)) return String((data.values as Int32Array)[row]);
  if (type === arrow.Type.Date) {
    return new Date((data.values as Int32Array)[row]! * 86_400_000).toISOString().slice(0, 10);
  }
  const offsets = data.valueOffsets as Int32Array;
  return Buffer.from((data.values as Uint8Array).subarray(offsets[row], offsets[row + 1])).toString('latin1');
}

function check(table: TableName, start: number, end: number): void {
  const chunk = generateUnits([table], scale, start, end).get(table)!;
  const batch = toRecordBatch(arrowSchema(table), chunk);
  const lines = Buffer.from(formatTbl(chunk)).toString('latin1').split('\n').slice(0, -1);
  expect(batch.numRows).toBe(lines.length);
  expect(batch.schema.fields.map((f) => f.name)).toEqual(tableSchema(table).fields.map((f) => f.name));
  const bad: string[] = [];
  lines.forEach((line, row) => {
    const fields = line.split('|').slice(0, -1);
    fields.forEach((field, column) => {
      // The .tbl writes quantities as integers; the decimal column holds them with scale 2.
      const expected = table === 'lineitem' && column === 4 ? `${field}.00` : field;
      const actual = text(batch, row, column);
      if (actual !== expected && bad.length < 5)
        bad.push(`${table} row ${row} col ${column}: ${actual} != ${expected}`);
    });
  });
  expect(bad).toEqual([]);
}

describe('chunks as Arrow record batches', () => {
  it('hold the same values as the .tbl text, in the engine representation', () => {
    for (const t of TABLE_NAMES) check(t, 0, Math.min(200, t === 'region' ? 5 : 25));
    check('lineitem', 1000, 1300);
    check('customer', 100, 400);
  });

  it('uses the engine types: Int64 keys, Decimal(15,2) in 64 bits, DateDay, Utf8; NOT NULL', () => {
    const schema = arrowSchema('lineitem');
    const typeName = (t: arrow.DataType): string => {
      if (arrow.DataType.isDecimal(t)) return `Decimal(${t.precision},${t.scale},${t.bitWidth})`;
      if (arrow.DataType.isInt(t)) return `Int${t.bitWidth}`;
      return arrow.Type[t.typeId];
    };
    expect(schema.fields.map((f) => typeName(f.type as arrow.DataType))).toEqual([
      'Int64',
      'Int64',
      'Int64',
      'Int32',
      'Decimal(15,2,64)',
      'Decimal(15,2,64)',
      'Decimal(15,2,64)',
      'Decimal(15,2,64)',
      'Utf8',
      'Utf8',
      'Date',
      'Date',
      'Date',
      'Utf8',
      'Utf8',
      'Utf8',
    ]);
    expect(schema.fields.every((f) => !f.nullable)).toBe(true);
    expect(tableSchema('orders').fields[3]).toEqual({
      name: 'o_totalprice',
      type: { kind: 'decimal', precision: 15, scale: 2 },
      nullable: false,
    });
  });

  it('counts days from 1970-01-01 and keeps negative money two’s complement', () => {
    expect(EPOCH_OFFSET + dayOf(1992, 1, 1)).toBe(8035);
    const chunk = generateUnits(['customer'], scale, 0, 1500).get('customer')!;
    const batch = toRecordBatch(arrowSchema('customer'), chunk);
    const words = batch.data.children[5]!.values as Uint32Array;
    const negative = Array.from({ length: 1500 }, (_, i) => i).find(
      (i) => chunk.columns[5]!.numbers[i]! < 0,
    )!;
    expect(negative).toBeDefined();
    expect(words[2 * negative + 1]).toBe(0xffffffff);
    expect(words[2 * negative]! - 2 ** 32).toBe(chunk.columns[5]!.numbers[negative]);
  });
});
