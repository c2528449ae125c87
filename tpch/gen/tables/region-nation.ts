/** The fixed tables: region (5 rows) and nation (25 rows), with grammar comments. */

import { NATIONS, REGIONS } from '../distributions.ts';
import { RandomStream } from '../random.ts';
import { comment } from '../text-pool.ts';

export function regionRows(start: number, end: number): string {
  const random = new RandomStream('r_comment');
  let out = '';
  for (let i = start; i < end; i++) {
    random.seek(i);
    out += `${i}|${REGIONS[i]!}|${comment(random, 31, 115)}|\n`;
  }
  return out;
}

export function nationRows(start: number, end: number): string {
  const random = new RandomStream('n_comment');
  let out = '';
  for (let i = start; i < end; i++) {
    const [name, region] = NATIONS[i]!;
    random.seek(i);
    out += `${i}|${name}|${region}|${comment(random, 31, 114)}|\n`;
  }
  return out;
}
