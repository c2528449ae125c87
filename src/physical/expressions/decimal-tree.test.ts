import { describe, expect, it } from 'vitest';
import {
  EngineError,
  columnFromValues,
  makeBatch,
  valueAt,
  type DataType,
  type Value,
} from '../../common/index.ts';
import { createFunctionRegistry } from '../../functions/index.ts';
import type { Attribute, Expr } from '../../plan/index.ts';
import { createPhysicalExpr, defaultEvalContext } from './create-physical-expr.ts';
import { compileDecimalTree } from './decimal-tree.ts';

const reg = createFunctionRegistry();
const dec = (p: number, s: number): DataType => ({ kind: 'decimal', precision: p, scale: s });
const attr = (id: number, name: string, type: DataType): Attribute => ({
  id,
  name,
  type,
  nullable: true,
  qualifier: null,
});
const col = (a: Attribute): Expr => ({ kind: 'column', attr: a });
const lit = (value: Value, type: DataType): Expr => ({ kind: 'literal', value, type });
const bin = (op: '+' | '-' | '*', left: Expr, right: Expr, type: DataType, failOnError = true): Expr => ({
  kind: 'binary',
  op,
  left,
  right,
  type,
  failOnError,
});

const price = attr(1, 'price', dec(15, 2));
const disc = attr(2, 'disc', dec(15, 2));
const tax = attr(3, 'tax', dec(15, 2));
const qty = attr(4, 'qty', { kind: 'int' });
const wide = attr(5, 'wide', dec(30, 3));
const input = [price, disc, tax, qty, wide];

function run(e: Expr, rows: Value[][], ansi = true): Value[] {
  const b = makeBatch(
    { fields: input.map((a) => ({ name: a.name, type: a.type, nullable: true })) },
    input.map((a, c) =>
      columnFromValues(
        a.type,
        rows.map((r) => r[c]!),
      ),
    ),
    rows.length,
  );
  const p = createPhysicalExpr(e, input, reg);
  const out = p.evaluate(b, { ...defaultEvalContext(), ansi });
  if (out.kind === 'scalar') return rows.map(() => out.value);
  return rows.map((_, i) => valueAt(out.data, e.kind === 'binary' ? e.type : dec(38, 0), i));
}

// Q1's charge: price * (1 - disc) * (1 + tax), with Spark's types.
const oneMinus = bin('-', lit(1n, dec(10, 0)), col(disc), dec(16, 2));
const onePlus = bin('+', lit(1n, dec(10, 0)), col(tax), dec(16, 2));
const charge = bin('*', bin('*', col(price), oneMinus, dec(32, 4)), onePlus, dec(38, 6));

describe('decimal +, -, * trees in one go', () => {
  it('match exact integer arithmetic, NULLs included, across the 2^53 boundary', () => {
    const rows: Value[][] = [];
    for (let i = 0; i < 3000; i++) {
      const big = i % 97 === 0; // beyond what float64 holds exactly: the node-by-node kernels answer
      const p = big ? 10n ** 14n + BigInt(i) : BigInt(((i * 7919) % 10_000_000) - 3_000_000);
      rows.push([i % 13 === 0 ? null : p, BigInt(i % 11), i % 17 === 0 ? null : BigInt(i % 9), i, 0n]);
    }
    const got = run(charge, rows);
    rows.forEach((r, i) => {
      const p = r[0] as bigint | null;
      const d = r[1] as bigint | null;
      const t = r[2] as bigint | null;
      const want = p === null || d === null || t === null ? null : p * (100n - d) * (100n + t);
      expect(got[i], `row ${i}`).toBe(want);
    });
  });

  it('answer batches whose values float64 holds exactly without the node-by-node kernels', () => {
    let fallbacks = 0;
    const positions = new Map(input.map((a, c) => [a.id, c]));
    const tree = compileDecimalTree(
      charge,
      (x) => {
        if (x.kind === 'literal') return () => ({ kind: 'scalar', value: x.value, type: x.type });
        if (x.kind !== 'column') throw new Error(`unexpected operand ${x.kind}`);
        const c = positions.get(x.attr.id)!;
        return (b) => ({ kind: 'array', data: b.data.children[c]! });
      },
      () => {
        fallbacks++;
        return { kind: 'scalar', value: null, type: dec(38, 6) };
      },
    )!;
    const batchOf = (p: bigint): Parameters<typeof tree>[0] =>
      makeBatch(
        { fields: input.map((a) => ({ name: a.name, type: a.type, nullable: true })) },
        input.map((a, c) => columnFromValues(a.type, [[p, 5n, 8n, 1, 0n][c]!])),
        1,
      );
    const small = tree(batchOf(1234n), defaultEvalContext());
    expect(fallbacks).toBe(0);
    expect(small.kind === 'array' && valueAt(small.data, dec(38, 6), 0)).toBe(1234n * 95n * 108n);
    tree(batchOf(10n ** 14n), defaultEvalContext());
    expect(fallbacks).toBe(1);
  });

  it('take integer columns and wide decimals as operands', () => {
    // qty (int, scale 0) * price (scale 2) + wide (scale 3): decimal(…, 3)
    const e = bin('+', bin('*', col(qty), col(price), dec(26, 2)), col(wide), dec(31, 3));
    const rows: Value[][] = [
      [125n, 0n, 0n, 3, 7n],
      [-5n, 0n, 0n, -2, 10n ** 20n], // a wide operand beyond 2^53
      [null, 0n, 0n, 1, 1n],
    ];
    expect(run(e, rows)).toEqual([3757n, 10n ** 20n + 100n, null]);
  });

  it('a value past its node’s precision is 22003 with ANSI on and NULL with it off, as node by node', () => {
    const a = attr(1, 'price', dec(15, 2));
    // A node declared decimal(5,2): 999.99 at most.
    const e = bin('+', bin('*', col(a), lit(3n, dec(1, 0)), dec(5, 2)), lit(0n, dec(1, 0)), dec(6, 2));
    const rows: Value[][] = [
      [33333n, 0n, 0n, 0, 0n],
      [33334n, 0n, 0n, 0, 0n],
    ];
    expect(() => run(e, rows)).toThrow(EngineError);
    const lenient = bin(
      '+',
      bin('*', col(a), lit(3n, dec(1, 0)), dec(5, 2), false),
      lit(0n, dec(1, 0)),
      dec(6, 2),
      false,
    );
    expect(run(lenient, rows, false)).toEqual([99999n, null]);
  });
});
