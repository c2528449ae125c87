/**
 * EXPLAIN ANALYZE: runs the query (its rows are counted, not returned) with every operator
 * measured, then prints the physical plan stage by stage:
 *
 *   Query: 4 rows in 812.4 ms, 2 stages, 6 tasks, peak memory 3.2 MiB
 *   Stage 2 (result): 2 tasks, task time min 3.1 ms, median 3.4 ms, max 3.6 ms
 *     SortExec: [l_returnflag@0 ASC NULLS FIRST]  (rows=4, batches=2, time=0.1 ms, cpu=0.1 ms)
 *       HashAggregateExec: mode=final, …  (rows=4, batches=2, time=0.4 ms, cpu=0.4 ms, memory=12.0 KiB)
 *         ShuffleExchangeExec: hash([l_returnflag@0], 2), stage=1  (rows=8, batches=4, …)
 *   Stage 1 (→ ShuffleExchangeExec: hash([l_returnflag@0], 2)): 4 tasks, …
 *
 * A map stage whose exchange output went (partly) to disk says so at the end of its header line:
 * `…, output spilled=80.1 MiB in 3 files, 1 pass` (one file per map task that spilled, written
 * once). One whose outputs were released as soon as the stages reading them were complete, before
 * the query's end, says `…, output released early` (`released early 2 times` when a lost reader's
 * rerun had them recomputed and released again).
 *
 * Per operator: rows and batches it produced, wall and CPU time of its own work (children's
 * subtracted), the most memory its reservations held, and the bytes and files it spilled to disk
 * and the passes it made over them (`spilled=12.0 MiB in 3 files, 2 passes`; what a pass is for
 * each operator: `OperatorMetrics.spillPasses`) — summed over the stage's tasks (the memory and
 * the passes are the largest of any task).
 */
import {
  addMetrics,
  emptyMetrics,
  formatBytes,
  preorder,
  selfTimes,
  type OperatorMetrics,
  type StageRunStats,
} from '../exec/index.ts';
import { explainExchange, type ExecutionPlan } from '../physical/index.ts';
import type { Query } from '../sql/parser/index.ts';
import {
  analyzeForSession,
  idGenerator,
  inlineScalarSubqueries,
  optimizeForSession,
  physicalPlan,
  startExecution,
} from './query.ts';
import type { Session } from './session.ts';

export async function explainAnalyze(
  session: Session,
  query: Query,
  signal: AbortSignal | undefined,
): Promise<string[]> {
  const nextId = idGenerator();
  const ctx = session.evalContext();
  const analyzed = analyzeForSession(session, query, nextId);
  const { optimized } = optimizeForSession(session, analyzed.plan, nextId, ctx);
  const started = performance.now();
  const ready = await inlineScalarSubqueries(session, optimized, ctx, signal);
  const run = startExecution(session, physicalPlan(session, ready), ctx, signal, true);
  let rows = 0;
  for await (const b of run.batches) rows += b.numRows;
  const elapsed = performance.now() - started;
  const stages = [...run.stages()].sort((a, b) => b.stageId - a.stageId);
  const tasks = stages.reduce((n, s) => n + s.tasks.length, 0);
  const where =
    run.placement === 'inline'
      ? "in the session's thread"
      : `${stages.length} stage${stages.length === 1 ? '' : 's'}, ${tasks} task${tasks === 1 ? '' : 's'}`;
  const lines = [
    '== Physical Plan (analyzed) ==',
    `Query: ${rows} row${rows === 1 ? '' : 's'} in ${ms(elapsed)}, ${where}, peak memory ${formatBytes(run.peakMemory(), 'B')}`,
  ];
  for (const s of stages) lines.push(...stageLines(s));
  return lines;
}

function stageLines(s: StageRunStats): string[] {
  const output = s.stage.output;
  const role =
    output.kind === 'result'
      ? 'result'
      : `→ ${explainExchange(output.exchange, output.keys, output.buckets, [])}`;
  const times = s.tasks.map((t) => t.elapsedMs).sort((a, b) => a - b);
  const timing =
    times.length === 0
      ? 'no task finished'
      : `task time min ${ms(times[0]!)}, median ${ms(times[Math.floor((times.length - 1) / 2)]!)}, max ${ms(times[times.length - 1]!)}`;
  const retried = s.launched > s.tasks.length ? `, ${s.launched - s.tasks.length} attempts retried` : '';
  let spilledBytes = 0;
  let spillFiles = 0;
  let spillPasses = 0;
  for (const t of s.tasks) {
    spilledBytes += t.exchange?.spilledBytes ?? 0;
    spillFiles += t.exchange?.spillFiles ?? 0;
    spillPasses = Math.max(spillPasses, t.exchange?.spillPasses ?? 0);
  }
  const spilled = spillFiles === 0 ? '' : `, output ${spilledText(spilledBytes, spillFiles, spillPasses)}`;
  const released =
    s.releases === 0 ? '' : `, output released early${s.releases === 1 ? '' : ` ${s.releases} times`}`;
  const header = `Stage ${s.stageId} (${role}): ${s.tasks.length} task${s.tasks.length === 1 ? '' : 's'}${retried}, ${timing}${released}${spilled}`;
  const plan = s.stage.plan;
  const nodes = preorder(plan);
  const totals = nodes.map(() => emptyMetrics());
  for (const t of s.tasks)
    t.operators?.forEach((m, i) => totals[i] !== undefined && addMetrics(totals[i], m));
  const self = selfTimes(plan, totals);
  const lines = [header];
  const walk = (p: ExecutionPlan, depth: number): void => {
    const i = nodes.indexOf(p);
    lines.push(`${'  '.repeat(depth + 1)}${p.explain()}  (${describe(totals[i]!, self[i]!)})`);
    for (const c of p.children()) walk(c, depth + 1);
  };
  walk(plan, 0);
  return lines;
}

function describe(m: OperatorMetrics, self: { elapsedMs: number; cpuMs: number }): string {
  const parts = [
    `rows=${m.rows}`,
    `batches=${m.batches}`,
    `time=${ms(self.elapsedMs)}`,
    `cpu=${ms(self.cpuMs)}`,
  ];
  if (m.peakMemory > 0) parts.push(`memory=${formatBytes(m.peakMemory, 'B')}`);
  if (m.spillFiles > 0) parts.push(spilledText(m.spilledBytes, m.spillFiles, m.spillPasses));
  return parts.join(', ');
}

/** `spilled=12.0 MiB in 3 files, 2 passes` (at least one pass: a file written is a pass). */
function spilledText(bytes: number, files: number, passes: number): string {
  const p = Math.max(1, passes);
  return `spilled=${formatBytes(bytes, 'B')} in ${files} file${files === 1 ? '' : 's'}, ${p} pass${p === 1 ? '' : 'es'}`;
}

function ms(n: number): string {
  return n >= 1000 ? `${(n / 1000).toFixed(2)} s` : `${n.toFixed(1)} ms`;
}
