/** orders: SF * 1,500,000 rows with sparse keys; customers never a multiple of 3. */

import { ascii, type ByteWriter } from '../byte-writer.ts';
import { PRIORITIES } from '../distributions.ts';
import { writeDate } from '../format.ts';
import { RandomStream } from '../random.ts';
import { orderKey, orderingCustomerKey, orderingCustomers, type Scale } from '../scale.ts';
import { writeComment } from '../text-pool.ts';
import { OrderLines, fillOrder } from './order-lines.ts';

const customer = new RandomStream('o_custkey');
const priority = new RandomStream('o_orderpriority');
const clerk = new RandomStream('o_clerk');
const comments = new RandomStream('o_comment');

const PRIORITY_BYTES = PRIORITIES.map((p) => ascii(`${p}|Clerk#`));
const STATUS: Readonly<Record<string, Uint8Array>> = { F: ascii('F|'), O: ascii('O|'), P: ascii('P|') };
const ZEROS = ascii('000000000');
const SHIP_PRIORITY = ascii('|0|');

/** Rows for orders [start, end) (0-based order indexes). */
export function ordersRows(out: ByteWriter, scale: Scale, start: number, end: number): void {
  const lines = new OrderLines();
  const customers = orderingCustomers(scale.customers);
  for (let i = start; i < end; i++) {
    fillOrder(lines, scale, i);
    customer.seek(i);
    priority.seek(i);
    clerk.seek(i);
    comments.seek(i);
    out.int(orderKey(i + 1));
    out.pipe();
    out.int(orderingCustomerKey(customer.int(0, customers - 1)));
    out.pipe();
    out.bytes(STATUS[lines.status]!);
    out.money(lines.totalPriceCents);
    out.pipe();
    writeDate(out, lines.orderDate);
    out.pipe();
    out.bytes(PRIORITY_BYTES[priority.int(0, 4)]!);
    const clerkNumber = clerk.int(1, scale.clerks);
    out.bytes(ZEROS, 0, 9 - String(clerkNumber).length);
    out.int(clerkNumber);
    out.bytes(SHIP_PRIORITY);
    writeComment(out, comments, 19, 78);
    out.endLine();
  }
}
