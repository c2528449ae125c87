import { describe, expect, it } from 'vitest';
import { T, type DataType } from '../common/index.ts';
import type { Attribute, Expr, LogicalPlan } from './index.ts';
import { explainLogical, exprToString, literalToString } from './index.ts';

const attr = (id: number, name: string, type: DataType = T.int, nullable = true): Attribute => ({
  id,
  name,
  type,
  nullable,
  qualifier: null,
});
const col = (a: Attribute): Expr => ({ kind: 'column', attr: a });
const lit = (value: Expr & { kind: 'literal' }): Expr => value;
const bin = (op: '=' | '+' | '*' | '-' | 'and' | 'or' | '>', left: Expr, right: Expr): Expr => ({
  kind: 'binary',
  op,
  left,
  right,
  type: T.int,
  failOnError: true,
});
const table = { qualifiedName: ['tpch', 'lineitem'], schema: { fields: [] } };

describe('literalToString', () => {
  it('prints typed literals', () => {
    expect(literalToString(1, T.int)).toBe('Int32(1)');
    expect(literalToString(1n, T.bigint)).toBe('Int64(1)');
    expect(literalToString(6n, T.decimal(15, 2))).toBe('Decimal(15,2)("0.06")');
    expect(literalToString(-125n, T.decimal(5, 2))).toBe('Decimal(5,2)("-1.25")');
    expect(literalToString(7n, T.decimal(3, 0))).toBe('Decimal(3,0)("7")');
    expect(literalToString('x"y', T.string)).toBe('Utf8("x\\"y")');
    expect(literalToString(9204, T.date)).toBe('Date32("1995-03-15")');
    expect(literalToString(true, T.boolean)).toBe('Boolean(true)');
    expect(literalToString(null, T.int)).toBe('NULL');
    expect(literalToString(1.5, T.double)).toBe('Float64(1.5)');
    expect(literalToString(0n, T.timestamp)).toBe('Timestamp("1970-01-01 00:00:00")');
  });
});

describe('exprToString', () => {
  const a = attr(1, 'a');
  const b = attr(2, 'b');
  it('parenthesizes by precedence only where needed', () => {
    const one = lit({ kind: 'literal', value: 1, type: T.int });
    expect(exprToString(bin('*', col(a), bin('-', one, col(b))))).toBe('a * (Int32(1) - b)');
    expect(exprToString(bin('-', bin('*', col(a), one), col(b)))).toBe('a * Int32(1) - b');
    expect(exprToString(bin('-', col(a), bin('-', col(b), one)))).toBe('a - (b - Int32(1))');
    expect(exprToString(bin('and', bin('or', col(a), col(b)), col(a)))).toBe('(a OR b) AND a');
  });
  it('prints casts, aggregates, subqueries', () => {
    expect(exprToString({ kind: 'cast', input: col(a), type: T.decimal(15, 2), mode: 'ansi' })).toBe(
      'CAST(a AS decimal(15,2))',
    );
    const count: Expr = {
      kind: 'aggregate',
      name: 'count',
      args: [col(a)],
      distinct: true,
      filter: null,
      ignoreNulls: false,
      type: T.bigint,
      failOnError: true,
    };
    expect(exprToString(count)).toBe('count(DISTINCT a)');
    const values: LogicalPlan = { kind: 'Values', output: [b], rows: [] };
    expect(exprToString({ kind: 'exists', plan: values })).toBe('EXISTS (<subquery>)');
    expect(exprToString({ kind: 'in_subquery', values: [col(a)], plan: values, negated: true })).toBe(
      'a NOT IN (<subquery>)',
    );
    expect(exprToString({ kind: 'scalar_subquery', plan: values, type: T.int })).toBe('(<subquery>)');
    expect(exprToString({ kind: 'outer_ref', attr: a })).toBe('outer_ref(a)');
  });
});

describe('explainLogical', () => {
  it('indents children and prints scans with projection and filters', () => {
    const k = attr(1, 'l_orderkey', T.bigint);
    const d = attr(2, 'l_shipdate', T.date);
    const pred = bin('>', col(d), { kind: 'literal', value: 9204, type: T.date });
    const scan: LogicalPlan = {
      kind: 'Scan',
      table,
      tableOutput: [k, d],
      projection: [1, 0],
      filters: [pred],
      limit: 5,
      alias: null,
    };
    const plan: LogicalPlan = {
      kind: 'Sort',
      orders: [{ expr: col(k), ascending: false, nullsFirst: false }],
      input: { kind: 'Filter', predicate: pred, input: scan },
    };
    expect(explainLogical(plan)).toBe(
      [
        'Sort: l_orderkey DESC NULLS LAST',
        '  Filter: l_shipdate > Date32("1995-03-15")',
        '    TableScan: tpch.lineitem projection=[l_shipdate, l_orderkey], filters=[l_shipdate > Date32("1995-03-15")], fetch=5',
      ].join('\n'),
    );
  });

  it('adds #id only to names shared by different attributes, and prints subqueries below the node', () => {
    const x1 = attr(1, 'x');
    const x2 = attr(2, 'x');
    const y = attr(3, 'y');
    const left: LogicalPlan = { kind: 'Values', output: [x1, y], rows: [[1, 2]] };
    const right: LogicalPlan = { kind: 'Values', output: [x2], rows: [] };
    const plan: LogicalPlan = {
      kind: 'Filter',
      predicate: { kind: 'exists', plan: right },
      input: left,
    };
    expect(explainLogical(plan)).toBe(
      [
        'Filter: EXISTS (<subquery>)',
        '  Subquery:',
        '    Values: output=[x#2], rows=[]',
        '  Values: output=[x#1, y], rows=[(Int32(1), Int32(2))]',
      ].join('\n'),
    );
    const join: LogicalPlan = {
      kind: 'Join',
      left,
      right,
      joinType: 'left_anti',
      condition: bin('=', col(x1), col(x2)),
      mark: null,
      nullAware: true,
    };
    expect(explainLogical(join).split('\n')[0]).toBe('LeftAnti Join: x#1 = x#2, nullAware=true');
  });

  it('prints projections and aggregates with aliases only where the name differs', () => {
    const a = attr(1, 'a');
    const s = attr(2, 'total', T.bigint);
    const p = attr(3, 'p');
    const values: LogicalPlan = { kind: 'Values', output: [a], rows: [] };
    const sum: Expr = {
      kind: 'aggregate',
      name: 'sum',
      args: [col(a)],
      distinct: false,
      filter: null,
      ignoreNulls: false,
      type: T.bigint,
      failOnError: true,
    };
    const plan: LogicalPlan = {
      kind: 'Limit',
      limit: 10,
      offset: 0,
      input: {
        kind: 'Project',
        exprs: [
          { expr: col(a), attr: a },
          { expr: col(s), attr: p },
        ],
        input: {
          kind: 'Aggregate',
          groupBy: [{ expr: col(a), attr: a }],
          aggregates: [{ expr: sum, attr: s }],
          groupingSets: null,
          groupingId: null,
          input: values,
        },
      },
    };
    expect(explainLogical(plan)).toBe(
      [
        'Limit: skip=0, fetch=10',
        '  Projection: a, total AS p',
        '    Aggregate: groupBy=[a], aggr=[sum(a) AS total]',
        '      Values: output=[a], rows=[]',
      ].join('\n'),
    );
  });
});
