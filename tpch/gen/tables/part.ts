/** part: SF * 200,000 rows; p_name is five distinct colors, p_retailprice follows the key. */

import { ascii, type ByteWriter } from '../byte-writer.ts';
import { CENTS, Column, INT32, INT64, STRING, tableChunk, type TableChunk } from '../column.ts';
import { COLORS, CONTAINERS, PART_TYPES } from '../distributions.ts';
import { RandomStream } from '../random.ts';
import { retailPriceCents } from '../scale.ts';
import { writeComment } from '../text-pool.ts';

const names = new RandomStream('p_name');
const mfgr = new RandomStream('p_mfgr');
const brand = new RandomStream('p_brand');
const type = new RandomStream('p_type');
const size = new RandomStream('p_size');
const container = new RandomStream('p_container');
const comments = new RandomStream('p_comment');

const streams = [names, mfgr, brand, type, size, container, comments];
const picked = new Int32Array(5);

const COLOR_BYTES = COLORS.map(ascii);
const TYPE_BYTES = PART_TYPES.map(ascii);
const CONTAINER_BYTES = CONTAINERS.map(ascii);
const MANUFACTURER = ascii('Manufacturer#');
const BRAND = ascii('Brand#');
const SPACE = 0x20;
const ZERO = 0x30;

/** Five distinct color words separated by spaces. */
function writePartName(out: ByteWriter): void {
  for (let n = 0; n < 5; n++) {
    let c: number;
    let fresh: boolean;
    do {
      c = names.int(0, COLORS.length - 1);
      fresh = true;
      for (let j = 0; j < n; j++) if (picked[j] === c) fresh = false;
    } while (!fresh);
    picked[n] = c;
    if (n > 0) out.byte(SPACE);
    out.bytes(COLOR_BYTES[c]!);
  }
}

/** Rows for parts [start, end) (0-based indexes). */
export function partChunk(start: number, end: number): TableChunk {
  const rows = end - start;
  const partkey = new Column(INT64, rows);
  const name = new Column(STRING, rows, 33);
  const manufacturer = new Column(STRING, rows, 14);
  const brandColumn = new Column(STRING, rows, 8);
  const typeColumn = new Column(STRING, rows, 21);
  const sizeColumn = new Column(INT32, rows);
  const containerColumn = new Column(STRING, rows, 8);
  const retailprice = new Column(CENTS, rows);
  const comment = new Column(STRING, rows, 14);
  for (let i = start; i < end; i++) {
    for (let s = 0; s < streams.length; s++) streams[s]!.seek(i);
    const key = i + 1;
    const m = mfgr.int(1, 5);
    partkey.number(key);
    writePartName(name.text);
    name.endString();
    manufacturer.text.bytes(MANUFACTURER);
    manufacturer.text.byte(ZERO + m);
    manufacturer.endString();
    brandColumn.text.bytes(BRAND);
    brandColumn.text.byte(ZERO + m);
    brandColumn.text.byte(ZERO + brand.int(1, 5));
    brandColumn.endString();
    typeColumn.bytes(TYPE_BYTES[type.int(0, PART_TYPES.length - 1)]!);
    sizeColumn.int(size.int(1, 50));
    containerColumn.bytes(CONTAINER_BYTES[container.int(0, CONTAINERS.length - 1)]!);
    retailprice.number(retailPriceCents(key));
    writeComment(comment.text, comments, 5, 22);
    comment.endString();
  }
  return tableChunk([
    partkey,
    name,
    manufacturer,
    brandColumn,
    typeColumn,
    sizeColumn,
    containerColumn,
    retailprice,
    comment,
  ]);
}
