/**
 * supplier: SF * 10,000 rows. SF * 5 comments hold `Customer … Complaints` and SF * 5 hold
 * `Customer … Recommends` (spec 4.2.3; chosen as dbgen does, with probability 10 in 10,000).
 */

import { formatMoney, padded9, phone, randomAlphanumeric } from '../format.ts';
import { RandomStream } from '../random.ts';
import type { Scale } from '../scale.ts';
import { comment } from '../text-pool.ts';

const address = new RandomStream('s_address');
const nation = new RandomStream('s_nationkey');
const phones = new RandomStream('s_phone');
const balance = new RandomStream('s_acctbal');
const comments = new RandomStream('s_comment');
const press = new RandomStream('s_comment.bbb');

/** Overwrites part of a comment with `Customer <…> Complaints|Recommends`, keeping its length. */
function withPress(text: string, random: RandomStream): string {
  const verdict = random.int(1, 10_000);
  if (verdict > 10) return text;
  const word = verdict <= 5 ? 'Complaints' : 'Recommends';
  const first = random.int(0, text.length - 19);
  const second = random.int(first + 9, text.length - 10);
  return text.slice(0, first) + 'Customer ' + text.slice(first + 9, second) + word + text.slice(second + 10);
}

export function supplierRows(_scale: Scale, start: number, end: number): string {
  let out = '';
  for (let i = start; i < end; i++) {
    address.seek(i);
    nation.seek(i);
    phones.seek(i);
    balance.seek(i);
    comments.seek(i);
    press.seek(i);
    const key = i + 1;
    const nationkey = nation.int(0, 24);
    out +=
      `${key}|${padded9('Supplier#', key)}|${randomAlphanumeric(address, 10, 40)}|${nationkey}|` +
      `${phone(phones, nationkey)}|${formatMoney(balance.int(-99_999, 999_999))}|` +
      `${withPress(comment(comments, 25, 100), press)}|\n`;
  }
  return out;
}
