import * as fs from 'node:fs';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { EngineError, T, decimal64Values, field, type Value } from '../../common/index.ts';
import { LINEITEM_COLUMNS } from '../tpch-lineitem.ts';
import { isValidUtf8 } from './csv-field-parsers.ts';
import { CsvTableProvider } from './csv-table-provider.ts';
import { csvDef, readRows, tempDir, writeFile } from './csv-test-support.ts';

const dir = tempDir();
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
let counter = 0;
function file(content: string | Uint8Array, ext = '.csv'): string {
  return writeFile(dir, `f${counter++}${ext}`, content);
}

async function failure(promise: Promise<unknown>): Promise<EngineError> {
  try {
    await promise;
  } catch (err) {
    expect(err).toBeInstanceOf(EngineError);
    return err as EngineError;
  }
  throw new Error('expected an error');
}

const day = (iso: string): number => Date.parse(iso + 'T00:00:00Z') / 86_400_000;

describe('CSV types', () => {
  it('reads every type, with NULLs for empty fields', async () => {
    const cols = [
      field('b', T.boolean),
      field('t', T.tinyint),
      field('s', T.smallint),
      field('i', T.int),
      field('l', T.bigint),
      field('f', T.float),
      field('d', T.double),
      field('m', T.decimal(15, 2)),
      field('w', T.decimal(30, 3)),
      field('str', T.string),
      field('dt', T.date),
      field('ts', T.timestamp),
    ];
    const f = file(
      'TRUE,-128,32767,-2147483648,9223372036854775807,1.5,-2.25e3,-12.5,123456789012345678901.125,héllo,2024-02-29,2024-01-02 03:04:05.123456\n' +
        'false,127,-32768,2147483647,-9223372036854775808,NaN,Inf,0.005,-0.0005,,1970-01-01,1970-01-01\n' +
        ',,,,,,,,,,,\n',
    );
    const rows = await readRows(csvDef(f, cols));
    expect(rows).toEqual([
      [
        true,
        -128,
        32767,
        -2147483648,
        9223372036854775807n,
        1.5,
        -2250,
        -1250n,
        123456789012345678901125n,
        'héllo',
        day('2024-02-29'),
        BigInt(Date.parse('2024-01-02T03:04:05Z')) * 1000n + 123456n,
      ],
      [false, 127, -32768, 2147483647, -9223372036854775808n, NaN, Infinity, 1n, -1n, null, 0, 0n],
      [null, null, null, null, null, null, null, null, null, null, null, null],
    ]);
  });

  it('turns malformed and overflowing values into NULL in PERMISSIVE mode', async () => {
    const cols = [
      field('t', T.tinyint),
      field('i', T.int),
      field('l', T.bigint),
      field('m', T.decimal(5, 2)),
      field('d', T.double),
      field('b', T.boolean),
      field('dt', T.date),
      field('ts', T.timestamp),
    ];
    const f = file(
      '128,2147483648,9223372036854775808,1000.00,1.2.3,yes,2023-02-29,2024-13-01 00:00:00\n' +
        ' 1,1x,abc,12a,--1,tru,2023-1-1x,nope\n' +
        '-129,-2147483649,-9223372036854775809,999.995,1e400,FALSE,2023-1-5,2024-01-01T10:20\n',
    );
    const rows = await readRows(csvDef(f, cols));
    expect(rows).toEqual([
      [null, null, null, null, null, null, null, null],
      [null, null, null, null, null, null, null, null],
      [
        null,
        null,
        null,
        null,
        Infinity,
        false,
        day('2023-01-05'),
        BigInt(Date.parse('2024-01-01T10:20:00Z')) * 1000n,
      ],
    ]);
  });

  it('reads TIME(p) as CAST(text AS TIME(p)) does, quoted or not; malformed times are NULL', async () => {
    const f = file('10:00:00.5,10:00:00.5\n"23:59:59.999999",23:59:59.999999\n1:02 PM,\nbad,24:00\n');
    const rows = await readRows(csvDef(f, [field('t', T.time), field('t3', { kind: 'time', precision: 3 })]));
    expect(rows).toEqual([
      [36_000_500_000n, 36_000_500_000n],
      [86_399_999_999n, 86_399_999_000n],
      [46_920_000_000n, null],
      [null, null],
    ]);
  });

  it('rounds extra decimal digits HALF_UP and accepts exponents and signs', async () => {
    const f = file('1.005\n-1.005\n1.004\n+2\n.5\n1E2\n-2.5e-2\n12345678901234567.891\n0.000\n');
    const rows = await readRows(csvDef(f, [field('m', T.decimal(20, 2))]));
    expect(rows.map((r) => r[0])).toEqual([
      101n,
      -101n,
      100n,
      200n,
      50n,
      10000n,
      -3n,
      1234567890123456789n,
      0n,
    ]);
  });

  it('reads doubles exactly like Number()', async () => {
    const values = [
      '0.1',
      '123.456',
      '1e-7',
      '-0.000001',
      '9007199254740993',
      '3.141592653589793238',
      'Infinity',
      '-Inf',
    ];
    const f = file(values.join('\n') + '\n');
    const rows = await readRows(csvDef(f, [field('d', T.double)]));
    expect(rows.map((r) => r[0])).toEqual([
      0.1,
      123.456,
      1e-7,
      -0.000001,
      9007199254740993,
      3.141592653589793,
      Infinity,
      -Infinity,
    ]);
  });
});

describe('CSV parse modes', () => {
  const cols = [field('a', T.int), field('b', T.string)];
  const content = '1,x\nbad,y\n3,z\n4\n5,w,extra\n';

  it('PERMISSIVE: malformed fields are NULL, missing fields NULL, extra fields dropped', async () => {
    expect(await readRows(csvDef(file(content), cols))).toEqual([
      [1, 'x'],
      [null, 'y'],
      [3, 'z'],
      [4, null],
      [5, 'w'],
    ]);
  });

  it('DROPMALFORMED drops malformed records and records with the wrong number of fields', async () => {
    expect(await readRows(csvDef(file(content), cols, { mode: 'dropmalformed' }))).toEqual([
      [1, 'x'],
      [3, 'z'],
    ]);
  });

  it('FAILFAST raises 22023 MALFORMED_RECORD_IN_PARSING naming the file, line and column', async () => {
    const f = file(content);
    const err = await failure(readRows(csvDef(f, cols, { mode: 'FAILFAST' })));
    expect(err.sqlstate).toBe('22023');
    expect(err.message).toContain(f);
    expect(err.message).toContain('line 2, column 1');
    expect(err.message).toContain('cannot parse "bad" as int');
    const short = await failure(readRows(csvDef(file('1,x\n2\n'), cols, { mode: 'FAILFAST' })));
    expect(short.message).toContain('line 2');
    expect(short.message).toContain('expected 2 fields, found 1');
  });

  it('bytes that are not UTF-8: FAILFAST names file, line and column; PERMISSIVE NULL; DROPMALFORMED drops', async () => {
    // Line 2 has a stray continuation byte, line 4 a truncated sequence, line 5 an overlong "/",
    // line 6 a surrogate; lines 1 and 3 hold valid multi-byte text (é, 日本, 🚀).
    const bytes = Buffer.concat([
      Buffer.from('1,caf\u00e9\n2,a'),
      Buffer.from([0x80]),
      Buffer.from('b\n3,\u65e5\u672c \ud83d\ude80\n4,x'),
      Buffer.from([0xe6, 0x97]),
      Buffer.from('\n5,'),
      Buffer.from([0xc0, 0xaf]),
      Buffer.from('\n6,'),
      Buffer.from([0xed, 0xa0, 0x80]),
      Buffer.from('\n'),
    ]);
    const f = file(new Uint8Array(bytes));
    const err = await failure(readRows(csvDef(f, cols, { mode: 'FAILFAST' })));
    expect(err.sqlstate).toBe('22023');
    expect(err.message).toContain(f);
    expect(err.message).toContain('line 2, column 2: the field holds bytes that are not valid UTF-8');
    expect(await readRows(csvDef(f, cols))).toEqual([
      [1, 'caf\u00e9'],
      [2, null],
      [3, '\u65e5\u672c \ud83d\ude80'],
      [4, null],
      [5, null],
      [6, null],
    ]);
    expect(await readRows(csvDef(f, cols, { mode: 'DROPMALFORMED' }))).toEqual([
      [1, 'caf\u00e9'],
      [3, '\u65e5\u672c \ud83d\ude80'],
    ]);
    // Quoted fields take the general path: the same rules.
    const quoted = file(
      new Uint8Array(Buffer.concat([Buffer.from('1,"a'), Buffer.from([0xff]), Buffer.from('"\n')])),
    );
    expect(await readRows(csvDef(quoted, cols))).toEqual([[1, null]]);
  });

  it('does not count a trailing delimiter as an extra field (dbgen files)', async () => {
    const rows = await readRows(csvDef(file('1|x|\n2|y|\n'), cols, { sep: '|', mode: 'FAILFAST' }));
    expect(rows).toEqual([
      [1, 'x'],
      [2, 'y'],
    ]);
  });

  it('rejects bad option values', () => {
    expect(() => new CsvTableProvider(csvDef('/x', cols, { mode: 'lenient' }))).toThrow(EngineError);
    expect(() => new CsvTableProvider(csvDef('/x', cols, { sep: '||' }))).toThrow(EngineError);
    expect(() => new CsvTableProvider(csvDef('/x', cols, { encoding: 'latin1' }))).toThrow(/UTF-8/);
  });
});

describe('CSV syntax', () => {
  const cols = [field('a', T.string), field('b', T.string), field('c', T.int)];

  it('handles quoted fields with separators, newlines, escaped and doubled quotes', async () => {
    const f = file('"a,b","line1\nline2",1\n"say \\"hi\\"","x""y",2\n"",plain,3\n');
    expect(await readRows(csvDef(f, cols))).toEqual([
      ['a,b', 'line1\nline2', 1],
      ['say "hi"', 'x"y', 2],
      ['', 'plain', 3],
    ]);
  });

  it('keeps leading and trailing spaces, drops CR of CRLF, skips blank lines', async () => {
    const f = file(' lead,trail ,1\r\n\r\n\n"q",  x  ,2\r\n');
    expect(await readRows(csvDef(f, cols))).toEqual([
      [' lead', 'trail ', 1],
      ['q', '  x  ', 2],
    ]);
  });

  it('skips the header line, and handles a last line without newline', async () => {
    const f = file('a,b,c\n1,2,3\n4,5,6');
    expect(await readRows(csvDef(f, cols, { header: 'TRUE' }))).toEqual([
      ['1', '2', 3],
      ['4', '5', 6],
    ]);
  });

  it('skips a UTF-8 byte order mark at the start of the file', async () => {
    const f = file('\uFEFFa,b,1\n');
    expect(await readRows(csvDef(f, cols), { chunkSize: 1 })).toEqual([['a', 'b', 1]]);
    expect(await readRows(csvDef(f, cols))).toEqual([['a', 'b', 1]]);
  });

  it('applies nullValue and emptyValue', async () => {
    const f = file('\\N,"",\\N\nx,,1\n');
    expect(await readRows(csvDef(f, cols, { nullValue: '\\N', emptyValue: 'EMPTY' }))).toEqual([
      [null, 'EMPTY', null],
      ['x', null, 1],
    ]);
  });

  it('reads lines that span chunk boundaries (tiny chunks)', async () => {
    const lines: string[] = [];
    for (let i = 0; i < 200; i++) lines.push(`"v${i},q",${'w'.repeat(i % 13)},${i}`);
    const f = file(lines.join('\r\n') + '\r\n');
    const expected = lines.map((_, i) => [`v${i},q`, i % 13 === 0 ? null : 'w'.repeat(i % 13), i]);
    for (const chunkSize of [1, 2, 3, 7, 64]) {
      expect(await readRows(csvDef(f, cols), { chunkSize, batchSize: 17 })).toEqual(expected);
    }
  });

  it('does not crash on binary garbage in PERMISSIVE mode', async () => {
    const bytes = new Uint8Array(5000);
    let x = 12345;
    for (let i = 0; i < bytes.length; i++) {
      x = (x * 1103515245 + 12345) & 0x7fffffff;
      bytes[i] = x & 0xff;
    }
    const rows = await readRows(
      csvDef(file(bytes), [field('a', T.int), field('b', T.string), field('c', T.date)]),
    );
    expect(rows.length).toBeGreaterThan(0);
  });
});

describe('CSV files, projection, limit, partitions', () => {
  const cols = [field('id', T.int), field('name', T.string), field('amount', T.decimal(10, 2))];

  it('reads gzip files transparently', async () => {
    const f = file(zlib.gzipSync('1,a,1.50\n2,b,2.25\n'), '.csv.gz');
    expect(await readRows(csvDef(f, cols))).toEqual([
      [1, 'a', 150n],
      [2, 'b', 225n],
    ]);
  });

  it('reports a corrupt gzip file as XX001 naming it', async () => {
    const f = file(new Uint8Array([0x1f, 0x8b, 8, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9]), '.csv.gz');
    const err = await failure(readRows(csvDef(f, cols)));
    expect(err.sqlstate).toBe('XX001');
    expect(err.message).toContain(f);
  });

  it('produces only the projected columns, in the requested order', async () => {
    const f = file('1,a,1.50\n2,b,oops\n');
    expect(await readRows(csvDef(f, cols), { projection: [2, 0] })).toEqual([
      [150n, 1],
      [null, 2],
    ]);
    expect(await readRows(csvDef(f, cols), { projection: [] })).toEqual([[], []]);
  });

  it('stops at the limit', async () => {
    const f = file(Array.from({ length: 100 }, (_, i) => `${i},x,1`).join('\n'));
    const rows = await readRows(csvDef(f, cols), { limit: 7, batchSize: 3 });
    expect(rows.map((r) => r[0])).toEqual([0, 1, 2, 3, 4, 5, 6]);
    expect(await readRows(csvDef(f, cols), { limit: 0 })).toEqual([]);
  });

  it('reads directories with Hive partition folders, skipping hidden files', async () => {
    const root = path.join(dir, 'parted');
    writeFile(root, 'year=2023/month=1/a.csv', '1,a\n2,b\n');
    writeFile(root, 'year=2024/month=12/b.csv', '3,c\n');
    writeFile(root, 'year=__HIVE_DEFAULT_PARTITION__/month=x/c.csv', '4,d\n');
    writeFile(root, '_SUCCESS', '');
    writeFile(root, 'year=2024/.hidden.csv', '9,z\n');
    const def = csvDef(
      root,
      [field('id', T.int), field('name', T.string), field('year', T.int), field('month', T.int)],
      {},
      ['year', 'month'],
    );
    expect(await readRows(def)).toEqual([
      [1, 'a', 2023, 1],
      [2, 'b', 2023, 1],
      [3, 'c', 2024, 12],
      [4, 'd', null, null],
    ]);
    expect(await readRows(def, { projection: [3, 0] })).toEqual([
      [1, 1],
      [1, 2],
      [12, 3],
      [null, 4],
    ]);
    expect(await readRows(def, { targetPartitions: 3 })).toHaveLength(4);
  });

  it('reports a missing path when the scan is read, naming it', async () => {
    const missing = path.join(dir, 'does-not-exist.csv');
    const provider = new CsvTableProvider(csvDef(missing, cols));
    expect(provider.statistics()).toEqual({ rowCount: null, totalBytes: null });
    const scan = provider.scan({ projection: null, filters: [], limit: null, targetPartitions: 2 });
    expect(scan.partitions).toBe(1);
    const err = await failure(readRows(csvDef(missing, cols)));
    expect(err.sqlstate).toBe('42K03');
    expect(err.message).toContain(missing);
  });

  it('reports statistics from the files and the numRows property', () => {
    const f = file('1,a,1\n');
    const def = { ...csvDef(f, cols), properties: { numRows: '1' } };
    expect(new CsvTableProvider(def).statistics()).toEqual({ rowCount: 1, totalBytes: 6 });
  });

  it('describes the scan', () => {
    const f = file('1,a,1\n');
    const scan = new CsvTableProvider(csvDef(f, cols)).scan({
      projection: [1],
      filters: [],
      limit: 5,
      targetPartitions: 4,
    });
    expect(scan.describe()).toBe(`CsvScan: ${path.basename(f)}, projection=[name], partitions=1, limit=5`);
  });
});

describe('TPC-H SF0.01 lineitem', () => {
  const location = path.resolve(import.meta.dirname, '../../../test/data/tpch/sf0.01/lineitem.tbl');
  const def = { ...csvDef(location, LINEITEM_COLUMNS, { sep: '|' }), name: 'lineitem' };

  it('has 60175 rows, exact sum of l_quantity, and exact first values', async () => {
    for (const targetPartitions of [1, 4]) {
      const provider = new CsvTableProvider(def, { minSplitBytes: 1 << 20 });
      const scan = provider.scan({ projection: [4, 15, 10], filters: [], limit: null, targetPartitions });
      expect(scan.partitions).toBe(targetPartitions);
      let rows = 0;
      let sum = 0n;
      for (let p = 0; p < scan.partitions; p++) {
        for await (const batch of scan.open(p, { signal: new AbortController().signal, batchSize: 8192 })) {
          rows += batch.numRows;
          for (const v of decimal64Values(batch.data.children[0]!)) sum += v;
        }
      }
      expect(rows).toBe(60175);
      expect(sum).toBe(153612700n); // 1536127.00
    }
    const first: Value[][] = await readRows(def, { limit: 2 });
    expect(first[1]).toEqual([
      1n,
      674n,
      75n,
      2,
      3600n,
      5668812n,
      9n,
      6n,
      'N',
      'O',
      day('1996-04-12'),
      day('1996-02-28'),
      day('1996-04-20'),
      'TAKE BACK RETURN',
      'MAIL',
      'ly final dependencies: slyly bold ',
    ]);
  });
});

describe('isValidUtf8', () => {
  it('agrees with a fatal TextDecoder on random byte strings', () => {
    const decoder = new TextDecoder('utf-8', { fatal: true });
    let x = 987654321;
    const next = (): number => {
      x = (x * 1103515245 + 12345) & 0x7fffffff;
      return x >> 8;
    };
    for (let t = 0; t < 20_000; t++) {
      const n = 1 + (next() % 8);
      const b = new Uint8Array(n);
      // Mostly bytes near the interesting boundaries.
      const pool = [
        0x41, 0x7f, 0x80, 0xbf, 0xc0, 0xc2, 0xdf, 0xe0, 0xed, 0xef, 0xf0, 0xf4, 0xf5, 0xa0, 0x9f, 0x8f, 0x90,
      ];
      for (let i = 0; i < n; i++) b[i] = next() % 4 === 0 ? next() & 0xff : pool[next() % pool.length]!;
      let expected = true;
      try {
        decoder.decode(b);
      } catch {
        expected = false;
      }
      expect(isValidUtf8(b, 0, n), Array.from(b, (v) => v.toString(16)).join(' ')).toBe(expected);
    }
  });
});
