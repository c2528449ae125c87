/** customer: SF * 150,000 rows. */

import { SEGMENTS } from '../distributions.ts';
import { formatMoney, padded9, phone, randomAlphanumeric } from '../format.ts';
import { RandomStream } from '../random.ts';
import type { Scale } from '../scale.ts';
import { comment } from '../text-pool.ts';

const address = new RandomStream('c_address');
const nation = new RandomStream('c_nationkey');
const phones = new RandomStream('c_phone');
const balance = new RandomStream('c_acctbal');
const segment = new RandomStream('c_mktsegment');
const comments = new RandomStream('c_comment');

export function customerRows(_scale: Scale, start: number, end: number): string {
  let out = '';
  for (let i = start; i < end; i++) {
    address.seek(i);
    nation.seek(i);
    phones.seek(i);
    balance.seek(i);
    segment.seek(i);
    comments.seek(i);
    const key = i + 1;
    const nationkey = nation.int(0, 24);
    out +=
      `${key}|${padded9('Customer#', key)}|${randomAlphanumeric(address, 10, 40)}|${nationkey}|` +
      `${phone(phones, nationkey)}|${formatMoney(balance.int(-99_999, 999_999))}|` +
      `${SEGMENTS[segment.int(0, 4)]!}|${comment(comments, 29, 116)}|\n`;
  }
  return out;
}
