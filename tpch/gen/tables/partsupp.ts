/** partsupp: four rows per part (SF * 800,000), suppliers by the spec formula. */

import { CENTS, Column, INT32, INT64, STRING, tableChunk, type TableChunk } from '../column.ts';
import { RandomStream } from '../random.ts';
import { partSupplier, type Scale } from '../scale.ts';
import { writeComment } from '../text-pool.ts';

const quantity = new RandomStream('ps_availqty');
const cost = new RandomStream('ps_supplycost');
const comments = new RandomStream('ps_comment');

/** Rows for parts [start, end) (0-based part indexes). */
export function partsuppChunk(scale: Scale, start: number, end: number): TableChunk {
  const rows = 4 * (end - start);
  const partkey = new Column(INT64, rows);
  const suppkey = new Column(INT64, rows);
  const availqty = new Column(INT32, rows);
  const supplycost = new Column(CENTS, rows);
  const comment = new Column(STRING, rows, 124);
  for (let i = start; i < end; i++) {
    quantity.seek(i);
    cost.seek(i);
    comments.seek(i);
    const key = i + 1;
    for (let s = 0; s < 4; s++) {
      partkey.number(key);
      suppkey.number(partSupplier(key, s, scale.suppliers));
      availqty.int(quantity.int(1, 9999));
      supplycost.number(cost.int(100, 100_000));
      writeComment(comment.text, comments, 49, 198);
      comment.endString();
    }
  }
  return tableChunk([partkey, suppkey, availqty, supplycost, comment]);
}
