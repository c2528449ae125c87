/** The fixed tables: region (5 rows) and nation (25 rows), with grammar comments. */

import { ascii } from '../byte-writer.ts';
import { Column, INT64, STRING, tableChunk, type TableChunk } from '../column.ts';
import { NATIONS, REGIONS } from '../distributions.ts';
import { RandomStream } from '../random.ts';
import { writeComment } from '../text-pool.ts';

export function regionChunk(start: number, end: number): TableChunk {
  const random = new RandomStream('r_comment');
  const key = new Column(INT64, end - start);
  const name = new Column(STRING, end - start, 8);
  const comment = new Column(STRING, end - start, 73);
  for (let i = start; i < end; i++) {
    random.seek(i);
    key.number(i);
    name.bytes(ascii(REGIONS[i]!));
    writeComment(comment.text, random, 31, 115);
    comment.endString();
  }
  return tableChunk([key, name, comment]);
}

export function nationChunk(start: number, end: number): TableChunk {
  const random = new RandomStream('n_comment');
  const key = new Column(INT64, end - start);
  const name = new Column(STRING, end - start, 8);
  const region = new Column(INT64, end - start);
  const comment = new Column(STRING, end - start, 73);
  for (let i = start; i < end; i++) {
    const [nationName, regionkey] = NATIONS[i]!;
    random.seek(i);
    key.number(i);
    name.bytes(ascii(nationName));
    region.number(regionkey);
    writeComment(comment.text, random, 31, 114);
    comment.endString();
  }
  return tableChunk([key, name, region, comment]);
}
