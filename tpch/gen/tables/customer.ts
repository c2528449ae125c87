/** customer: SF * 150,000 rows. */

import { ascii } from '../byte-writer.ts';
import { CENTS, Column, INT64, STRING, tableChunk, type TableChunk } from '../column.ts';
import { SEGMENTS } from '../distributions.ts';
import { writeAlphanumeric, writePhone } from '../format.ts';
import { RandomStream } from '../random.ts';
import { writeComment } from '../text-pool.ts';

const address = new RandomStream('c_address');
const nation = new RandomStream('c_nationkey');
const phones = new RandomStream('c_phone');
const balance = new RandomStream('c_acctbal');
const segment = new RandomStream('c_mktsegment');
const comments = new RandomStream('c_comment');

const NAME = ascii('Customer#');
const SEGMENT_BYTES = SEGMENTS.map(ascii);

/** Rows for customers [start, end) (0-based indexes). */
export function customerChunk(start: number, end: number): TableChunk {
  const rows = end - start;
  const custkey = new Column(INT64, rows);
  const name = new Column(STRING, rows, 18);
  const addressColumn = new Column(STRING, rows, 25);
  const nationkey = new Column(INT64, rows);
  const phone = new Column(STRING, rows, 15);
  const acctbal = new Column(CENTS, rows);
  const mktsegment = new Column(STRING, rows, 10);
  const comment = new Column(STRING, rows, 73);
  for (let i = start; i < end; i++) {
    address.seek(i);
    nation.seek(i);
    phones.seek(i);
    balance.seek(i);
    segment.seek(i);
    comments.seek(i);
    const key = i + 1;
    const n = nation.int(0, 24);
    custkey.number(key);
    name.text.bytes(NAME);
    name.text.padded(key, 9);
    name.endString();
    writeAlphanumeric(addressColumn.text, address, 10, 40);
    addressColumn.endString();
    nationkey.number(n);
    writePhone(phone.text, phones, n);
    phone.endString();
    acctbal.number(balance.int(-99_999, 999_999));
    mktsegment.bytes(SEGMENT_BYTES[segment.int(0, 4)]!);
    writeComment(comment.text, comments, 29, 116);
    comment.endString();
  }
  return tableChunk([custkey, name, addressColumn, nationkey, phone, acctbal, mktsegment, comment]);
}
