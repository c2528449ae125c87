import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TABLE_NAMES, generateTable, generateTables, type TableName } from './index.ts';
import { dayOf } from './format.ts';
import { retailPriceCents } from './scale.ts';

const root = mkdtempSync(join(tmpdir(), 'tpch-gen-'));
const one = join(root, 'one');
const two = join(root, 'two');
const rows: Partial<Record<TableName, string[][]>> = {};

function read(dir: string, table: TableName): string {
  return readFileSync(join(dir, `${table}.tbl`), 'latin1');
}

function table(name: TableName): string[][] {
  return (rows[name] ??= read(one, name)
    .split('\n')
    .slice(0, -1)
    .map((line) => line.split('|')));
}

/** Cents of a `d+.dd` value, exactly. */
function cents(text: string): number {
  if (!/^-?\d+\.\d\d$/.test(text)) throw new Error(`not money: ${text}`);
  const negative = text.startsWith('-');
  const [whole, fraction] = text.replace('-', '').split('.');
  const value = Number(whole) * 100 + Number(fraction);
  return negative ? -value : value;
}

beforeAll(async () => {
  await generateTables(TABLE_NAMES, 0.01, { out: one, workers: 1 });
  await generateTables(TABLE_NAMES, 0.01, { out: two, workers: 2 });
});

afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('TPC-H generator at SF 0.01', () => {
  it('has the spec cardinalities', () => {
    const counts = Object.fromEntries(TABLE_NAMES.map((t) => [t, table(t).length]));
    expect(counts).toMatchObject({
      region: 5,
      nation: 25,
      supplier: 100,
      customer: 1500,
      part: 2000,
      partsupp: 8000,
      orders: 15000,
    });
    // 1..7 lines per order, 4 on average.
    expect(counts['lineitem']).toBeGreaterThan(59_000);
    expect(counts['lineitem']).toBeLessThan(61_000);
  });

  it('writes dbgen lines: `|`-separated with a trailing `|` and `\\n` endings', () => {
    const text = read(one, 'orders');
    expect(text.endsWith('|\n')).toBe(true);
    expect(text).not.toContain('\r');
    for (const row of table('lineitem').slice(0, 100)) {
      expect(row).toHaveLength(17);
      expect(row[16]).toBe('');
    }
    expect(table('nation')[0]!.slice(0, 3)).toEqual(['0', 'ALGERIA', '0']);
    expect(table('nation')[24]!.slice(0, 3)).toEqual(['24', 'UNITED STATES', '1']);
    expect(table('region').map((r) => r[1])).toEqual(['AFRICA', 'AMERICA', 'ASIA', 'EUROPE', 'MIDDLE EAST']);
  });

  it('is byte-identical with 2 workers and with 1, and across runs', async () => {
    for (const t of TABLE_NAMES) expect(read(two, t) === read(one, t), t).toBe(true);
    const again = join(root, 'again');
    await generateTable('lineitem', 0.01, { out: again, workers: 1 });
    expect(read(again, 'lineitem') === read(one, 'lineitem')).toBe(true);
  });

  it('splits into parts whose concatenation is the whole table', async () => {
    const dir = join(root, 'parts');
    const files = await generateTable('orders', 0.01, { out: dir, parts: 3, workers: 2 });
    expect(files.map((f) => f.path.slice(dir.length + 1))).toEqual([
      'orders.tbl.1',
      'orders.tbl.2',
      'orders.tbl.3',
    ]);
    const joined = files.map((f) => readFileSync(f.path, 'latin1')).join('');
    expect(joined === read(one, 'orders')).toBe(true);
    expect(readFileSync(files[1]!.path, 'latin1').split('\n')).toHaveLength(5001);
  });

  it('uses sparse order keys and never a customer key divisible by 3', () => {
    const keys = table('orders').map((r) => Number(r[0]));
    expect(keys.slice(0, 10)).toEqual([1, 2, 3, 4, 5, 6, 7, 32, 33, 34]);
    expect(keys.at(-1)).toBe(60000);
    for (const k of keys) expect(k % 32).toBeLessThan(8);
    const custkeys = table('orders').map((r) => Number(r[1]));
    expect(custkeys.filter((c) => c % 3 === 0 || c < 1 || c > 1500)).toEqual([]);
  });

  it('keeps every foreign key valid', () => {
    const orderkeys = new Set(table('orders').map((r) => r[0]));
    const partsupp = new Set(table('partsupp').map((r) => `${r[0]}|${r[1]}`));
    expect(partsupp.size).toBe(8000);
    const bad: string[] = [];
    for (const r of table('lineitem')) {
      if (!orderkeys.has(r[0])) bad.push(`orderkey ${r[0]}`);
      if (!partsupp.has(`${r[1]}|${r[2]}`)) bad.push(`partsupp ${r[1]}|${r[2]}`);
    }
    for (const r of table('partsupp')) {
      const [pk, sk] = [Number(r[0]), Number(r[1])];
      if (pk < 1 || pk > 2000 || sk < 1 || sk > 100) bad.push(`partsupp ${pk}|${sk}`);
    }
    for (const r of [...table('supplier'), ...table('customer')]) {
      const nation = Number(r[3]);
      if (!(nation >= 0 && nation <= 24)) bad.push(`nation ${r[3]}`);
      // Phone country code is nationkey + 10.
      if (!new RegExp(`^${nation + 10}-\\d{3}-\\d{3}-\\d{4}$`).test(r[4]!)) bad.push(r[4]!);
    }
    expect(bad).toEqual([]);
    const lineorders = new Set(table('lineitem').map((r) => r[0]));
    expect(lineorders.size).toBe(15000);
  });

  it('keeps values in their domains', () => {
    const first = dayOf(1992, 1, 1);
    const lastOrder = dayOf(1998, 8, 2);
    const current = dayOf(1995, 6, 17);
    const day = (s: string): number => {
      const [y, m, d] = s.split('-').map(Number);
      return dayOf(y!, m!, d!);
    };
    const orderDates = new Map(table('orders').map((r) => [r[0], day(r[4]!)]));
    for (const d of orderDates.values()) {
      expect(d).toBeGreaterThanOrEqual(first);
      expect(d).toBeLessThanOrEqual(lastOrder);
    }
    const bad: string[] = [];
    const check = (ok: boolean, row: string[]): void => {
      if (!ok && bad.length < 5) bad.push(row.join('|'));
    };
    for (const r of table('lineitem')) {
      const quantity = Number(r[4]);
      check(quantity >= 1 && quantity <= 50 && Number.isInteger(quantity), r);
      check(cents(r[5]!) === quantity * retailPriceCents(Number(r[1])), r);
      check(cents(r[6]!) >= 0 && cents(r[6]!) <= 10, r);
      check(cents(r[7]!) >= 0 && cents(r[7]!) <= 8, r);
      const ordered = orderDates.get(r[0])!;
      const [ship, commit, receipt] = [day(r[10]!), day(r[11]!), day(r[12]!)];
      check(ship - ordered >= 1 && ship - ordered <= 121, r);
      check(commit - ordered >= 30 && commit - ordered <= 90, r);
      check(receipt - ship >= 1 && receipt - ship <= 30, r);
      check(receipt <= current ? r[8] === 'R' || r[8] === 'A' : r[8] === 'N', r);
      check(r[9] === (ship > current ? 'O' : 'F'), r);
      check(['DELIVER IN PERSON', 'COLLECT COD', 'TAKE BACK RETURN', 'NONE'].includes(r[13]!), r);
      check(['REG AIR', 'AIR', 'RAIL', 'TRUCK', 'MAIL', 'FOB', 'SHIP'].includes(r[14]!), r);
      check(r[15]!.length >= 10 && r[15]!.length <= 43, r);
    }
    expect(bad).toEqual([]);
    for (const r of table('part')) {
      const key = Number(r[0]);
      const words = r[1]!.split(' ');
      expect(new Set(words).size).toBe(5);
      expect(r[2]).toMatch(/^Manufacturer#[1-5]$/);
      expect(r[3]).toBe(`Brand#${r[2]!.at(-1)!}${r[3]!.at(-1)!}`);
      expect(r[3]).toMatch(/^Brand#[1-5][1-5]$/);
      expect(Number(r[5]) >= 1 && Number(r[5]) <= 50).toBe(true);
      expect(cents(r[7]!)).toBe(retailPriceCents(key));
    }
    expect(table('part')[0]![7]).toBe('901.00');
    for (const r of table('customer')) {
      expect(cents(r[5]!) >= -99_999 && cents(r[5]!) <= 999_999).toBe(true);
      expect(['AUTOMOBILE', 'BUILDING', 'FURNITURE', 'HOUSEHOLD', 'MACHINERY']).toContain(r[6]);
    }
    for (const r of table('orders')) {
      expect(['1-URGENT', '2-HIGH', '3-MEDIUM', '4-NOT SPECIFIED', '5-LOW']).toContain(r[5]);
      expect(r[6]).toMatch(/^Clerk#\d{9}$/);
      expect(Number(r[6]!.slice(6)) >= 1 && Number(r[6]!.slice(6)) <= 1000).toBe(true);
      expect(r[7]).toBe('0');
    }
  });

  it('derives o_totalprice and o_orderstatus from the line items', () => {
    const sums = new Map<string, number>();
    const statuses = new Map<string, Set<string>>();
    for (const r of table('lineitem')) {
      const [price, discount, tax] = [cents(r[5]!), cents(r[6]!), cents(r[7]!)];
      sums.set(r[0]!, (sums.get(r[0]!) ?? 0) + price * (100 + tax) * (100 - discount));
      const s = statuses.get(r[0]!) ?? new Set<string>();
      s.add(r[9]!);
      statuses.set(r[0]!, s);
    }
    const seen = new Set<string>();
    const bad: string[] = [];
    for (const r of table('orders')) {
      const s = statuses.get(r[0]!)!;
      const status = s.size === 2 ? 'P' : s.has('O') ? 'O' : 'F';
      const total = Math.floor((sums.get(r[0]!)! + 5000) / 10_000);
      if (cents(r[3]!) !== total || r[2] !== status) bad.push(r.join('|'));
      seen.add(r[2]!);
    }
    expect(bad).toEqual([]);
    expect([...seen].sort()).toEqual(['F', 'O', 'P']);
  });

  it('gives the queries realistic selectivities', () => {
    const suppliers = table('supplier');
    const press = suppliers.filter((r) => /Customer.*(Complaints|Recommends)/.test(r[6]!));
    expect(press.length).toBeLessThanOrEqual(5);
    const lineitems = table('lineitem');
    // Q1: about 98% of line items ship by 1998-09-02.
    const q1 = lineitems.filter((r) => r[10]! <= '1998-09-02').length / lineitems.length;
    expect(q1).toBeGreaterThan(0.97);
    expect(q1).toBeLessThan(0.995);
    // Q13: about 1% of orders match '%special%requests%'.
    const orders = table('orders');
    const q13 = orders.filter((r) => /special.*requests/.test(r[8]!)).length / orders.length;
    expect(q13).toBeGreaterThan(0.003);
    expect(q13).toBeLessThan(0.03);
    // Q9: parts named like '%green%' are about 5.4% (1 - (91/92 choose 5 ...)).
    const parts = table('part');
    const q9 = parts.filter((r) => r[1]!.includes('green')).length / parts.length;
    expect(q9).toBeGreaterThan(0.04);
    expect(q9).toBeLessThan(0.07);
  });
});
