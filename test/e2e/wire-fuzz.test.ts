/**
 * Protocol fuzz: whatever a client sends after start-up — Parse/Bind/Describe/Execute/Close/Sync/
 * Flush with random names, parameter counts, format codes, OIDs and payloads; simple queries,
 * COPY FROM STDIN followed by random messages; CopyData/CopyDone/CopyFail outside COPY;
 * FunctionCall; unknown message types; wrong length fields; a message cut short — the server
 * answers only with well-formed messages (checked byte by byte), every ErrorResponse carries a
 * SQLSTATE and none is an internal error (XX000), the connection reaches ReadyForQuery after the
 * final Sync and answers a query (or is closed, right after a FATAL ErrorResponse, for a fatal
 * protocol error), and another connection's `SELECT 1` answers afterwards.
 *
 * A real `kindling serve` child process takes the messages over a socket. The sequences that once
 * broke it are kept below as regression cases.
 */
import { connect as netConnect } from 'node:net';
import fc from 'fast-check';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startChildServer, type ChildServer } from './child-server.ts';
import {
  BackendReader,
  bind,
  copyData,
  copyDone,
  copyFail,
  cstr,
  describeOrClose,
  execute,
  flush,
  frame,
  functionCall,
  parse,
  query,
  startupMessage,
  sync,
  terminate,
  type BackendMessage,
} from './wire-messages.ts';

let server: ChildServer;
let probe: pg.Client;
/** Lines of the server log already checked. */
let logSeen = 0;

beforeAll(async () => {
  server = await startChildServer();
  probe = new pg.Client({ host: '127.0.0.1', port: server.port, user: 'probe', database: 'default' });
  probe.on('error', () => {});
  await probe.connect();
  await probe.query('CREATE TABLE fuzz_t (a INT, b STRING) USING parquet');
});

afterAll(async () => {
  await probe?.end().catch(() => {});
  await server?.stop();
});

/** How a sequence ends: Sync, ROLLBACK and a marker query, or a message whose length promises more bytes than follow (then end of input). */
type Ending = { readonly kind: 'sync' } | { readonly kind: 'truncated'; readonly bytes: Buffer };

interface Outcome {
  readonly messages: readonly BackendMessage[];
  /** The marker query's row arrived, followed by ReadyForQuery. */
  readonly answered: boolean;
  readonly closed: boolean;
  /** A backend message broke the protocol's layout (the reason). */
  readonly malformed: string | undefined;
  /** Bytes of an unfinished backend message at the end. */
  readonly leftover: number;
}

const MARKER = 'fuzz-end-7f3a';
const CASE_TIMEOUT_MS = 10_000;
/** Sequences per run: enough for CI in seconds; `KINDLING_FUZZ_RUNS=5000` searches longer. */
const RUNS = Number(process.env.KINDLING_FUZZ_RUNS ?? 400);

/** Connects, completes start-up, sends `messages` and the ending, and collects the answers. */
async function exchange(messages: readonly Buffer[], ending: Ending): Promise<Outcome> {
  const socket = netConnect(server.port, '127.0.0.1');
  socket.on('error', () => {
    // A server that closes the connection first resets our writes; 'close' follows.
  });
  const reader = new BackendReader();
  let malformed: string | undefined;
  let closed = false;
  let startupDone = false;
  let answered = false;
  let sawMarker = false;
  let startIndex = 0;
  let wake: (() => void) | null = null;
  const poke = (): void => {
    const w = wake;
    wake = null;
    w?.();
  };
  socket.on('data', (chunk: Buffer) => {
    if (malformed !== undefined) return;
    try {
      reader.push(chunk);
    } catch (err) {
      malformed = (err as Error).message;
    }
    for (let i = startIndex; i < reader.messages.length; i++) {
      const m = reader.messages[i]!;
      if (!startupDone) {
        if (m.type === 'Z') {
          startupDone = true;
          startIndex = i + 1;
        }
        continue;
      }
      if (m.type === 'D' && m.values?.length === 1 && m.values[0]?.toString() === MARKER) sawMarker = true;
      if (m.type === 'Z' && sawMarker) answered = true;
    }
    poke();
  });
  socket.on('close', () => {
    closed = true;
    poke();
  });
  const waitFor = async (done: () => boolean, what: string): Promise<void> => {
    const deadline = Date.now() + CASE_TIMEOUT_MS;
    while (!done()) {
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no ${what} within ${CASE_TIMEOUT_MS} ms`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        wake = (): void => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
  };
  try {
    socket.write(startupMessage({ user: 'fuzz', database: 'default' }));
    await waitFor(() => startupDone || closed || malformed !== undefined, 'start-up');
    if (!startupDone) throw new Error(`start-up failed: ${malformed ?? 'closed'}`);
    if (ending.kind === 'sync') {
      // ROLLBACK first: a transaction the sequence left failed would refuse the query (25P02).
      socket.write(Buffer.concat([...messages, sync(), query('ROLLBACK'), query(`SELECT '${MARKER}'`)]));
      await waitFor(() => answered || closed || malformed !== undefined, 'answer to the final query');
      if (answered) socket.end(terminate());
    } else {
      socket.end(Buffer.concat([...messages, ending.bytes]));
      await waitFor(() => closed || malformed !== undefined, 'close after a message cut short');
    }
    return {
      messages: reader.messages.slice(startIndex),
      answered,
      closed,
      malformed,
      leftover: reader.leftover,
    };
  } finally {
    socket.destroy();
  }
}

function describeMessages(messages: readonly BackendMessage[]): string {
  return messages
    .map((m) =>
      m.type === 'E' || m.type === 'N'
        ? `${m.type}(${m.fields?.S} ${m.fields?.C} ${m.fields?.M})`
        : m.type === 'C'
          ? `C(${m.values?.[0]?.toString()})`
          : m.type,
    )
    .join(' ');
}

/** The properties every exchange must have; `terminated` when the sequence holds a Terminate. */
function checkOutcome(outcome: Outcome, ending: Ending, terminated: boolean): void {
  const trace = describeMessages(outcome.messages);
  expect(outcome.malformed, trace).toBeUndefined();
  const errors = outcome.messages.filter((m) => m.type === 'E');
  for (const e of errors) {
    expect(e.fields?.C, trace).toMatch(/^[0-9A-Z]{5}$/);
    expect(['ERROR', 'FATAL'], trace).toContain(e.fields?.S);
    expect(e.fields?.V, trace).toBe(e.fields?.S);
    expect(e.fields?.M ?? '', trace).not.toBe('');
    // An internal error is a bug: client input must get a SQLSTATE that names its problem.
    expect(e.fields?.C, `${trace}\n${e.fields?.M}`).not.toBe('XX000');
  }
  const fatal = outcome.messages.findIndex((m) => m.type === 'E' && m.fields?.S === 'FATAL');
  if (fatal >= 0) {
    // FATAL is the last word: the server closes the connection after it.
    expect(fatal, trace).toBe(outcome.messages.length - 1);
    expect(outcome.closed, trace).toBe(true);
  }
  if (ending.kind === 'sync') {
    if (!outcome.answered) {
      expect(outcome.closed, trace).toBe(true);
      if (!terminated)
        expect(fatal, `closed without a FATAL ErrorResponse: ${trace}`).toBeGreaterThanOrEqual(0);
    }
  } else {
    expect(outcome.closed, trace).toBe(true);
  }
  expect(outcome.leftover, `a backend message cut short: ${trace}`).toBe(0);
}

async function probeAnswers(): Promise<void> {
  const { rows } = await Promise.race([
    probe.query<{ v: number }>('SELECT 1 AS v'),
    new Promise<never>((_, reject) => setTimeout(() => reject(new Error('SELECT 1 did not answer')), 10_000)),
  ]);
  expect(rows).toEqual([{ v: 1 }]);
}

/** One whole case: the exchange, its checks, and another connection still answering. */
async function runCase(messages: readonly Buffer[], ending: Ending, terminated: boolean): Promise<void> {
  const t0 = performance.now();
  const outcome = await exchange(messages, ending);
  if (process.env.KINDLING_FUZZ_TRACE !== undefined)
    console.log(
      `CASE ${(performance.now() - t0).toFixed(0)} ${ending.kind} ${describeMessages(outcome.messages)}`,
    );
  checkOutcome(outcome, ending, terminated);
  await probeAnswers();
  // A connection whose message loop failed (rather than answering) logs it: a bug, even if the
  // client saw a clean end.
  const lines = server.stderrLines();
  const failures = lines.slice(logSeen).filter((l) => /connection failed|session close failed/.test(l));
  logSeen = lines.length;
  expect(failures, describeMessages(outcome.messages)).toEqual([]);
}

// ---- generators ---------------------------------------------------------------------------------

const names = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom('', 'a', 'b') },
  { weight: 1, arbitrary: fc.string({ maxLength: 6 }) },
);

const statements = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.constantFrom(
      'SELECT 1',
      'SELECT $1',
      'SELECT $1::int + $2::bigint',
      'SELECT $1::date, $2::timestamp',
      'SELECT $1::decimal(10,2), $2::boolean, $3::binary',
      'SELECT $1::double, ARRAY[$2::int]',
      'SELECT $2',
      'SELECT id FROM range(0, 50)',
      'SELECT id, id * 2 AS d FROM range(0, 3000)',
      'SELECT 1/0',
      'SELEC 1',
      '',
      ' ;',
      'SELECT 1; SELECT 2',
      'BEGIN',
      'COMMIT',
      'ROLLBACK',
      "SET statement_timeout = '5s'",
      'SET TimeZone = $1',
      'SHOW search_path',
      'COPY fuzz_t FROM STDIN',
      'COPY fuzz_t FROM STDIN (FORMAT csv)',
      'COPY fuzz_t (b) FROM STDIN',
      'COPY fuzz_t TO STDOUT',
      'COPY (SELECT 1) TO STDOUT (FORMAT binary)',
      'DECLARE c CURSOR WITH HOLD FOR SELECT id FROM range(0, 10)',
      'FETCH 3 FROM c',
      'CLOSE c',
      'PREPARE p AS SELECT $1::int',
      'EXECUTE p(1)',
      'DEALLOCATE ALL',
      'DISCARD ALL',
      'SELECT * FROM fuzz_t',
      'INSERT INTO fuzz_t VALUES ($1::int, $2)',
      'SELECT a FROM fuzz_t WHERE a = $1',
      'SELECT * FROM pg_catalog.pg_class WHERE relname = $1',
    ),
  },
  { weight: 1, arbitrary: fc.string({ maxLength: 20 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'grapheme', maxLength: 10 }) },
);

const oids = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.constantFrom(
      0,
      16,
      17,
      18,
      19,
      20,
      21,
      23,
      25,
      26,
      114,
      700,
      701,
      705,
      1007,
      1009,
      1043,
      1082,
      1083,
      1114,
      1184,
      1186,
      1700,
      2950,
      3802,
    ),
  },
  { weight: 1, arbitrary: fc.integer({ min: 0, max: 0xffffffff }) },
);

const int16s = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom(0, 1) },
  { weight: 1, arbitrary: fc.integer({ min: -32768, max: 32767 }) },
);

const payloads = fc.oneof(
  { weight: 2, arbitrary: fc.constant(null) },
  {
    weight: 4,
    arbitrary: fc
      .constantFrom(
        '1',
        '-7',
        '42',
        'abc',
        '',
        '2024-02-29',
        '2024-13-45',
        't',
        '1.5',
        '1e400',
        '{1,2}',
        'UTC',
        'Mars/Base',
      )
      .map((s) => Buffer.from(s)),
  },
  { weight: 2, arbitrary: fc.uint8Array({ maxLength: 12 }).map((b) => Buffer.from(b)) },
);

const bytes = fc.uint8Array({ maxLength: 24 }).map((b) => Buffer.from(b));

/** Message type bytes the server does not know. */
const unknownTypes = fc
  .integer({ min: 0, max: 255 })
  .filter((t) => !'QPBDECSHXdcfFp'.includes(String.fromCharCode(t)));

/** A message and whether it is Terminate. */
interface Sent {
  readonly bytes: Buffer;
  readonly terminate?: boolean;
}

const copyLines = fc.oneof(
  fc.constantFrom('1\tx\n', '2\t\\N\n', '\\N\ty\n', 'x\ty\n', '1\n', '1\t2\t3\n', '3,"a"\n', '\\.\n'),
  fc.string({ maxLength: 12 }),
);

/** Statements with how many parameters they take and values that fit them. */
const WELL_FORMED: readonly (readonly [string, readonly string[]])[] = [
  ['SELECT id FROM range(0, 20) WHERE id >= $1::bigint', ['3']],
  ['SELECT $1::int + $2::int AS s', ['1', '2']],
  ['SELECT $1::date AS d, $2::decimal(8,2) AS n', ['2024-02-29', '12.5']],
  ['SELECT id, id * 2 AS d FROM range(0, 3000)', []],
  ['INSERT INTO fuzz_t VALUES ($1::int, $2)', ['7', 'x']],
  ['SELECT a, b FROM fuzz_t WHERE a > $1::int', ['0']],
  ['SHOW search_path', []],
  ['BEGIN', []],
  ['COMMIT', []],
  ['DECLARE c CURSOR WITH HOLD FOR SELECT id FROM range(0, 10)', []],
  ['FETCH 2 FROM c', []],
  ['SELECT 1/0', []],
];

/**
 * A whole extended-protocol exchange as drivers send it — Parse, Bind (text or binary results),
 * Describe, Executes of a few rows — with its parts shuffled in among the random messages, so the
 * fuzz reaches portals that run, suspend and resume.
 */
const wellFormedFlow: fc.Arbitrary<Sent> = fc
  .tuple(
    fc.constantFrom(...WELL_FORMED),
    names,
    names,
    fc.constantFrom<readonly number[]>([], [0], [1]),
    fc.array(fc.integer({ min: 0, max: 3 }), { minLength: 1, maxLength: 3 }),
    fc.boolean(),
  )
  .map(([[sql, values], statement, portal, resultFormats, maxRows, describeFirst]) => ({
    bytes: Buffer.concat([
      parse(statement, sql, []),
      bind(
        portal,
        statement,
        [],
        values.map((v) => Buffer.from(v)),
        resultFormats,
      ),
      ...(describeFirst ? [describeOrClose('D', 80, portal), describeOrClose('D', 83, statement)] : []),
      ...maxRows.map((n) => execute(portal, n)),
    ]),
  }));

/** COPY FROM STDIN and then what a client may send during it: data, the end, a failure, anything. */
const copyFlow: fc.Arbitrary<Sent> = fc
  .tuple(
    fc.constantFrom(
      'COPY fuzz_t FROM STDIN',
      'COPY fuzz_t FROM STDIN (FORMAT csv)',
      'COPY fuzz_t (b) FROM STDIN',
    ),
    fc.array(copyLines, { maxLength: 4 }),
    fc.constantFrom<Buffer[]>([copyDone()], [copyFail('client gave up')], [sync(), flush(), copyDone()], []),
  )
  .map(([sql, lines, end]) => ({
    bytes: Buffer.concat([query(sql), ...lines.map((l) => copyData(Buffer.from(l))), ...end]),
  }));

const message: fc.Arbitrary<Sent> = fc.oneof(
  { weight: 6, arbitrary: wellFormedFlow },
  { weight: 2, arbitrary: copyFlow },
  {
    weight: 5,
    arbitrary: fc
      .tuple(names, statements, fc.array(oids, { maxLength: 4 }))
      .map(([n, s, o]) => ({ bytes: parse(n, s, o) })),
  },
  {
    weight: 5,
    arbitrary: fc
      .tuple(
        names,
        names,
        fc.array(int16s, { maxLength: 4 }),
        fc.array(payloads, { maxLength: 4 }),
        fc.array(int16s, { maxLength: 3 }),
      )
      .map(([portal, stmt, pf, params, rf]) => ({ bytes: bind(portal, stmt, pf, params, rf) })),
  },
  {
    weight: 3,
    arbitrary: fc
      .tuple(
        fc.constantFrom('D' as const, 'C' as const),
        fc.oneof(fc.constantFrom(83, 80), fc.integer({ min: 0, max: 255 })),
        names,
      )
      .map(([t, target, n]) => ({ bytes: describeOrClose(t, target, n) })),
  },
  {
    weight: 4,
    arbitrary: fc
      .tuple(names, fc.oneof(fc.constantFrom(0, 1, 2), fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 })))
      .map(([portal, max]) => ({ bytes: execute(portal, max) })),
  },
  { weight: 3, arbitrary: fc.constant({ bytes: sync() }) },
  { weight: 1, arbitrary: fc.constant({ bytes: flush() }) },
  { weight: 4, arbitrary: statements.map((s) => ({ bytes: query(s) })) },
  {
    weight: 3,
    arbitrary: fc
      .oneof(
        copyLines.map((l) => Buffer.from(l)),
        bytes,
      )
      .map((d) => ({ bytes: copyData(d) })),
  },
  { weight: 2, arbitrary: fc.constant({ bytes: copyDone() }) },
  { weight: 1, arbitrary: fc.string({ maxLength: 8 }).map((r) => ({ bytes: copyFail(r) })) },
  {
    weight: 1,
    arbitrary: fc
      .tuple(oids, fc.array(int16s, { maxLength: 2 }), fc.array(payloads, { maxLength: 2 }), int16s)
      .map(([oid, af, args, rf]) => ({ bytes: functionCall(oid, af, args, rf) })),
  },
  { weight: 1, arbitrary: fc.tuple(unknownTypes, bytes).map(([t, b]) => ({ bytes: frame(t, b) })) },
  {
    // A known message whose length field is wrong: below 4, negative or past the limit (fatal), or
    // short of its body, whose uncounted rest (a whole message) is then read as the next one.
    weight: 1,
    arbitrary: fc
      .tuple(
        fc.constantFrom(...'QPBDECSHdcfF'.split('').map((c) => c.charCodeAt(0))),
        bytes,
        fc.oneof(
          fc.constantFrom(0, 3, -1, 2 ** 31 - 1, 2 ** 30 + 1).map((len) => ({ len, rest: Buffer.alloc(0) })),
          fc.constantFrom(sync(), flush(), query('SELECT 2')).map((rest) => ({ len: undefined, rest })),
        ),
      )
      .map(([t, b, { len, rest }]) => ({ bytes: frame(t, Buffer.concat([b, rest]), len ?? b.length + 4) })),
  },
  { weight: 1, arbitrary: fc.constant({ bytes: terminate(), terminate: true }) },
  { weight: 1, arbitrary: fc.constant({ bytes: Buffer.concat([query('SELECT 1'), cstr('stray')]) }) },
);

const endings: fc.Arbitrary<Ending> = fc.oneof(
  { weight: 6, arbitrary: fc.constant({ kind: 'sync' as const }) },
  {
    weight: 1,
    arbitrary: fc
      .tuple(
        fc.constantFrom(...'QPBDESdc'.split('').map((c) => c.charCodeAt(0))),
        bytes,
        fc.integer({ min: 1, max: 1000 }),
      )
      .map(([t, b, more]) => ({ kind: 'truncated' as const, bytes: frame(t, b, b.length + 4 + more) })),
  },
);

/** Sequences the fuzz found breaking the server once; each ends with Sync and the marker query. */
const REGRESSIONS: readonly (readonly [string, () => Buffer[]])[] = [
  // A `$n` in a simple query was bound and then failed as an internal error (now 42P02).
  ['a parameter in a simple query', () => [query('SELECT $1::double, ARRAY[$2::int]')]],
];

describe('protocol fuzz over a socket', () => {
  it.each(REGRESSIONS)('regression: %s', async (_name, messages) => {
    await runCase(messages(), { kind: 'sync' }, false);
  });

  it(
    'answers every message sequence properly and stays up for other clients',
    async () => {
      await fc.assert(
        fc.asyncProperty(fc.array(message, { maxLength: 10 }), endings, async (sent, ending) => {
          await runCase(
            sent.map((s) => s.bytes),
            ending,
            sent.some((s) => s.terminate === true),
          );
        }),
        { numRuns: RUNS },
      );
    },
    60_000 + RUNS * 500,
  );
});
