/** partsupp: four rows per part (SF * 800,000), suppliers by the spec formula. */

import type { ByteWriter } from '../byte-writer.ts';
import { RandomStream } from '../random.ts';
import { partSupplier, type Scale } from '../scale.ts';
import { writeComment } from '../text-pool.ts';

const quantity = new RandomStream('ps_availqty');
const cost = new RandomStream('ps_supplycost');
const comments = new RandomStream('ps_comment');

/** Rows for parts [start, end) (0-based part indexes). */
export function partsuppRows(out: ByteWriter, scale: Scale, start: number, end: number): void {
  for (let i = start; i < end; i++) {
    quantity.seek(i);
    cost.seek(i);
    comments.seek(i);
    const partkey = i + 1;
    for (let s = 0; s < 4; s++) {
      out.int(partkey);
      out.pipe();
      out.int(partSupplier(partkey, s, scale.suppliers));
      out.pipe();
      out.int(quantity.int(1, 9999));
      out.pipe();
      out.money(cost.int(100, 100_000));
      out.pipe();
      writeComment(out, comments, 49, 198);
      out.endLine();
    }
  }
}
