import * as arrow from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import { makeBatch, toArrowType } from './arrow.ts';
import type { Schema } from './types.ts';

describe('makeBatch', () => {
  it('keeps two columns of one name apart, through an Arrow IPC stream too', () => {
    // `SELECT round(2.5), round(2.5D)`: both columns are named round(2.5).
    const schema: Schema = {
      fields: [
        { name: 'round(2.5)', type: { kind: 'decimal', precision: 2, scale: 0 }, nullable: false },
        { name: 'round(2.5)', type: { kind: 'double' }, nullable: false },
      ],
    };
    const decimal = arrow.makeData({
      type: toArrowType(schema.fields[0]!.type) as arrow.Decimal,
      length: 1,
      data: new Uint32Array([3, 0, 0, 0]),
    });
    const double = arrow.makeData({ type: new arrow.Float64(), length: 1, data: new Float64Array([3]) });
    const batch = makeBatch(schema, [decimal, double], 1);
    expect(batch.schema.fields.map((f) => (f.type as arrow.DataType).typeId)).toEqual([
      arrow.Type.Decimal,
      arrow.Type.Float,
    ]);
    const bytes = arrow.RecordBatchStreamWriter.writeAll([batch]).toUint8Array(true);
    const [read] = [...arrow.RecordBatchReader.from(bytes)];
    const columns = read!.data.children;
    expect(columns.map((c) => c.type.typeId)).toEqual([arrow.Type.Decimal, arrow.Type.Float]);
    expect((columns[0]!.values as Uint32Array)[0]).toBe(3);
    expect((columns[1]!.values as Float64Array)[0]).toBe(3);
  });
});
