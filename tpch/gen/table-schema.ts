/**
 * The engine schema of each TPC-H table (from `tpch/schema.ts`), with every column NOT NULL as the
 * spec declares them, and the matching Arrow schema.
 */

import * as arrow from 'apache-arrow';
import type { DataType, Field, Schema } from '../../src/index.ts';
import { TPCH_TABLES } from '../schema.ts';
import type { TableName } from './scale.ts';

function parseType(text: string): DataType {
  const decimal = /^decimal\((\d+),\s*(\d+)\)$/.exec(text);
  if (decimal !== null) return { kind: 'decimal', precision: Number(decimal[1]), scale: Number(decimal[2]) };
  switch (text) {
    case 'bigint':
      return { kind: 'bigint' };
    case 'int':
      return { kind: 'int' };
    case 'string':
      return { kind: 'string' };
    case 'date':
      return { kind: 'date' };
    default:
      throw new RangeError(`unsupported TPC-H column type ${text}`);
  }
}

/** The engine schema of a table. */
export function tableSchema(table: TableName): Schema {
  const fields: Field[] = TPCH_TABLES[table].map((column) => {
    const space = column.indexOf(' ');
    return { name: column.slice(0, space), type: parseType(column.slice(space + 1)), nullable: false };
  });
  return { fields };
}

function arrowType(type: DataType): arrow.DataType {
  switch (type.kind) {
    case 'bigint':
      return new arrow.Int64();
    case 'int':
      return new arrow.Int32();
    case 'string':
      return new arrow.Utf8();
    case 'date':
      return new arrow.DateDay();
    case 'decimal':
      return new arrow.Decimal(type.scale, type.precision, 64);
    default:
      throw new RangeError(`unsupported TPC-H column type ${type.kind}`);
  }
}

/** The Arrow schema of a table, as the engine maps its types (src/common/arrow.ts). */
export function arrowSchema(table: TableName): arrow.Schema {
  return new arrow.Schema(
    tableSchema(table).fields.map((f) => new arrow.Field(f.name, arrowType(f.type), f.nullable)),
  );
}
