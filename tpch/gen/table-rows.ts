/**
 * Dispatch by table: how many generation units a table has (rows, or parts for partsupp, or
 * orders for orders and lineitem), the columns of a unit range, and its `.tbl` text. A unit range
 * depends only on the scale factor and the range, so ranges can be generated anywhere in any
 * order.
 */

import { assertNever } from './assert-never.ts';
import type { TableChunk } from './column.ts';
import type { Scale, TableName } from './scale.ts';
import { formatTbl } from './tbl-format.ts';
import { customerChunk } from './tables/customer.ts';
import { orderChunks } from './tables/orders-lineitem.ts';
import { partChunk } from './tables/part.ts';
import { partsuppChunk } from './tables/partsupp.ts';
import { nationChunk, regionChunk } from './tables/region-nation.ts';
import { supplierChunk } from './tables/supplier.ts';

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

/**
 * The columns of units [start, end) of each table asked for. `orders` and `lineitem` share their
 * units and are generated together when both are asked for; the others must come alone.
 */
export function generateUnits(
  tables: readonly TableName[],
  scale: Scale,
  start: number,
  end: number,
): Map<TableName, TableChunk> {
  const out = new Map<TableName, TableChunk>();
  const first = tables[0];
  if (first === undefined) return out;
  if (first === 'orders' || first === 'lineitem') {
    const both = orderChunks(scale, start, end, tables.includes('orders'), tables.includes('lineitem'));
    if (both.orders !== undefined) out.set('orders', both.orders);
    if (both.lineitem !== undefined) out.set('lineitem', both.lineitem);
    return out;
  }
  if (tables.length > 1) throw new RangeError(`only orders and lineitem are generated together`);
  out.set(first, singleTable(first, scale, start, end));
  return out;
}

function singleTable(table: TableName, scale: Scale, start: number, end: number): TableChunk {
  switch (table) {
    case 'region':
      return regionChunk(start, end);
    case 'nation':
      return nationChunk(start, end);
    case 'supplier':
      return supplierChunk(start, end);
    case 'customer':
      return customerChunk(start, end);
    case 'part':
      return partChunk(start, end);
    case 'partsupp':
      return partsuppChunk(scale, start, end);
    case 'orders':
    case 'lineitem':
      return orderChunks(scale, start, end, table === 'orders', table === 'lineitem')[table]!;
    default:
      return assertNever(table);
  }
}

/** The `.tbl` bytes of units [start, end) of a table (a fresh buffer, safe to transfer). */
export function tableRows(table: TableName, scale: Scale, start: number, end: number): Uint8Array {
  return formatTbl(singleTable(table, scale, start, end));
}
