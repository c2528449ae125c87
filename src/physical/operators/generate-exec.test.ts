import { describe, expect, it } from 'vitest';
import { T, batchRows, field, schema, type Value } from '../../common/index.ts';
import { GenerateExec } from './generate-exec.ts';
import { ColumnExpr, MemoryExec, batchOf, taskCtx } from './test-support.ts';

const INPUT = schema([field('k', T.int), field('a', T.array(T.string))]);
const rows: Value[][] = [
  [1, ['x', 'y']],
  [2, []],
  [3, null],
  [4, [null, 'z']],
];

async function run(withPosition: boolean, outer: boolean, batchSize = 8192): Promise<Value[][][]> {
  const gen = [...(withPosition ? [field('pos', T.int)] : []), field('col', T.string)];
  const exec = new GenerateExec({
    input: new MemoryExec(INPUT, [[batchOf(INPUT, rows)]]),
    arg: new ColumnExpr(1, T.array(T.string), 'a'),
    withPosition,
    outer,
    schema: schema([...INPUT.fields, ...gen]),
  });
  const types = exec.schema.fields.map((f) => f.type);
  const out: Value[][][] = [];
  for await (const b of exec.execute(0, taskCtx(batchSize))) out.push(batchRows(b, types));
  return out;
}

describe('GenerateExec', () => {
  it('explode: one row per element; NULL and empty arrays give none', async () => {
    expect((await run(false, false)).flat()).toEqual([
      [1, ['x', 'y'], 'x'],
      [1, ['x', 'y'], 'y'],
      [4, [null, 'z'], null],
      [4, [null, 'z'], 'z'],
    ]);
  });

  it('posexplode_outer: positions, and one NULL row for NULL and empty arrays', async () => {
    expect((await run(true, true)).flat()).toEqual([
      [1, ['x', 'y'], 0, 'x'],
      [1, ['x', 'y'], 1, 'y'],
      [2, [], null, null],
      [3, null, null, null],
      [4, [null, 'z'], 0, null],
      [4, [null, 'z'], 1, 'z'],
    ]);
  });

  it('splits output into batches of about batchSize rows', async () => {
    const batches = await run(false, false, 2);
    expect(batches.map((b) => b.length)).toEqual([2, 2]);
  });

  it('explains itself', () => {
    const exec = new GenerateExec({
      input: new MemoryExec(INPUT, [[]]),
      arg: new ColumnExpr(1, T.array(T.string), 'a'),
      withPosition: true,
      outer: true,
      schema: INPUT,
    });
    expect(exec.explain()).toBe('GenerateExec: posexplode_outer(a@1)');
  });
});
