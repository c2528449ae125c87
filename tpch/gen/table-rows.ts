/**
 * Dispatch by table: how many generation units a table has (rows, or parts for partsupp, or
 * orders for lineitem) and the `.tbl` text of a unit range. A unit range depends only on the scale
 * factor and the range, so ranges can be generated anywhere in any order.
 */

import { assertNever } from './assert-never.ts';
import { ByteWriter } from './byte-writer.ts';
import type { Scale, TableName } from './scale.ts';
import { customerRows } from './tables/customer.ts';
import { lineitemRows } from './tables/lineitem.ts';
import { ordersRows } from './tables/orders.ts';
import { partRows } from './tables/part.ts';
import { partsuppRows } from './tables/partsupp.ts';
import { nationRows, regionRows } from './tables/region-nation.ts';
import { supplierRows } from './tables/supplier.ts';

/** Number of generation units of a table. */
export function unitCount(table: TableName, scale: Scale): number {
  switch (table) {
    case 'region':
      return 5;
    case 'nation':
      return 25;
    case 'supplier':
      return scale.suppliers;
    case 'customer':
      return scale.customers;
    case 'part':
    case 'partsupp':
      return scale.parts;
    case 'orders':
    case 'lineitem':
      return scale.orders;
    default:
      return assertNever(table);
  }
}

/** Units per chunk: about 0.5–1.5 MB of text. */
export function unitsPerChunk(table: TableName): number {
  switch (table) {
    case 'lineitem':
    case 'partsupp':
      return 5_000;
    default:
      return 10_000;
  }
}

/** The `.tbl` bytes of units [start, end) of a table (a fresh buffer, safe to transfer). */
export function tableRows(table: TableName, scale: Scale, start: number, end: number): Uint8Array {
  const out = new ByteWriter();
  switch (table) {
    case 'region':
      out.text(regionRows(start, end));
      break;
    case 'nation':
      out.text(nationRows(start, end));
      break;
    case 'supplier':
      out.text(supplierRows(scale, start, end));
      break;
    case 'customer':
      out.text(customerRows(scale, start, end));
      break;
    case 'part':
      out.text(partRows(scale, start, end));
      break;
    case 'partsupp':
      partsuppRows(out, scale, start, end);
      break;
    case 'orders':
      ordersRows(out, scale, start, end);
      break;
    case 'lineitem':
      lineitemRows(out, scale, start, end);
      break;
    default:
      return assertNever(table);
  }
  return out.take();
}
