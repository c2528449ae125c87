/**
 * Hand-made task descriptions for the remote executors' tests: the fields a test chooses, with
 * settings and budgets every such test shares.
 */
import { createBudget } from '../memory/memory-budget.ts';
import type { TaskDescription } from '../task.ts';

export function testTask(
  fields: Pick<TaskDescription, 'stageId' | 'partition' | 'fragment' | 'output'> &
    Partial<Pick<TaskDescription, 'inputs' | 'attempt' | 'queryId'>>,
): TaskDescription {
  return {
    queryId: 'q1',
    attempt: 0,
    inputs: [],
    ...fields,
    settings: {
      eval: {
        ansi: true,
        timeZone: 'UTC',
        queryStartMicros: 0n,
        currentDatabase: 'default',
        currentUser: 'u',
      },
      batchSize: 1024,
      spillDir: '/nowhere',
    },
    queryBudget: createBudget(64 << 20, 'kindling.memory.query_limit'),
    processBudget: createBudget(1 << 30, 'kindling.memory.limit'),
    instrument: false,
  };
}
