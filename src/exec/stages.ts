/**
 * Cutting a physical plan into stages at its exchanges.
 *
 *   ProjectionExec                         stage 2 (result, 4 tasks):
 *     HashAggregateExec: final               ProjectionExec
 *       ShuffleExchangeExec: hash(…, 4)  ═►    HashAggregateExec: final
 *         HashAggregateExec: partial             ShuffleExchangeExec: hash(…, 4), stage=1
 *           TableScanExec: lineitem          stage 1 (map, 8 tasks → 4 buckets each):
 *                                              HashAggregateExec: partial
 *                                                TableScanExec: lineitem
 *
 * Each exchange's input becomes a map stage that writes the exchange's buckets; the exchange itself
 * becomes an `ExchangeReaderExec` naming that stage. A stage runs one task per output partition
 * of its fragment. The plan's root is the result stage, whose tasks stream to the session.
 * Exchanges inside a recursive CTE's branches stay where they are: the branches run again and again
 * inside one task, exchanges in-process.
 */
import {
  ExchangeExec,
  ExchangeReaderExec,
  RecursiveCteExec,
  type ExecutionPlan,
  type ExchangeKind,
  type PhysicalExpr,
} from '../physical/index.ts';

/** Where a stage's rows go: buckets of an exchange, or the session. */
export type StageOutput =
  | {
      readonly kind: 'exchange';
      readonly exchange: ExchangeKind;
      readonly keys: readonly PhysicalExpr[];
      /** Buckets each map task writes. */
      readonly buckets: number;
    }
  | { readonly kind: 'result' };

export interface Stage {
  readonly id: number;
  /** The plan the tasks run, with `ExchangeReaderExec` leaves where it reads earlier stages. */
  readonly plan: ExecutionPlan;
  /** Tasks = partitions of `plan`. */
  readonly partitions: number;
  readonly output: StageOutput;
  /** The stages whose output this one reads (its `ExchangeReaderExec`s). */
  readonly parents: readonly number[];
}

export interface StagePlan {
  /** Every stage, parents before children; the last is the result stage. */
  readonly stages: readonly Stage[];
  readonly result: Stage;
}

export function cutStages(plan: ExecutionPlan): StagePlan {
  const stages: Stage[] = [];
  // An exchange reached twice (a join's build side that also feeds a `KeyFilterExec`) is one stage.
  const cutExchanges = new Map<ExchangeExec, { id: number; reader: ExchangeReaderExec }>();
  const cut = (node: ExecutionPlan, parents: number[]): ExecutionPlan => {
    if (node instanceof RecursiveCteExec) return node;
    if (node instanceof ExchangeExec) {
      const seen = cutExchanges.get(node);
      if (seen !== undefined) {
        if (!parents.includes(seen.id)) parents.push(seen.id);
        return seen.reader;
      }
      const childParents: number[] = [];
      const input = cut(node.input, childParents);
      const id = stages.length + 1;
      stages.push({
        id,
        plan: input,
        partitions: input.outputPartitions,
        output: { kind: 'exchange', exchange: node.kind, keys: node.keys, buckets: node.count },
        parents: childParents,
      });
      parents.push(id);
      const reader = new ExchangeReaderExec({
        stageId: id,
        kind: node.kind,
        keys: node.keys,
        count: node.count,
        sortKeys: node.sortKeys,
        schema: node.schema,
      });
      cutExchanges.set(node, { id, reader });
      return reader;
    }
    const children = node.children();
    if (children.length === 0) return node;
    const next = children.map((c) => cut(c, parents));
    return next.every((c, i) => c === children[i]) ? node : node.withChildren(next);
  };
  const parents: number[] = [];
  const root = cut(plan, parents);
  const result: Stage = {
    id: stages.length + 1,
    plan: root,
    partitions: root.outputPartitions,
    output: { kind: 'result' },
    parents,
  };
  stages.push(result);
  return { stages, result };
}
