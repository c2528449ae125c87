/**
 * orders (SF * 1,500,000 rows, sparse keys, customers never a multiple of 3) and lineitem (1..7
 * rows per order, about SF * 6,000,000) in one pass: each order's derived values (date, lines,
 * status, total) are computed once and feed both tables.
 */

import { ascii } from '../byte-writer.ts';
import { CENTS, Column, DAY, INT32, INT64, STRING, WHOLE, tableChunk, type TableChunk } from '../column.ts';
import { PRIORITIES, SHIP_INSTRUCTIONS, SHIP_MODES } from '../distributions.ts';
import { RandomStream } from '../random.ts';
import { orderKey, orderingCustomerKey, orderingCustomers, type Scale } from '../scale.ts';
import { writeComment } from '../text-pool.ts';
import { OrderLines, fillOrder } from './order-lines.ts';

const customer = new RandomStream('o_custkey');
const priority = new RandomStream('o_orderpriority');
const clerk = new RandomStream('o_clerk');
const orderComments = new RandomStream('o_comment');
const instruction = new RandomStream('l_shipinstruct');
const mode = new RandomStream('l_shipmode');
const lineComments = new RandomStream('l_comment');

const PRIORITY_BYTES = PRIORITIES.map(ascii);
const INSTRUCTIONS = SHIP_INSTRUCTIONS.map(ascii);
const MODES = SHIP_MODES.map(ascii);
const CLERK = ascii('Clerk#');

export interface OrderChunks {
  readonly orders?: TableChunk;
  readonly lineitem?: TableChunk;
}

class OrdersColumns {
  readonly orderkey: Column;
  readonly custkey: Column;
  readonly status: Column;
  readonly totalprice: Column;
  readonly orderdate: Column;
  readonly priority: Column;
  readonly clerk: Column;
  readonly shippriority: Column;
  readonly comment: Column;

  constructor(rows: number) {
    this.orderkey = new Column(INT64, rows);
    this.custkey = new Column(INT64, rows);
    this.status = new Column(STRING, rows, 1);
    this.totalprice = new Column(CENTS, rows);
    this.orderdate = new Column(DAY, rows);
    this.priority = new Column(STRING, rows, 9);
    this.clerk = new Column(STRING, rows, 15);
    this.shippriority = new Column(INT32, rows);
    this.comment = new Column(STRING, rows, 49);
  }

  chunk(): TableChunk {
    return tableChunk([
      this.orderkey,
      this.custkey,
      this.status,
      this.totalprice,
      this.orderdate,
      this.priority,
      this.clerk,
      this.shippriority,
      this.comment,
    ]);
  }
}

class LineitemColumns {
  readonly orderkey: Column;
  readonly partkey: Column;
  readonly suppkey: Column;
  readonly linenumber: Column;
  readonly quantity: Column;
  readonly price: Column;
  readonly discount: Column;
  readonly tax: Column;
  readonly returnflag: Column;
  readonly linestatus: Column;
  readonly shipdate: Column;
  readonly commitdate: Column;
  readonly receiptdate: Column;
  readonly instruct: Column;
  readonly mode: Column;
  readonly comment: Column;

  constructor(rows: number) {
    this.orderkey = new Column(INT64, rows);
    this.partkey = new Column(INT64, rows);
    this.suppkey = new Column(INT64, rows);
    this.linenumber = new Column(INT32, rows);
    this.quantity = new Column(WHOLE, rows);
    this.price = new Column(CENTS, rows);
    this.discount = new Column(CENTS, rows);
    this.tax = new Column(CENTS, rows);
    this.returnflag = new Column(STRING, rows, 1);
    this.linestatus = new Column(STRING, rows, 1);
    this.shipdate = new Column(DAY, rows);
    this.commitdate = new Column(DAY, rows);
    this.receiptdate = new Column(DAY, rows);
    this.instruct = new Column(STRING, rows, 12);
    this.mode = new Column(STRING, rows, 5);
    this.comment = new Column(STRING, rows, 27);
  }

  chunk(): TableChunk {
    return tableChunk([
      this.orderkey,
      this.partkey,
      this.suppkey,
      this.linenumber,
      this.quantity,
      this.price,
      this.discount,
      this.tax,
      this.returnflag,
      this.linestatus,
      this.shipdate,
      this.commitdate,
      this.receiptdate,
      this.instruct,
      this.mode,
      this.comment,
    ]);
  }
}

/** The rows of orders [start, end) (0-based order indexes) of the tables asked for. */
export function orderChunks(
  scale: Scale,
  start: number,
  end: number,
  wantOrders: boolean,
  wantLineitem: boolean,
): OrderChunks {
  const count = end - start;
  const o = wantOrders ? new OrdersColumns(count) : undefined;
  // 4 lines per order on average; the columns grow if a chunk needs more.
  const l = wantLineitem ? new LineitemColumns(Math.ceil(count * 4.1) + 64) : undefined;
  const lines = new OrderLines();
  const customers = orderingCustomers(scale.customers);
  for (let i = start; i < end; i++) {
    fillOrder(lines, scale, i);
    const key = orderKey(i + 1);
    if (o !== undefined) writeOrder(o, lines, scale, customers, i, key);
    if (l !== undefined) writeLines(l, lines, i, key);
  }
  return {
    ...(o === undefined ? {} : { orders: o.chunk() }),
    ...(l === undefined ? {} : { lineitem: l.chunk() }),
  };
}

function writeOrder(
  o: OrdersColumns,
  lines: OrderLines,
  scale: Scale,
  customers: number,
  i: number,
  key: number,
): void {
  customer.seek(i);
  priority.seek(i);
  clerk.seek(i);
  orderComments.seek(i);
  o.orderkey.number(key);
  o.custkey.number(orderingCustomerKey(customer.int(0, customers - 1)));
  o.status.text.byte(lines.status);
  o.status.endString();
  o.totalprice.number(lines.totalPriceCents);
  o.orderdate.int(lines.orderDate);
  o.priority.bytes(PRIORITY_BYTES[priority.int(0, 4)]!);
  o.clerk.text.bytes(CLERK);
  o.clerk.text.padded(clerk.int(1, scale.clerks), 9);
  o.clerk.endString();
  o.shippriority.int(0);
  writeComment(o.comment.text, orderComments, 19, 78);
  o.comment.endString();
}

function writeLines(l: LineitemColumns, lines: OrderLines, i: number, key: number): void {
  instruction.seek(i);
  mode.seek(i);
  lineComments.seek(i);
  for (let j = 0; j < lines.count; j++) {
    l.orderkey.number(key);
    l.partkey.number(lines.partkey[j]!);
    l.suppkey.number(lines.suppkey[j]!);
    l.linenumber.int(j + 1);
    l.quantity.number(lines.quantity[j]!);
    l.price.number(lines.extendedPriceCents[j]!);
    l.discount.number(lines.discount[j]!);
    l.tax.number(lines.tax[j]!);
    l.returnflag.text.byte(lines.returnFlag[j]!);
    l.returnflag.endString();
    l.linestatus.text.byte(lines.lineStatus[j]!);
    l.linestatus.endString();
    l.shipdate.int(lines.shipDate[j]!);
    l.commitdate.int(lines.commitDate[j]!);
    l.receiptdate.int(lines.receiptDate[j]!);
    l.instruct.bytes(INSTRUCTIONS[instruction.int(0, 3)]!);
    l.mode.bytes(MODES[mode.int(0, 6)]!);
    writeComment(l.comment.text, lineComments, 10, 43);
    l.comment.endString();
  }
}
