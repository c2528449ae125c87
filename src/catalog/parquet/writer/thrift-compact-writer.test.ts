/** Exact bytes of the Thrift compact protocol encoder. */
import { describe, expect, it } from 'vitest';
import { CompactType, ThriftCompactWriter } from './thrift-compact-writer.ts';

describe('ThriftCompactWriter', () => {
  it('writes delta field headers, zigzag varints and stop bytes', () => {
    const w = new ThriftCompactWriter(2);
    w.i32Field(1, 0);
    w.i32Field(2, -1);
    w.i64Field(3, 300);
    w.i64Field(20, -(2n ** 63n)); // long delta: type byte then zigzag field id
    w.stop();
    expect([...w.finish()]).toEqual([
      0x15, 0x00, 0x15, 0x01, 0x16, 0xd8, 0x04, 0x06, 0x28, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
      0xff, 0x01, 0x00,
    ]);
  });

  it('writes booleans in the header, nested structs and lists', () => {
    const w = new ThriftCompactWriter();
    w.boolField(1, true);
    w.beginStruct(3);
    w.boolField(1, false);
    w.endStruct();
    w.stringField(4, 'ab');
    w.listHeader(5, CompactType.i32, 2);
    w.i32Element(1);
    w.i32Element(-2);
    w.listHeader(6, CompactType.binary, 15);
    for (let i = 0; i < 15; i++) w.binaryElement(new Uint8Array(0));
    w.stop();
    expect([...w.finish()]).toEqual([
      0x11,
      0x2c,
      0x12,
      0x00,
      0x18,
      0x02,
      0x61,
      0x62,
      0x19,
      0x25,
      0x02,
      0x03,
      0x19,
      0xf8,
      0x0f,
      ...new Array<number>(15).fill(0),
      0x00,
    ]);
  });
});
