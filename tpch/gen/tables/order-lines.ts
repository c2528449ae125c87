/**
 * The numeric part of an order and its line items, shared by the orders and lineitem tables so
 * that both derive the same values from the same streams (spec 4.2.3):
 *
 * - o_orderdate uniform in [1992-01-01, 1998-08-02]; 1..7 lines per order;
 * - l_partkey uniform over parts, l_suppkey one of its four partsupp suppliers;
 * - l_quantity 1..50, l_discount 0.00..0.10, l_tax 0.00..0.08;
 * - l_extendedprice = quantity * p_retailprice;
 * - l_shipdate = orderdate + 1..121, l_commitdate = orderdate + 30..90,
 *   l_receiptdate = shipdate + 1..30;
 * - l_returnflag R or A if receiptdate <= 1995-06-17 else N; l_linestatus O if shipdate is after
 *   1995-06-17 else F;
 * - o_orderstatus F if all lines are F, O if all are O, else P;
 * - o_totalprice = sum of extendedprice * (1 + tax) * (1 - discount), rounded to cents.
 *
 * Money is in integer cents throughout.
 */

import { CURRENT_DAY, LAST_ORDER_DAY, START_DAY } from '../format.ts';
import { RandomStream } from '../random.ts';
import { partSupplier, retailPriceCents, type Scale } from '../scale.ts';

export const MAX_LINES = 7;

const F = 0x46;
const O = 0x4f;
const P = 0x50;
const R = 0x52;
const A = 0x41;
const N = 0x4e;

const orderDate = new RandomStream('o_orderdate');
const lineCount = new RandomStream('o_linecount');
const partKey = new RandomStream('l_partkey');
const suppIndex = new RandomStream('l_suppkey');
const quantity = new RandomStream('l_quantity');
const discount = new RandomStream('l_discount');
const tax = new RandomStream('l_tax');
const shipDate = new RandomStream('l_shipdate');
const commitDate = new RandomStream('l_commitdate');
const receiptDate = new RandomStream('l_receiptdate');
const returnFlag = new RandomStream('l_returnflag');

/** One order's derived values, refilled in place by `fill` (no allocation per order). */
export class OrderLines {
  orderDate = 0;
  count = 0;
  /** Char code of 'F', 'O' or 'P'. */
  status = O;
  totalPriceCents = 0;
  readonly partkey = new Float64Array(MAX_LINES);
  readonly suppkey = new Float64Array(MAX_LINES);
  readonly quantity = new Int32Array(MAX_LINES);
  readonly extendedPriceCents = new Float64Array(MAX_LINES);
  /** Hundredths: 0..10. */
  readonly discount = new Int32Array(MAX_LINES);
  /** Hundredths: 0..8. */
  readonly tax = new Int32Array(MAX_LINES);
  readonly shipDate = new Int32Array(MAX_LINES);
  readonly commitDate = new Int32Array(MAX_LINES);
  readonly receiptDate = new Int32Array(MAX_LINES);
  /** Char codes of 'R', 'A' or 'N'. */
  readonly returnFlag = new Uint8Array(MAX_LINES);
  /** Char codes of 'O' or 'F'. */
  readonly lineStatus = new Uint8Array(MAX_LINES);
}

/** Fills `lines` with the values of the order at 0-based index `index`. */
export function fillOrder(lines: OrderLines, scale: Scale, index: number): void {
  for (let s = 0; s < STREAMS.length; s++) STREAMS[s]!.seek(index);
  const date = orderDate.int(START_DAY, LAST_ORDER_DAY);
  const count = lineCount.int(1, MAX_LINES);
  lines.orderDate = date;
  lines.count = count;
  let open = 0;
  // Sum of extendedprice * (100 + tax) * (100 - discount): exact below 2^53 for 7 lines.
  let total = 0;
  for (let j = 0; j < count; j++) {
    const part = partKey.int(1, scale.parts);
    const q = quantity.int(1, 50);
    const d = discount.int(0, 10);
    const t = tax.int(0, 8);
    const ship = date + shipDate.int(1, 121);
    const receipt = ship + receiptDate.int(1, 30);
    const price = q * retailPriceCents(part);
    lines.partkey[j] = part;
    lines.suppkey[j] = partSupplier(part, suppIndex.int(0, 3), scale.suppliers);
    lines.quantity[j] = q;
    lines.extendedPriceCents[j] = price;
    lines.discount[j] = d;
    lines.tax[j] = t;
    lines.shipDate[j] = ship;
    lines.commitDate[j] = date + commitDate.int(30, 90);
    lines.receiptDate[j] = receipt;
    const flag = returnFlag.int(0, 1);
    lines.returnFlag[j] = receipt <= CURRENT_DAY ? (flag === 0 ? R : A) : N;
    if (ship > CURRENT_DAY) {
      lines.lineStatus[j] = O;
      open++;
    } else {
      lines.lineStatus[j] = F;
    }
    total += price * (100 + t) * (100 - d);
  }
  lines.status = open === count ? O : open === 0 ? F : P;
  lines.totalPriceCents = Math.floor((total + 5000) / 10_000);
}

const STREAMS = [
  orderDate,
  lineCount,
  partKey,
  suppIndex,
  quantity,
  discount,
  tax,
  shipDate,
  commitDate,
  receiptDate,
  returnFlag,
];
