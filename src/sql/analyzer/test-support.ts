/**
 * Test helpers for the analyzer: a fake catalog (the 8 TPC-H tables and a small table `t`), a
 * small fake function registry, a compact plan printer, AST builders and `sql()` which parses with
 * the real parser once it exports `parseQuery`.
 */
import {
  EngineError,
  SqlState,
  T,
  field,
  schema,
  typeToString,
  type DataType,
  type Field,
} from '../../common/index.ts';
import type { FunctionDef, FunctionRegistry, ResolvedSignature } from '../../functions/index.ts';
import { adjustedDecimal, boundedDecimal, findWiderTypeOfAll } from '../../functions/index.ts';
import { outputOf, type Expr, type LogicalPlan, type TableSource } from '../../plan/index.ts';
import * as parser from '../parser/index.ts';
import type * as ast from '../parser/index.ts';
import type { AnalyzerCatalog, AnalyzerContext } from './context.ts';

const money = T.decimal(15, 2);
const tpchTables: Record<string, [string, DataType][]> = {
  nation: [
    ['n_nationkey', T.bigint],
    ['n_name', T.string],
    ['n_regionkey', T.bigint],
    ['n_comment', T.string],
  ],
  region: [
    ['r_regionkey', T.bigint],
    ['r_name', T.string],
    ['r_comment', T.string],
  ],
  part: [
    ['p_partkey', T.bigint],
    ['p_name', T.string],
    ['p_mfgr', T.string],
    ['p_brand', T.string],
    ['p_type', T.string],
    ['p_size', T.bigint],
    ['p_container', T.string],
    ['p_retailprice', money],
    ['p_comment', T.string],
  ],
  supplier: [
    ['s_suppkey', T.bigint],
    ['s_name', T.string],
    ['s_address', T.string],
    ['s_nationkey', T.bigint],
    ['s_phone', T.string],
    ['s_acctbal', money],
    ['s_comment', T.string],
  ],
  partsupp: [
    ['ps_partkey', T.bigint],
    ['ps_suppkey', T.bigint],
    ['ps_availqty', T.bigint],
    ['ps_supplycost', money],
    ['ps_comment', T.string],
  ],
  customer: [
    ['c_custkey', T.bigint],
    ['c_name', T.string],
    ['c_address', T.string],
    ['c_nationkey', T.bigint],
    ['c_phone', T.string],
    ['c_acctbal', money],
    ['c_mktsegment', T.string],
    ['c_comment', T.string],
  ],
  orders: [
    ['o_orderkey', T.bigint],
    ['o_custkey', T.bigint],
    ['o_orderstatus', T.string],
    ['o_totalprice', money],
    ['o_orderdate', T.date],
    ['o_orderpriority', T.string],
    ['o_clerk', T.string],
    ['o_shippriority', T.bigint],
    ['o_comment', T.string],
  ],
  lineitem: [
    ['l_orderkey', T.bigint],
    ['l_partkey', T.bigint],
    ['l_suppkey', T.bigint],
    ['l_linenumber', T.bigint],
    ['l_quantity', money],
    ['l_extendedprice', money],
    ['l_discount', money],
    ['l_tax', money],
    ['l_returnflag', T.string],
    ['l_linestatus', T.string],
    ['l_shipdate', T.date],
    ['l_commitdate', T.date],
    ['l_receiptdate', T.date],
    ['l_shipinstruct', T.string],
    ['l_shipmode', T.string],
    ['l_comment', T.string],
  ],
  t: [
    ['a', T.int],
    ['b', T.int],
    ['c', T.string],
    ['d', T.date],
    ['x', money],
    ['y', T.bigint],
    ['ts', T.timestamp],
  ],
  u: [
    ['a', T.int],
    ['e', T.bigint],
    ['f', T.string],
  ],
};

export function fakeCatalog(
  views: Record<string, { query: ast.Query; columns: string[] | null }> = {},
): AnalyzerCatalog {
  const tables = new Map<string, TableSource>();
  for (const [name, cols] of Object.entries(tpchTables)) {
    const fields: Field[] = cols.map(([n, t]) => field(n, t, true));
    tables.set(name, { qualifiedName: ['default', name], schema: schema(fields) });
  }
  return {
    lookupRelation(parts) {
      const name = parts[parts.length - 1]!.toLowerCase();
      if (parts.length > 2 || (parts.length === 2 && parts[0]!.toLowerCase() !== 'default')) return undefined;
      const v = views[name];
      if (v !== undefined && parts.length === 1)
        return { kind: 'view', name: [name], query: v.query, columns: v.columns };
      const source = tables.get(name);
      return source === undefined ? undefined : { kind: 'table', source };
    },
    relationNames: () => [...tables.keys(), ...Object.keys(views)],
  };
}

function arity(name: string, args: readonly DataType[], min: number, max: number): void {
  if (args.length < min || args.length > max) {
    throw new EngineError(
      SqlState.wrongNumArgs,
      `[WRONG_NUM_ARGS] ${name} requires ${min} to ${max} arguments, got ${args.length}`,
    );
  }
}

function agg(name: string, resolve: (a: readonly DataType[]) => ResolvedSignature): FunctionDef {
  return {
    kind: 'aggregate',
    name,
    description: name,
    resolve: (a) => resolve(a),
    createAccumulator: () => {
      throw new Error('not in tests');
    },
  };
}

function scalar(name: string, resolve: (a: readonly DataType[]) => ResolvedSignature): FunctionDef {
  return {
    kind: 'scalar',
    name,
    description: name,
    resolve: (a) => resolve(a),
    evaluate: () => {
      throw new Error('not in tests');
    },
  };
}

export function fakeRegistry(): FunctionRegistry {
  const defs: FunctionDef[] = [
    agg('sum', (a) => {
      arity('sum', a, 1, 1);
      const t = a[0]!;
      if (t.kind === 'decimal')
        return { argTypes: [t], returnType: boundedDecimal(t.precision + 10, t.scale) };
      if (t.kind === 'float' || t.kind === 'double' || t.kind === 'string')
        return { argTypes: [T.double], returnType: T.double };
      return { argTypes: [T.bigint], returnType: T.bigint };
    }),
    agg('avg', (a) => {
      arity('avg', a, 1, 1);
      const t = a[0]!;
      if (t.kind === 'decimal')
        return { argTypes: [t], returnType: boundedDecimal(t.precision + 4, t.scale + 4) };
      return { argTypes: [T.double], returnType: T.double };
    }),
    agg('count', (a) => ({ argTypes: a, returnType: T.bigint, nullable: false })),
    agg('min', (a) => ({ argTypes: a, returnType: a[0]! })),
    agg('max', (a) => ({ argTypes: a, returnType: a[0]! })),
    scalar('substring', (a) => {
      arity('substring', a, 2, 3);
      return { argTypes: [T.string, T.int, T.int].slice(0, a.length), returnType: T.string };
    }),
    scalar('concat', (a) => ({ argTypes: a.map(() => T.string), returnType: T.string })),
    scalar('like', (a) => ({ argTypes: a.map(() => T.string), returnType: T.boolean })),
    scalar('ilike', (a) => ({ argTypes: a.map(() => T.string), returnType: T.boolean })),
    scalar('rlike', (a) => ({ argTypes: a.map(() => T.string), returnType: T.boolean })),
    scalar('upper', () => ({ argTypes: [T.string], returnType: T.string })),
    scalar('extract', (a) => ({ argTypes: [T.string, a[1]!], returnType: T.int })),
    scalar('abs', (a) => ({ argTypes: a, returnType: a[0]! })),
    scalar('round', (a) => ({
      argTypes: a,
      returnType: a[0]?.kind === 'decimal' ? adjustedDecimal(a[0].precision, a[0].scale) : (a[0] ?? T.double),
    })),
    scalar('coalesce', (a) => {
      const t = findWiderTypeOfAll(a) ?? T.string;
      return { argTypes: a.map(() => t), returnType: t };
    }),
  ];
  return {
    lookup: (name) => defs.find((d) => d.name === name.toLowerCase()),
    names: () => defs.map((d) => d.name),
  };
}

export function testContext(over: Partial<AnalyzerContext> = {}): AnalyzerContext {
  let id = 0;
  return {
    catalog: fakeCatalog(),
    functions: fakeRegistry(),
    ansi: true,
    caseSensitive: false,
    timeZone: 'UTC',
    nextId: () => ++id,
    ...over,
  };
}

/** `sql(text)` parses with the real parser; undefined until the parser exports `parseQuery`. */
export const parseQuery = (parser as unknown as Record<string, unknown>)['parseQuery'] as
  ((sql: string) => ast.Query) | undefined;

// ---------------------------------------------------------------------------------------------
// Plan printer: one line per node, attributes as name#id:type.

function ty(t: DataType): string {
  return typeToString(t);
}

export function showExpr(e: Expr): string {
  switch (e.kind) {
    case 'literal':
      return `${typeof e.value === 'bigint' ? `${e.value}n` : JSON.stringify(e.value)}:${ty(e.type)}`;
    case 'column':
      return `${e.attr.name}#${e.attr.id}`;
    case 'outer_ref':
      return `outer(${e.attr.name}#${e.attr.id})`;
    case 'parameter':
      return `$${e.index}`;
    case 'binary':
      return `(${showExpr(e.left)} ${e.op} ${showExpr(e.right)})`;
    case 'unary':
      return `${e.op}(${showExpr(e.input)})`;
    case 'cast':
      return `${e.mode === 'ansi' ? 'cast' : e.mode + '_cast'}(${showExpr(e.input)} as ${ty(e.type)})`;
    case 'case':
      return `case(${e.branches.map((b) => `when ${showExpr(b.when)} then ${showExpr(b.then)}`).join(' ')}${e.otherwise === null ? '' : ` else ${showExpr(e.otherwise)}`})`;
    case 'in_list':
      return `${showExpr(e.input)} ${e.negated ? 'not in' : 'in'} (${e.list.map(showExpr).join(', ')})`;
    case 'call':
      return `${e.name}(${e.args.map(showExpr).join(', ')})`;
    case 'higher_order':
      return `${e.name}(${[...e.args.map(showExpr), ...e.lambdas.map((l) => `(${l.params.map((p) => `${p.name}@${p.id}`).join(', ')}) -> ${showExpr(l.body)}`)].join(', ')})`;
    case 'lambda_var':
      return `${e.variable.name}@${e.variable.id}`;
    case 'aggregate':
      return `${e.name}(${e.distinct ? 'distinct ' : ''}${e.args.map(showExpr).join(', ')})${e.filter === null ? '' : ` filter ${showExpr(e.filter)}`}`;
    case 'window': {
      const s = e.spec;
      const f = s.frame;
      const b = (x: typeof f.start): string =>
        x.kind === 'preceding' || x.kind === 'following' ? `${showExpr(x.offset)} ${x.kind}` : x.kind;
      return `${showExpr(e.function)} over (partition [${s.partitionBy.map(showExpr).join(', ')}] order [${s.orderBy.map((o) => `${showExpr(o.expr)}${o.ascending ? '' : ' desc'}`).join(', ')}] ${f.units} ${b(f.start)}..${b(f.end)})`;
    }
    case 'scalar_subquery':
      return `scalar(${showPlan(e.plan)
        .trim()
        .split('\n')
        .map((l) => l.trim())
        .join('; ')})`;
    case 'exists':
      return `exists(${showPlan(e.plan)
        .trim()
        .split('\n')
        .map((l) => l.trim())
        .join('; ')})`;
    case 'in_subquery':
      return `(${e.values.map(showExpr).join(', ')}) ${e.negated ? 'not in' : 'in'} (${showPlan(e.plan)
        .trim()
        .split('\n')
        .map((l) => l.trim())
        .join('; ')})`;
  }
}

function attrs(p: LogicalPlan): string {
  return outputOf(p)
    .map((a) => `${a.name}#${a.id}`)
    .join(', ');
}

export function showPlan(p: LogicalPlan, indent = ''): string {
  let line: string;
  switch (p.kind) {
    case 'Scan':
      line = `Scan ${p.table.qualifiedName.join('.')}${p.alias === null ? '' : ` as ${p.alias}`} [${attrs(p)}]`;
      break;
    case 'Values':
      line = `Values [${attrs(p)}] ${p.rows.length} rows`;
      break;
    case 'Filter':
      line = `Filter ${showExpr(p.predicate)}`;
      break;
    case 'Project':
      line = `Project [${p.exprs.map((e) => (e.expr.kind === 'column' && e.expr.attr.id === e.attr.id ? showExpr(e.expr) : `${showExpr(e.expr)} AS ${e.attr.name}#${e.attr.id}`)).join(', ')}]`;
      break;
    case 'Aggregate':
      line = `Aggregate [${p.groupBy.map((e) => (e.expr.kind === 'column' && e.expr.attr.id === e.attr.id ? showExpr(e.expr) : `${showExpr(e.expr)} AS ${e.attr.name}#${e.attr.id}`)).join(', ')}] [${p.aggregates.map((a) => `${showExpr(a.expr)} AS ${a.attr.name}#${a.attr.id}`).join(', ')}]${p.groupingSets === null ? '' : ` sets=${JSON.stringify(p.groupingSets)}`}`;
      break;
    case 'Window':
      line = `Window [${p.windows.map((w) => `${showExpr(w.expr)} AS #${w.attr.id}`).join(', ')}]`;
      break;
    case 'Join':
      line = `Join ${p.joinType}${p.condition === null ? '' : ` ${showExpr(p.condition)}`}`;
      break;
    case 'Sort':
      line = `Sort [${p.orders.map((o) => `${showExpr(o.expr)}${o.ascending ? '' : ' desc'}${o.nullsFirst === o.ascending ? '' : o.nullsFirst ? ' nulls first' : ' nulls last'}`).join(', ')}]`;
      break;
    case 'Limit':
      line = `Limit ${p.limit ?? 'all'}${p.offset > 0 ? ` offset ${p.offset}` : ''}`;
      break;
    case 'SetOp':
      line = `SetOp ${p.op}${p.all ? ' all' : ''} [${attrs(p)}]`;
      break;
    case 'RecursiveCte':
      line = `RecursiveCte ${p.cteId}${p.distinct ? ' distinct' : ''} [${attrs(p)}]`;
      break;
    case 'WorkTable':
      line = `WorkTable ${p.cteId} [${attrs(p)}]`;
      break;
    case 'Rename':
      line = `Rename [${attrs(p)}]`;
      break;
    case 'Range':
      line = `Range ${p.start} ${p.end} ${p.step} [${attrs(p)}]`;
      break;
    case 'Generate':
      line = `Generate ${p.generator}${p.outer ? '_outer' : ''}(${showExpr(p.arg)}) [${p.generatorOutput.map((a) => `${a.name}#${a.id}`).join(', ')}]`;
      break;
  }
  const kids =
    p.kind === 'Join' || p.kind === 'SetOp'
      ? [p.left, p.right]
      : p.kind === 'RecursiveCte'
        ? [p.anchor, p.recursive]
        : 'input' in p
          ? [p.input]
          : [];
  return indent + line + '\n' + kids.map((k) => showPlan(k, indent + '  ')).join('');
}

/** `name:type` of each output column. */
export function schemaOf(p: LogicalPlan): string[] {
  return outputOf(p).map((a) => `${a.name}:${ty(a.type)}`);
}

// ---------------------------------------------------------------------------------------------
// AST builders for tests written before the parser exists.

const P = 1;
export const id = (name: string, pos = P): ast.Identifier => ({ name, quoted: false, pos });
export const qn = (...parts: string[]): ast.QualifiedName => ({ parts: parts.map((p) => id(p)), pos: P });
export const col = (name: string, pos = P): ast.ColumnExpr => ({
  kind: 'column',
  name: { parts: name.split('.').map((p) => id(p, pos)), pos },
  pos,
});
export const int = (n: number, pos = P): ast.LiteralExpr => ({
  kind: 'literal',
  value: { type: 'integer', text: String(n), suffix: null },
  pos,
});
export const dec = (text: string): ast.LiteralExpr => ({
  kind: 'literal',
  value: { type: 'decimal', text },
  pos: P,
});
export const str = (value: string): ast.LiteralExpr => ({
  kind: 'literal',
  value: { type: 'string', value },
  pos: P,
});
export const bin = (op: ast.BinaryOp, left: ast.Expr, right: ast.Expr, pos = P): ast.BinaryExpr => ({
  kind: 'binary',
  op,
  left,
  right,
  pos,
});
export const fn = (
  name: string,
  args: ast.Expr[],
  extra: Partial<ast.FunctionExpr> = {},
): ast.FunctionExpr => ({
  kind: 'function',
  name: qn(name),
  args,
  distinct: false,
  star: false,
  filter: null,
  ignoreNulls: null,
  over: null,
  orderBy: [],
  pos: P,
  ...extra,
});
export const item = (expr: ast.Expr, alias?: string): ast.ExprSelectItem => ({
  kind: 'expr_item',
  expr,
  alias: alias === undefined ? null : id(alias),
  pos: P,
});
export const star = (): ast.WildcardSelectItem => ({ kind: 'wildcard', qualifier: null, except: [], pos: P });
export const table = (name: string, alias?: string): ast.TableRelation => ({
  kind: 'table',
  name: qn(name),
  alias: alias === undefined ? null : { name: id(alias), columns: null, pos: P },
  pos: P,
});
export function select(s: Partial<ast.Select>): ast.Select {
  return {
    kind: 'select',
    distinct: false,
    items: [],
    from: [],
    where: null,
    groupBy: null,
    having: null,
    windows: [],
    qualify: null,
    pos: P,
    ...s,
  };
}
export function query(body: ast.QueryBody, q: Partial<ast.Query> = {}): ast.Query {
  return { kind: 'query', with: null, body, orderBy: [], limit: null, offset: null, pos: P, ...q };
}
export const groupBy = (...exprs: ast.Expr[]): ast.GroupBy => ({
  all: false,
  items: exprs.map((expr) => ({ kind: 'group_expr', expr, pos: P })),
  pos: P,
});
export const order = (expr: ast.Expr, ascending: boolean | null = null): ast.OrderItem => ({
  expr,
  ascending,
  nullsFirst: null,
  pos: P,
});
