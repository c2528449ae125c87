/**
 * Cardinalities and key rules of TPC-H (spec 4.2.3, 4.2.5): table sizes for a scale factor, the
 * sparse order keys, the partsupp supplier formula, the part retail price, and the customer keys
 * that may place orders (never a multiple of 3).
 */

export const TABLE_NAMES = [
  'region',
  'nation',
  'supplier',
  'customer',
  'part',
  'partsupp',
  'orders',
  'lineitem',
] as const;

export type TableName = (typeof TABLE_NAMES)[number];

export interface Scale {
  readonly sf: number;
  readonly suppliers: number;
  readonly customers: number;
  readonly parts: number;
  readonly orders: number;
  /** Clerk numbers are drawn from [1, clerks]. */
  readonly clerks: number;
}

export function scaleOf(sf: number): Scale {
  if (!(sf > 0) || !Number.isFinite(sf)) throw new RangeError(`invalid scale factor ${sf}`);
  // Rounded products (0.01 * 150000 is 1499.9999999999998 in binary floating point).
  const times = (n: number): number => Math.max(1, Math.floor(Math.round(sf * n * 1e6) / 1e6));
  return {
    sf,
    suppliers: times(10_000),
    customers: times(150_000),
    parts: times(200_000),
    orders: times(1_500_000),
    clerks: Math.max(1000, times(1000)),
  };
}

/**
 * The key of the i-th order (1-based): of every 32 consecutive keys only the first 8 are used
 * (1..7, 32..39, 64..71, …), as dbgen's sparse keys.
 */
export function orderKey(i: number): number {
  return Math.floor(i / 8) * 32 + (i % 8);
}

/** The i-th (0..3) supplier of a part: (partkey + i * (S/4 + (partkey-1)/S)) mod S + 1. */
export function partSupplier(partkey: number, i: number, suppliers: number): number {
  const step = Math.floor(suppliers / 4) + Math.floor((partkey - 1) / suppliers);
  return ((partkey + i * step) % suppliers) + 1;
}

/** p_retailprice in cents: 90000 + ((partkey/10) mod 20001) + 100 * (partkey mod 1000). */
export function retailPriceCents(partkey: number): number {
  return 90000 + (Math.floor(partkey / 10) % 20001) + 100 * (partkey % 1000);
}

/** How many customer keys in [1, customers] may place orders (those not divisible by 3). */
export function orderingCustomers(customers: number): number {
  return customers - Math.floor(customers / 3);
}

/** The k-th (0-based) customer key not divisible by 3: 1, 2, 4, 5, 7, … */
export function orderingCustomerKey(k: number): number {
  return Math.floor(k / 2) * 3 + (k % 2) + 1;
}
