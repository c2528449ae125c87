import { describe, expect, it } from 'vitest';
import { T, batchRows, field, schema, type DataType, type Value } from '../../common/index.ts';
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
    elementFields: false,
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

  it('inline: one column per struct field; a NULL struct gives NULLs, outer a row for none', async () => {
    const pair = { kind: 'struct', fields: [field('p', T.int), field('q', T.string)] } as const;
    const input = schema([field('k', T.int), field('a', T.array(pair))]);
    const data: Value[][] = [
      [1, [[1, 'x'], null, [3, null]]],
      [2, []],
      [3, null],
    ];
    for (const outer of [false, true]) {
      const exec = new GenerateExec({
        input: new MemoryExec(input, [[batchOf(input, data)]]),
        arg: new ColumnExpr(1, T.array(pair), 'a'),
        withPosition: false,
        elementFields: true,
        outer,
        schema: schema([...input.fields, field('p', T.int), field('q', T.string)]),
      });
      const out: Value[][] = [];
      // The generated columns come after every input column (the array stays in the batch).
      for await (const b of exec.execute(0, taskCtx(8192))) {
        for (const r of batchRows(b, [T.int, T.array(pair), T.int, T.string]))
          out.push([r[0]!, r[2]!, r[3]!]);
      }
      expect(out).toEqual([
        [1, 1, 'x'],
        [1, null, null],
        [1, 3, null],
        ...(outer
          ? [
              [2, null, null],
              [3, null, null],
            ]
          : []),
      ]);
      expect(exec.explain()).toBe(`GenerateExec: inline${outer ? '_outer' : ''}(a@1)`);
    }
  });

  it('explains itself', () => {
    const exec = new GenerateExec({
      input: new MemoryExec(INPUT, [[]]),
      arg: new ColumnExpr(1, T.array(T.string), 'a'),
      withPosition: true,
      elementFields: false,
      outer: true,
      schema: INPUT,
    });
    expect(exec.explain()).toBe('GenerateExec: posexplode_outer(a@1)');
  });

  it('explodes a map into key and value columns, in entry order', async () => {
    const type: DataType = { kind: 'map', key: T.string, value: T.int, valueContainsNull: true };
    const input = schema([field('k', T.int), field('m', type)]);
    const mapRows: Value[][] = [
      [
        1,
        new Map<Value, Value>([
          ['a', 1],
          ['b', null],
        ]),
      ],
      [2, new Map()],
      [3, null],
      [4, new Map<Value, Value>([['c', 3]])],
    ];
    const types = [T.int, type, T.int, T.string, T.int];
    const out: Value[][] = [];
    const outSchema = schema([
      field('k', T.int),
      field('m', type),
      field('pos', T.int),
      field('key', T.string),
      field('value', T.int),
    ]);
    const withMap = new GenerateExec({
      input: new MemoryExec(input, [[batchOf(input, mapRows)]]),
      arg: new ColumnExpr(1, type, 'm'),
      withPosition: true,
      elementFields: true,
      outer: true,
      schema: outSchema,
    });
    for await (const b of withMap.execute(0, taskCtx(8192))) out.push(...batchRows(b, types));
    expect(out.map((r) => [r[0], r[2], r[3], r[4]])).toEqual([
      [1, 0, 'a', 1],
      [1, 1, 'b', null],
      [2, null, null, null],
      [3, null, null, null],
      [4, 0, 'c', 3],
    ]);
    expect(withMap.explain()).toBe('GenerateExec: posexplode_outer(m@1)');
  });

  it('inline: one column per struct field, NULL fields for a NULL struct', async () => {
    const struct: DataType = { kind: 'struct', fields: [field('x', T.int), field('y', T.string)] };
    const type = T.array(struct);
    const input = schema([field('a', type)]);
    const structRows: Value[][] = [[[[1, 'p'], null, [null, 'q']]], [[]], [null]];
    const outSchema = schema([field('a', type), field('x', T.int), field('y', T.string)]);
    const exec = new GenerateExec({
      input: new MemoryExec(input, [[batchOf(input, structRows)]]),
      arg: new ColumnExpr(0, type, 'a'),
      withPosition: false,
      elementFields: true,
      outer: false,
      schema: outSchema,
    });
    const out: Value[][] = [];
    for await (const b of exec.execute(0, taskCtx(8192)))
      out.push(...batchRows(b, [type, T.int, T.string]).map((r) => r.slice(1)));
    expect(out).toEqual([
      [1, 'p'],
      [null, null],
      [null, 'q'],
    ]);
    expect(exec.explain()).toBe('GenerateExec: inline(a@0)');
  });
});
