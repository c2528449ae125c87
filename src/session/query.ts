/**
 * The query pipeline of a session: analyze → optimize → run uncorrelated scalar subqueries →
 * physical plan → lazy execution. Also EXPLAIN, which stops before execution.
 */
import type * as arrow from 'apache-arrow';
import {
  EngineError,
  SqlState,
  batchRows,
  changed,
  transformUp,
  unchanged,
  type Schema,
  type Value,
} from '../common/index.ts';
import type { QueryExecution } from '../exec/index.ts';
import { estimatePlan, explainCost, optimize, type RuleTrace } from '../optimizer/index.ts';
import {
  createPhysicalPlanner,
  evaluateConstant,
  explainPhysical,
  type ExecutionPlan,
} from '../physical/index.ts';
import {
  exprOps,
  explainLogical,
  outputOf,
  planExpressions,
  planOps,
  type Expr,
  type LogicalPlan,
} from '../plan/index.ts';
import {
  analyzeQuery,
  type AnalyzerCatalog,
  type AnalyzerContext,
  type RelationLookup,
} from '../sql/analyzer/index.ts';
import { parseQuery, type Query } from '../sql/parser/index.ts';
import type { EvalContext } from '../functions/index.ts';
import {
  INFORMATION_SCHEMA,
  PG_CATALOG,
  databaseOfSchema,
  relationOid,
  expandCatalogFunction,
  expandCatalogSetFunction,
  expandCatalogTableFunction,
  systemRelation,
  type CatalogView,
} from './pg-catalog.ts';
import { columnOrigins } from './column-origins.ts';
import {
  cachedProvider,
  cachedRelations,
  fillLazyCaches,
  tableVersion,
  temporaryViewKey,
  temporaryViewVersion,
} from './cache-table.ts';
import { fileRelation } from './file-relations.ts';
import type { Session } from './session.ts';
import { viewParseOptions } from './settings.ts';
import type { StatementResult } from './types.ts';

export interface AnalyzedQuery {
  readonly plan: LogicalPlan;
  readonly schema: Schema;
}

/**
 * What a persistent view may not read: a temporary view or a session variable (the callback
 * `onTemporaryObject` hears each one a query resolves).
 */
export type TemporaryObjectListener = (name: string, kind: 'VIEW' | 'VARIABLE') => void;

/**
 * Names visible to the analyzer: temporary views, then the metastore; a cached one (CACHE TABLE)
 * reads its cached batches.
 */
function analyzerCatalog(session: Session, onTemporaryView?: TemporaryObjectListener): AnalyzerCatalog {
  const metastore = session.engine.metastore;
  return {
    lookupRelation(parts) {
      const lower = parts.map((p) => p.toLowerCase());
      if (lower.length === 1) {
        const view = session.temporaryViews.get(lower[0]!);
        if (view !== undefined) {
          onTemporaryView?.(view.name, 'VIEW');
          const cached = cachedProvider(
            session,
            temporaryViewKey(session, view.name),
            temporaryViewVersion(view),
          );
          if (cached !== undefined) return { kind: 'table', source: cached };
          return { kind: 'view', name: [view.name], query: view.query, columns: view.columns };
        }
      }
      let database: string;
      let table: string;
      if (lower.length === 1) [database, table] = [session.currentDatabase, lower[0]!];
      else if (lower.length === 2) [database, table] = [lower[0]!, lower[1]!];
      else if (lower.length === 3 && lower[0] === 'spark_catalog') [database, table] = [lower[1]!, lower[2]!];
      else return undefined;
      if (database === PG_CATALOG || database === INFORMATION_SCHEMA)
        return systemLookup(session, database, table);
      if (database === 'public' && !metastore.databaseExists('public')) database = databaseOfSchema(database);
      const def = metastore.getTable(database, table);
      // PostgreSQL finds its catalogs first; here a table of the same name wins.
      if (def === undefined) {
        if (lower.length === 1) return systemLookup(session, PG_CATALOG, table);
        const file = lower.length === 2 ? fileRelation(session, parts[0]!, parts[1]!) : undefined;
        return file === undefined ? undefined : { kind: 'table', source: metastore.tableProvider(file) };
      }
      const cached = cachedProvider(session, `${database}.${table}`, tableVersion(def));
      if (cached !== undefined) return { kind: 'table', source: cached };
      if (def.format === 'view') {
        const text = def.properties.viewText ?? '';
        return {
          kind: 'view',
          name: [database, table],
          query: parseQuery(text, viewParseOptions(def.properties)),
          columns: def.columns.map((c) => c.name),
        };
      }
      return { kind: 'table', source: metastore.tableProvider(def) };
    },
    relationNames() {
      const names = [...session.temporaryViews.keys()];
      for (const t of metastore.listTables(session.currentDatabase)) names.push(t.name);
      return names;
    },
  };
}

function catalogView(session: Session): CatalogView {
  return {
    metastore: session.engine.metastore,
    user: session.user,
    currentDatabase: session.currentDatabase,
    settings: () => session.settings.list(),
    functions: session.engine.functions,
    setting: (name) => session.settings.get(name),
    backend: session.backend,
    caches: () => cachedRelations(session),
  };
}

function systemLookup(
  session: Session,
  schema: typeof PG_CATALOG | typeof INFORMATION_SCHEMA,
  name: string,
): RelationLookup | undefined {
  const found = systemRelation(catalogView(session), schema, name);
  return found === undefined
    ? undefined
    : { kind: 'rows', name: [schema, name], ...found, tableOid: relationOid(schema, name) };
}

/** A fresh id source per query (ids must be unique within one query only). */
export function idGenerator(): () => number {
  let next = 1;
  return () => next++;
}

export function analyzerContext(
  session: Session,
  nextId: () => number,
  onTemporaryView?: TemporaryObjectListener,
): AnalyzerContext {
  return {
    catalog: analyzerCatalog(session, onTemporaryView),
    lookupVariable: (parts) => {
      const found = session.variables.resolve(parts);
      if (found !== undefined) onTemporaryView?.(found.name, 'VARIABLE');
      return found;
    },
    expandFunction: (name, args, pos) => expandCatalogFunction(catalogView(session), name, args, pos),
    expandSetFunction: (name, args, pos) => expandCatalogSetFunction(catalogView(session), name, args, pos),
    expandTableFunction: (name, args, pos) =>
      expandCatalogTableFunction(catalogView(session), name, args, pos),
    functions: session.engine.functions,
    ansi: session.settings.ansi,
    caseSensitive: false,
    groupByOrdinal: session.settings.get('spark.sql.groupByOrdinal') === 'true',
    legacyInterval: session.settings.get('spark.sql.legacy.interval.enabled') === 'true',
    groupByAliases: session.settings.get('spark.sql.groupByAliases') === 'true',
    orderByOrdinal: session.settings.get('spark.sql.orderByOrdinal') === 'true',
    timeZone: session.settings.timeZone,
    evaluateConstant: (e) => evaluateConstant(e, session.evalContext(), session.engine.functions),
    nextId,
  };
}

export function analyzeForSession(
  session: Session,
  query: Query,
  nextId = idGenerator(),
  onTemporaryView?: TemporaryObjectListener,
): AnalyzedQuery {
  const plan = analyzeQuery(query, analyzerContext(session, nextId, onTemporaryView));
  return { plan, schema: schemaOf(plan) };
}

export function schemaOf(plan: LogicalPlan): Schema {
  return { fields: outputOf(plan).map((a) => ({ name: a.name, type: a.type, nullable: a.nullable })) };
}

interface PlannedQuery {
  readonly analyzed: LogicalPlan;
  readonly optimized: LogicalPlan;
  readonly trace: readonly RuleTrace[];
}

export function optimizeForSession(
  session: Session,
  plan: LogicalPlan,
  nextId: () => number,
  ctx: EvalContext,
): PlannedQuery {
  const { plan: optimized, trace } = optimize(plan, {
    disabledRules: session.settings.disabledRules,
    maxPasses: session.settings.maxOptimizerPasses,
    evaluateConstant: (e: Expr): Value => evaluateConstant(e, ctx, session.engine.functions),
    nextId,
    targetPartitions: session.settings.targetPartitions,
  });
  return { analyzed: plan, optimized, trace };
}

export function physicalPlan(session: Session, plan: LogicalPlan): ExecutionPlan {
  const planner = createPhysicalPlanner({
    functions: session.engine.functions,
    targetPartitions: session.settings.targetPartitions,
    shufflePartitions: session.settings.shufflePartitions,
    maxRecursionDepth: session.settings.cteRecursionLevelLimit,
    broadcastThreshold: session.settings.broadcastThreshold,
    runtimeKeyFilter: session.settings.runtimeKeyFilter,
    estimate: estimatePlan,
  });
  return planner.plan(plan);
}

/** Starts a physical plan on the engine's executors (or inline when it is tiny). */
export function startExecution(
  session: Session,
  plan: ExecutionPlan,
  ctx: EvalContext,
  signal: AbortSignal | undefined,
  instrument = false,
): QueryExecution {
  const settings = session.settings;
  return session.engine.execution.execute(plan, {
    eval: ctx,
    batchSize: settings.batchSize,
    signal: signal ?? new AbortController().signal,
    queryMemoryLimit: settings.queryMemoryLimit,
    maxTaskFailures: settings.maxTaskFailures,
    inlineTinyPlans: settings.inlineTinyQueries,
    instrument,
  });
}

/**
 * Runs every uncorrelated scalar subquery left in the plan once and puts its value in its place
 * (Spark does the same). More than one row is 21000 (`[SCALAR_SUBQUERY_TOO_MANY_ROWS]`).
 */
export async function inlineScalarSubqueries(
  session: Session,
  plan: LogicalPlan,
  ctx: EvalContext,
  signal: AbortSignal | undefined,
): Promise<LogicalPlan> {
  const pending: { plan: LogicalPlan; value?: Value }[] = [];
  const found = new Map<LogicalPlan, number>();
  const collectSubqueries = (p: LogicalPlan): void => {
    for (const e of planExpressions(p)) {
      transformUp(exprOps, e, (x) => {
        if (x.kind === 'scalar_subquery' && !found.has(x.plan)) {
          found.set(x.plan, pending.length);
          pending.push({ plan: x.plan });
        }
        return unchanged(x);
      });
    }
    for (const c of planOps.children(p)) collectSubqueries(c);
  };
  collectSubqueries(plan);
  if (pending.length === 0) return plan;
  for (const sub of pending) {
    const inner = await inlineScalarSubqueries(session, sub.plan, ctx, signal);
    const exec = physicalPlan(session, inner);
    const types = exec.schema.fields.map((f) => f.type);
    const rows: Value[][] = [];
    for await (const b of startExecution(session, exec, ctx, signal).batches) {
      rows.push(...batchRows(b, types));
      if (rows.length > 1) break;
    }
    if (rows.length > 1) {
      throw new EngineError(
        SqlState.cardinalityViolation,
        '[SCALAR_SUBQUERY_TOO_MANY_ROWS] More than one row returned by a subquery used as an expression.',
      );
    }
    sub.value = rows.length === 0 ? null : (rows[0]![0] ?? null);
  }
  return transformUp(planOps, plan, (p) => {
    const exprs = planExpressions(p);
    if (exprs.length === 0) return unchanged(p);
    let any = false;
    const rewrite = (e: Expr): Expr =>
      transformUp(exprOps, e, (x) => {
        if (x.kind !== 'scalar_subquery') return unchanged(x);
        const i = found.get(x.plan);
        if (i === undefined) return unchanged(x);
        any = true;
        return changed<Expr>({ kind: 'literal', value: pending[i]!.value ?? null, type: x.type });
      }).node;
    const next = replaceExpressions(p, rewrite);
    return any ? changed(next) : unchanged(p);
  }).node;
}

/** A copy of a node with each of its own expressions rewritten. */
function replaceExpressions(p: LogicalPlan, f: (e: Expr) => Expr): LogicalPlan {
  switch (p.kind) {
    case 'Filter':
      return { ...p, predicate: f(p.predicate) };
    case 'Project':
      return { ...p, exprs: p.exprs.map((n) => ({ ...n, expr: f(n.expr) })) };
    case 'Aggregate':
      return {
        ...p,
        groupBy: p.groupBy.map((n) => ({ ...n, expr: f(n.expr) })),
        aggregates: p.aggregates.map((n) => ({ ...n, expr: f(n.expr) })),
      };
    case 'Window':
      return { ...p, windows: p.windows.map((n) => ({ ...n, expr: f(n.expr) })) };
    case 'Join':
      return p.condition === null ? p : { ...p, condition: f(p.condition) };
    case 'Sort':
      return { ...p, orders: p.orders.map((o) => ({ ...o, expr: f(o.expr) })) };
    case 'Scan':
      return { ...p, filters: p.filters.map(f) };
    case 'Generate':
      return { ...p, arg: f(p.arg) };
    default:
      return p;
  }
}

export async function runQuery(
  session: Session,
  query: Query,
  signal: AbortSignal | undefined,
): Promise<StatementResult> {
  await fillLazyCaches(session, query, signal);
  const nextId = idGenerator();
  const analyzed = analyzeForSession(session, query, nextId);
  const batches = await executeAnalyzed(session, analyzed.plan, nextId, signal);
  return {
    kind: 'rows',
    schema: analyzed.schema,
    batches: relabel(batches, analyzed.schema),
    tag: 'SELECT',
    origins: columnOrigins(analyzed.plan),
  };
}

/**
 * Optimizes, plans and starts an analyzed plan (`nextId` must be the id source it was analyzed
 * with). Batches are produced as they are pulled. `sink` puts an operator on top of the physical
 * plan (a table write), which then runs in the same tasks.
 */
export async function executeAnalyzed(
  session: Session,
  plan: LogicalPlan,
  nextId: () => number,
  signal: AbortSignal | undefined,
  sink?: (physical: ExecutionPlan) => ExecutionPlan,
): Promise<AsyncIterable<arrow.RecordBatch>> {
  const ctx = session.evalContext();
  const { optimized } = optimizeForSession(session, plan, nextId, ctx);
  const ready = await inlineScalarSubqueries(session, optimized, ctx, signal);
  const physical = physicalPlan(session, ready);
  return startExecution(session, sink === undefined ? physical : sink(physical), ctx, signal).batches;
}

/** Physical schemas carry the plan's names already; this only guards the contract in one place. */
async function* relabel(
  batches: AsyncIterable<arrow.RecordBatch>,
  schema: Schema,
): AsyncGenerator<arrow.RecordBatch> {
  for await (const b of batches) {
    if (b.numCols !== schema.fields.length) {
      throw new EngineError(
        SqlState.internalError,
        `internal error: result has ${b.numCols} columns, expected ${schema.fields.length}`,
      );
    }
    if (b.numRows > 0) yield b;
  }
}

export function explainQuery(
  session: Session,
  query: Query,
  mode: 'simple' | 'extended' | 'verbose' | 'formatted' | 'cost' | 'analyze',
): string[] {
  const nextId = idGenerator();
  const ctx = session.evalContext();
  const analyzed = analyzeForSession(session, query, nextId);
  const { optimized, trace } = optimizeForSession(session, analyzed.plan, nextId, ctx);
  const lines: string[] = [];
  const section = (title: string, text: string): void => {
    lines.push(`== ${title} ==`, ...text.split('\n').filter((l) => l !== ''));
  };
  if (mode === 'extended' || mode === 'verbose')
    section('Analyzed Logical Plan', explainLogical(analyzed.plan));
  if (mode === 'verbose') {
    for (const t of trace) section(`After ${t.rule}`, explainLogical(t.plan));
  }
  section('Optimized Logical Plan', mode === 'cost' ? explainCost(optimized) : explainLogical(optimized));
  let physicalText: string;
  try {
    physicalText = explainPhysical(physicalPlan(session, optimized));
  } catch (err) {
    if (err instanceof EngineError && err.sqlstate === SqlState.featureNotSupported)
      physicalText = `(not plannable: ${err.message})`;
    else throw err;
  }
  section('Physical Plan', physicalText);
  return lines;
}
