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
import type { ColumnarValue } from '../../functions/index.ts';
import type { PhysicalExpr } from '../execution-plan.ts';
import {
  compileExprSpecs,
  createPhysicalExpr,
  createPhysicalExprs,
  defaultEvalContext,
  evaluateConstant,
} from './create-physical-expr.ts';

const reg = createFunctionRegistry();
const ctx = defaultEvalContext();
const INT: DataType = { kind: 'int' };
const BOOL: DataType = { kind: 'boolean' };
const S: DataType = { kind: 'string' };
const dec = (p: number, s: number): DataType => ({ kind: 'decimal', precision: p, scale: s });

const attr = (id: number, name: string, type: DataType): Attribute => ({
  id,
  name,
  type,
  nullable: true,
  qualifier: null,
});
const colRef = (a: Attribute): Expr => ({ kind: 'column', attr: a });
const lit = (value: Value, type: DataType): Expr => ({ kind: 'literal', value, type });
const bin = (
  op: Expr & { kind: 'binary' } extends { op: infer O } ? O : never,
  left: Expr,
  right: Expr,
  type: DataType,
): Expr => ({ kind: 'binary', op, left, right, type, failOnError: true });

const x = attr(10, 'x', INT);
const s = attr(11, 's', S);
const qty = attr(12, 'l_quantity', dec(15, 2));
const input = [x, s, qty];

function batch(xs: Value[], ss: Value[], qs: Value[]) {
  return makeBatch(
    { fields: input.map((a) => ({ name: a.name, type: a.type, nullable: true })) },
    [columnFromValues(INT, xs), columnFromValues(S, ss), columnFromValues(dec(15, 2), qs)],
    xs.length,
  );
}

function run(e: Expr, b = batch([0, 2, null, 4], ['a', 'b', null, 'd'], [100n, 250n, null, 5n])): Value[] {
  const p = createPhysicalExpr(e, input, reg);
  const r = p.evaluate(b, ctx);
  return Array.from({ length: b.numRows }, (_, i) =>
    r.kind === 'scalar' ? r.value : valueAt(r.data, p.type, i),
  );
}

describe('createPhysicalExpr', () => {
  it('binds columns to positions and prints DataFusion-style text', () => {
    const e = bin('<=', colRef(qty), lit(2400n, dec(15, 2)), BOOL);
    const p = createPhysicalExpr(e, input, reg);
    expect(p.toString()).toBe('l_quantity@2 <= Decimal(15,2)("24.00")');
    expect(
      createPhysicalExpr(
        bin('*', colRef(x), bin('+', lit(1, INT), colRef(x), INT), INT),
        input,
        reg,
      ).toString(),
    ).toBe('x@0 * (Int32(1) + x@0)');
    expect(createPhysicalExpr(bin('=', colRef(s), lit('a', S), BOOL), input, reg).toString()).toBe(
      's@1 = Utf8("a")',
    );
    expect(run(e)).toEqual([true, true, null, true]);
  });

  it('a column not in the input is an internal error', () => {
    expect(() => createPhysicalExpr(colRef(attr(99, 'y', INT)), input, reg)).toThrow(EngineError);
    try {
      createPhysicalExpr(colRef(attr(99, 'y', INT)), input, reg);
    } catch (err) {
      expect((err as EngineError).sqlstate).toBe('XX000');
    }
  });

  it('aggregate and window expressions are not evaluated here', () => {
    const agg: Expr = {
      kind: 'aggregate',
      name: 'sum',
      args: [colRef(x)],
      distinct: false,
      filter: null,
      ignoreNulls: false,
      type: { kind: 'bigint' },
      failOnError: true,
    };
    expect(() => createPhysicalExpr(agg, input, reg)).toThrow(/internal error/);
  });

  it('CASE does not evaluate a failing branch on rows that do not take it', () => {
    const e: Expr = {
      kind: 'case',
      branches: [{ when: bin('=', colRef(x), lit(0, INT), BOOL), then: lit(0, INT) }],
      otherwise: bin('div', lit(100, INT), colRef(x), { kind: 'bigint' }),
      type: { kind: 'bigint' },
    };
    // the branch value types differ (int vs bigint) in this hand-built plan; use bigint literals
    const fixed: Expr = {
      ...e,
      branches: [{ when: bin('=', colRef(x), lit(0, INT), BOOL), then: lit(0n, { kind: 'bigint' }) }],
    };
    expect(run(fixed)).toEqual([0n, 50n, null, 25n]);
    // without the guard the division raises 22012
    expect(() => run(bin('div', lit(100, INT), colRef(x), { kind: 'bigint' }))).toThrow('[DIVIDE_BY_ZERO]');
  });

  it('CASE with strings, NULL conditions and no ELSE', () => {
    const e: Expr = {
      kind: 'case',
      branches: [
        { when: bin('>', colRef(x), lit(3, INT), BOOL), then: lit('big', S) },
        { when: bin('>', colRef(x), lit(1, INT), BOOL), then: colRef(s) },
      ],
      otherwise: null,
      type: S,
    };
    expect(run(e)).toEqual([null, 'b', null, 'big']);
  });

  it('if() and coalesce() are lazy when an argument can fail', () => {
    const e: Expr = {
      kind: 'call',
      name: 'if',
      args: [
        bin('=', colRef(x), lit(0, INT), BOOL),
        lit(-1n, { kind: 'bigint' }),
        bin('div', lit(10, INT), colRef(x), { kind: 'bigint' }),
      ],
      type: { kind: 'bigint' },
      nullable: true,
      failOnError: true,
    };
    expect(run(e)).toEqual([-1n, 5n, null, 2n]);
    const c: Expr = {
      kind: 'call',
      name: 'coalesce',
      args: [colRef(s), lit('z', S)],
      type: S,
      nullable: true,
      failOnError: false,
    };
    expect(run(c)).toEqual(['a', 'b', 'z', 'd']);
  });

  it('IN lists with literals and with columns', () => {
    const e: Expr = { kind: 'in_list', input: colRef(x), list: [lit(2, INT), lit(4, INT)], negated: false };
    expect(run(e)).toEqual([false, true, null, true]);
    const g: Expr = { kind: 'in_list', input: colRef(x), list: [colRef(x)], negated: true };
    expect(run(g)).toEqual([false, false, null, false]);
    expect(createPhysicalExpr(e, input, reg).toString()).toContain('x@0 IN');
  });

  it('casts, negation and IS NULL', () => {
    expect(run({ kind: 'cast', input: colRef(x), type: S, mode: 'ansi' })).toEqual(['0', '2', null, '4']);
    expect(
      run({ kind: 'unary', op: 'negate', input: colRef(qty), type: dec(15, 2), failOnError: true }),
    ).toEqual([-100n, -250n, null, -5n]);
    expect(run({ kind: 'unary', op: 'is_null', input: colRef(s), type: BOOL, failOnError: false })).toEqual([
      false,
      false,
      true,
      false,
    ]);
  });

  it('function calls go through the registry', () => {
    const e: Expr = {
      kind: 'call',
      name: 'upper',
      args: [colRef(s)],
      type: S,
      nullable: true,
      failOnError: true,
    };
    expect(run(e)).toEqual(['A', 'B', null, 'D']);
  });

  it('evaluateConstant folds column-free expressions', () => {
    const sum = bin('+', lit(6n, dec(3, 2)), lit(1n, dec(3, 2)), dec(4, 2));
    expect(evaluateConstant(sum, ctx, reg)).toBe(7n);
    expect(
      evaluateConstant(
        {
          kind: 'call',
          name: 'current_date',
          args: [],
          type: { kind: 'date' },
          nullable: false,
          failOnError: true,
        },
        ctx,
        reg,
      ),
    ).toBe(19737);
    expect(
      evaluateConstant(
        { kind: 'cast', input: lit('1998-12-01', S), type: { kind: 'date' }, mode: 'ansi' },
        ctx,
        reg,
      ),
    ).toBe(10561);
  });

  it('empty batches evaluate to empty columns', () => {
    expect(run(bin('+', colRef(x), lit(1, INT), INT), batch([], [], []))).toEqual([]);
  });

  it('ANSI off (failOnError false): integer overflow wraps, division by zero is NULL', () => {
    const legacy = (op: '+' | '*' | 'div', l: Expr, r: Expr, type: DataType): Expr => ({
      kind: 'binary',
      op,
      left: l,
      right: r,
      type,
      failOnError: false,
    });
    const b = batch([2147483647, -2147483648, null, 4], ['a', 'b', 'c', 'd'], [1n, 1n, 1n, 1n]);
    expect(run(legacy('+', colRef(x), lit(1, INT), INT), b)).toEqual([-2147483648, -2147483647, null, 5]);
    expect(run(legacy('*', colRef(x), lit(2, INT), INT), b)).toEqual([-2, 0, null, 8]);
    const BIG: DataType = { kind: 'bigint' };
    expect(run(legacy('div', colRef(x), lit(0, INT), BIG), b)).toEqual([null, null, null, null]);
    const neg = (failOnError: boolean): Expr => ({
      kind: 'unary',
      op: 'negate',
      input: colRef(x),
      type: INT,
      failOnError,
    });
    expect(run(neg(false), b)).toEqual([-2147483647, -2147483648, null, -4]);
    expect(() => run(neg(true), b)).toThrow(EngineError);
    expect(() => run(bin('+', colRef(x), lit(1, INT), INT), b)).toThrow(/ARITHMETIC_OVERFLOW/);
  });
});

describe('createPhysicalExprs', () => {
  const b = batch([0, 2, null, 4], ['a', 'b', null, 'd'], [100n, 250n, null, 5n]);
  const product = bin('*', colRef(qty), bin('-', lit(100n, dec(3, 2)), colRef(qty), dec(16, 2)), dec(32, 4));
  const call = (name: string, args: Expr[], type: DataType): Expr => ({
    kind: 'call',
    name,
    args,
    type,
    nullable: false,
    failOnError: true,
  });

  it('computes a subexpression the expressions share once per batch, with the same answers', () => {
    const exprs = [
      product,
      bin('*', product, lit(2n, dec(1, 0)), dec(34, 4)),
      bin('+', colRef(x), lit(1, INT), INT),
    ];
    const together = createPhysicalExprs(exprs, input, reg);
    const alone = exprs.map((e) => createPhysicalExpr(e, input, reg));
    const values = (p: PhysicalExpr, r: ColumnarValue): Value[] =>
      Array.from({ length: b.numRows }, (_, i) =>
        r.kind === 'scalar' ? r.value : valueAt(r.data, p.type, i),
      );
    for (let k = 0; k < exprs.length; k++) {
      expect(values(together[k]!, together[k]!.evaluate(b, ctx))).toEqual(
        values(alone[k]!, alone[k]!.evaluate(b, ctx)),
      );
    }
    // The shared product is evaluated once for this batch (the same result), again for another.
    const first = together[0]!.evaluate(b, ctx);
    expect(together[0]!.evaluate(b, ctx)).toBe(first);
    const other = batch([1], ['z'], [7n]);
    expect(together[0]!.evaluate(other, ctx)).not.toBe(first);
    // Not shared: an expression that occurs once, and every expression compiled alone.
    expect(together[2]!.evaluate(b, ctx)).not.toBe(together[2]!.evaluate(b, ctx));
    expect(alone[0]!.evaluate(b, ctx)).not.toBe(alone[0]!.evaluate(b, ctx));
  });

  it('never shares a non-deterministic subexpression', () => {
    const r = call('rand', [lit(7n, { kind: 'bigint' })], { kind: 'double' });
    const [a] = createPhysicalExprs(
      [
        bin('+', r, lit(1, { kind: 'double' }), { kind: 'double' }),
        bin('+', r, lit(1, { kind: 'double' }), { kind: 'double' }),
      ],
      input,
      reg,
    );
    expect(a!.evaluate(b, ctx)).not.toBe(a!.evaluate(b, ctx));
  });

  it('compiles specs from another thread the same way', () => {
    const exprs = [product, bin('*', product, lit(2n, dec(1, 0)), dec(34, 4))];
    const specs = createPhysicalExprs(exprs, input, reg).map((p) => p.spec!);
    const rebuilt = compileExprSpecs(specs, reg);
    const first = rebuilt[0]!.evaluate(b, ctx);
    expect(rebuilt[0]!.evaluate(b, ctx)).toBe(first);
  });
});
