/**
 * supplier: SF * 10,000 rows. SF * 5 comments hold `Customer … Complaints` and SF * 5 hold
 * `Customer … Recommends` (spec 4.2.3; chosen as dbgen does, with probability 10 in 10,000).
 */

import { ascii, type ByteWriter } from '../byte-writer.ts';
import { CENTS, Column, INT64, STRING, tableChunk, type TableChunk } from '../column.ts';
import { writeAlphanumeric, writePhone } from '../format.ts';
import { RandomStream } from '../random.ts';
import { writeComment } from '../text-pool.ts';

const address = new RandomStream('s_address');
const nation = new RandomStream('s_nationkey');
const phones = new RandomStream('s_phone');
const balance = new RandomStream('s_acctbal');
const comments = new RandomStream('s_comment');
const press = new RandomStream('s_comment.bbb');

const NAME = ascii('Supplier#');
const CUSTOMER = ascii('Customer ');
const COMPLAINTS = ascii('Complaints');
const RECOMMENDS = ascii('Recommends');

/**
 * Overwrites part of the comment at [start, end) of `out` with `Customer <…> Complaints|Recommends`,
 * keeping its length.
 */
function addPress(out: ByteWriter, start: number, end: number, random: RandomStream): void {
  const verdict = random.int(1, 10_000);
  if (verdict > 10) return;
  const word = verdict <= 5 ? COMPLAINTS : RECOMMENDS;
  const length = end - start;
  const first = random.int(0, length - 19);
  const second = random.int(first + 9, length - 10);
  out.view.set(CUSTOMER, start + first);
  out.view.set(word, start + second);
}

/** Rows for suppliers [start, end) (0-based indexes). */
export function supplierChunk(start: number, end: number): TableChunk {
  const rows = end - start;
  const suppkey = new Column(INT64, rows);
  const name = new Column(STRING, rows, 18);
  const addressColumn = new Column(STRING, rows, 25);
  const nationkey = new Column(INT64, rows);
  const phone = new Column(STRING, rows, 15);
  const acctbal = new Column(CENTS, rows);
  const comment = new Column(STRING, rows, 63);
  for (let i = start; i < end; i++) {
    address.seek(i);
    nation.seek(i);
    phones.seek(i);
    balance.seek(i);
    comments.seek(i);
    press.seek(i);
    const key = i + 1;
    const n = nation.int(0, 24);
    suppkey.number(key);
    name.text.bytes(NAME);
    name.text.padded(key, 9);
    name.endString();
    writeAlphanumeric(addressColumn.text, address, 10, 40);
    addressColumn.endString();
    nationkey.number(n);
    writePhone(phone.text, phones, n);
    phone.endString();
    acctbal.number(balance.int(-99_999, 999_999));
    const begin = comment.text.length;
    writeComment(comment.text, comments, 25, 100);
    addPress(comment.text, begin, comment.text.length, press);
    comment.endString();
  }
  return tableChunk([suppkey, name, addressColumn, nationkey, phone, acctbal, comment]);
}
