import { describe, expect, it } from 'vitest';
import { columnFromValues, makeBatch, type DataType, type Schema } from '../common/index.ts';
import { fromWireBatch, toWireBatch, wireBatchBytes, wireBytesOf } from './arrow-transfer.ts';

describe('arrow-transfer', () => {
  it('round-trips every column layout, sliced, with NULLs, into buffers of its own', () => {
    const types: DataType[] = [
      { kind: 'int' },
      { kind: 'boolean' },
      { kind: 'string' },
      { kind: 'decimal', precision: 15, scale: 2 },
      { kind: 'decimal', precision: 30, scale: 2 },
      { kind: 'date' },
      { kind: 'array', element: { kind: 'int' }, containsNull: true },
    ];
    const schema: Schema = { fields: types.map((type, i) => ({ name: `c${i}`, type, nullable: true })) };
    const rows = [
      [1, true, 'a', 125n, 10n ** 25n, 19000, [1, null]],
      [null, null, null, null, null, null, null],
      [3, false, 'héllo', -5n, -(10n ** 25n), -1, []],
      [4, true, '', 0n, 0n, 0, [7]],
    ];
    const columns = types.map((t, c) =>
      columnFromValues(
        t,
        rows.map((r) => r[c] ?? null),
      ),
    );
    const batch = makeBatch(schema, columns, rows.length).slice(1, 4);
    const wire = toWireBatch(batch);
    // What the wire batch holds is known before it is made (a writer charges it first).
    expect(wireBytesOf(batch)).toBe(wireBatchBytes(wire));
    expect(wireBatchBytes(wire)).toBeGreaterThan(0);
    const copy = structuredClone(wire);
    const back = fromWireBatch(schema, copy);
    expect(back.numRows).toBe(3);
    expect(
      back
        .toArray()
        .map((r) => JSON.stringify(r.toJSON(), (_k, v: unknown) => (typeof v === 'bigint' ? String(v) : v))),
    ).toEqual(
      batch
        .toArray()
        .map((r) => JSON.stringify(r.toJSON(), (_k, v: unknown) => (typeof v === 'bigint' ? String(v) : v))),
    );
    // The original batch still reads: its buffers were copied, not detached.
    expect(batch.getChildAt(2)!.get(1)).toBe('héllo');
  });
});
