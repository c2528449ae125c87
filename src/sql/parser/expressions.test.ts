import { describe, expect, it } from 'vitest';
import { parseExpression } from './index.ts';
import { bin, call, col, int, str, strip } from './test-helpers.ts';

const e = (sql: string): unknown => strip(parseExpression(sql, { doubleQuotedIdentifiers: true }));

describe('expression precedence', () => {
  it('multiplication binds tighter than addition, left-associative', () => {
    expect(e('1 + 2 * 3 - 4')).toEqual(bin('-', bin('+', int('1'), bin('*', int('2'), int('3'))), int('4')));
    expect(e('a / b % c div d')).toEqual(
      bin('div', bin('%', bin('/', col('a'), col('b')), col('c')), col('d')),
    );
  });
  it('bitwise levels: | < ^ < & < +', () => {
    expect(e('a | b ^ c & d + e')).toEqual(
      bin('|', col('a'), bin('^', col('b'), bin('&', col('c'), bin('+', col('d'), col('e'))))),
    );
  });
  it('|| sits with + and -', () => {
    expect(e("a || 'x' + 1")).toEqual(bin('+', bin('||', col('a'), str('x')), int('1')));
  });
  it('AND binds tighter than OR; NOT is below comparison', () => {
    expect(e('a OR b AND c')).toEqual(bin('or', col('a'), bin('and', col('b'), col('c'))));
    expect(e('NOT a = b')).toEqual({ kind: 'unary', op: 'not', operand: bin('=', col('a'), col('b')) });
    expect(e('NOT a AND b')).toEqual(bin('and', { kind: 'unary', op: 'not', operand: col('a') }, col('b')));
  });
  it('comparison operators normalize spellings', () => {
    expect(e('a != b')).toEqual(bin('<>', col('a'), col('b')));
    expect(e('a == b')).toEqual(bin('=', col('a'), col('b')));
    expect(e('a <=> b')).toEqual(bin('<=>', col('a'), col('b')));
    expect(e('a + 1 >= b * 2')).toEqual(
      bin('>=', bin('+', col('a'), int('1')), bin('*', col('b'), int('2'))),
    );
  });
  it('unary minus folds into numeric literals, not into columns', () => {
    expect(e('-5')).toEqual(int('-5'));
    expect(e('-9223372036854775808L')).toEqual({
      kind: 'literal',
      value: { type: 'integer', text: '-9223372036854775808', suffix: 'L' },
    });
    expect(e('-a')).toEqual({ kind: 'unary', op: '-', operand: col('a') });
    expect(e('~a')).toEqual({ kind: 'unary', op: '~', operand: col('a') });
    expect(e('2 - -1')).toEqual(bin('-', int('2'), int('-1')));
  });
  it('postfix cast, subscript and field access', () => {
    expect(e('a::int + 1')).toEqual(
      bin(
        '+',
        { kind: 'cast', operand: col('a'), type: { kind: 'int' }, mode: 'cast', pgTypeName: null },
        int('1'),
      ),
    );
    expect(e('a[1].b')).toEqual({
      kind: 'field_access',
      base: { kind: 'subscript', base: col('a'), index: int('1') },
      field: { name: 'b', quoted: false },
    });
    expect(e("m['k']")).toEqual({ kind: 'subscript', base: col('m'), index: str('k') });
  });
  it('regex operators and OPERATOR()', () => {
    expect(e("relname ~ '^pg_'")).toEqual(bin('~', col('relname'), str('^pg_')));
    expect(e("a !~* 'x'")).toEqual(bin('!~*', col('a'), str('x')));
    expect(e("c.relname OPERATOR(pg_catalog.~) '^(t)$'")).toEqual(
      bin('~', col('c', 'relname'), str('^(t)$')),
    );
  });
});

describe('predicates', () => {
  it('IS forms', () => {
    expect(e('a IS NULL')).toEqual({
      kind: 'is',
      operand: col('a'),
      test: 'null',
      negated: false,
      other: null,
    });
    expect(e('a IS NOT TRUE')).toEqual({
      kind: 'is',
      operand: col('a'),
      test: 'true',
      negated: true,
      other: null,
    });
    expect(e('a IS UNKNOWN')).toEqual({
      kind: 'is',
      operand: col('a'),
      test: 'unknown',
      negated: false,
      other: null,
    });
    expect(e('a IS NOT DISTINCT FROM b')).toEqual({
      kind: 'is',
      operand: col('a'),
      test: 'distinct_from',
      negated: true,
      other: col('b'),
    });
  });
  it('BETWEEN and NOT BETWEEN bind their AND', () => {
    expect(e('a NOT BETWEEN 1 AND 2 AND b')).toEqual(
      bin(
        'and',
        { kind: 'between', operand: col('a'), low: int('1'), high: int('2'), negated: true },
        col('b'),
      ),
    );
  });
  it('IN lists and subqueries', () => {
    expect(e('a IN (1, 2)')).toEqual({
      kind: 'in_list',
      operand: col('a'),
      list: [int('1'), int('2')],
      negated: false,
    });
    const sub = parseExpression('a NOT IN (SELECT x FROM t)');
    expect(sub.kind).toBe('in_subquery');
    if (sub.kind === 'in_subquery') expect(sub.negated).toBe(true);
    const any = parseExpression('a = ANY (SELECT x FROM t)');
    expect(any.kind).toBe('in_subquery');
    const all = parseExpression('a <> ALL (SELECT x FROM t)');
    expect(all.kind === 'in_subquery' && all.negated).toBe(true);
    expect(() => parseExpression('a > ANY (SELECT x FROM t)')).toThrow(/not supported/);
  });
  it('any(x) and some(x) are function calls; = ANY (…) stays a quantified comparison', () => {
    expect(e('some(b)')).toEqual(call('some', [col('b')]));
    expect(e('ANY(b) OR Some(c)')).toEqual(bin('or', call('any', [col('b')]), call('some', [col('c')])));
    expect(e('NOT any(b = 1)')).toEqual({
      kind: 'unary',
      op: 'not',
      operand: call('any', [bin('=', col('b'), int('1'))]),
    });
    expect(parseExpression('a = ANY (SELECT x FROM t)').kind).toBe('in_subquery');
    expect(e('a = any(arr)')).toEqual(call('array_contains', [col('arr'), col('a')]));
    expect(e("a LIKE SOME ('x')")).toMatchObject({ kind: 'like', quantifier: 'any' });
    expect(() => parseExpression('any')).toThrow(/syntax error/);
    expect(() => parseExpression('some + 1')).toThrow(/syntax error/);
  });
  it('LIKE family', () => {
    expect(e("a NOT LIKE 'x%' ESCAPE '!'")).toEqual({
      kind: 'like',
      mode: 'like',
      operand: col('a'),
      pattern: str('x%'),
      escape: '!',
      negated: true,
      quantifier: null,
      patterns: [],
    });
    expect(e("a ILIKE 'x'")).toMatchObject({ kind: 'like', mode: 'ilike' });
    expect(e("a RLIKE 'x'")).toMatchObject({ kind: 'like', mode: 'rlike' });
    expect(e("a REGEXP 'x'")).toMatchObject({ kind: 'like', mode: 'rlike' });
    expect(e("a SIMILAR TO 'x'")).toMatchObject({ kind: 'like', mode: 'similar' });
    expect(e("a LIKE ANY ('a%', 'b%')")).toMatchObject({
      kind: 'like',
      quantifier: 'any',
      pattern: str('a%'),
      patterns: [str('a%'), str('b%')],
    });
    expect(e("a NOT LIKE ALL ('a%')")).toMatchObject({ quantifier: 'all', negated: true });
  });
  it('EXISTS and scalar subqueries', () => {
    expect(parseExpression('NOT EXISTS (SELECT 1)')).toMatchObject({
      kind: 'unary',
      op: 'not',
      operand: { kind: 'exists' },
    });
    expect(parseExpression('(SELECT max(x) FROM t) + 1')).toMatchObject({
      kind: 'binary',
      left: { kind: 'scalar_subquery' },
    });
    expect(parseExpression('((SELECT 1)) + 1')).toMatchObject({
      kind: 'binary',
      left: { kind: 'scalar_subquery' },
    });
  });
});

describe('literals', () => {
  it('numbers by form and suffix', () => {
    expect(e('1L')).toEqual({ kind: 'literal', value: { type: 'integer', text: '1', suffix: 'L' } });
    expect(e('7S')).toEqual({ kind: 'literal', value: { type: 'integer', text: '7', suffix: 'S' } });
    expect(e('7Y')).toEqual({ kind: 'literal', value: { type: 'integer', text: '7', suffix: 'Y' } });
    expect(e('1.5')).toEqual({ kind: 'literal', value: { type: 'decimal', text: '1.5' } });
    expect(e('.5')).toEqual({ kind: 'literal', value: { type: 'decimal', text: '.5' } });
    expect(e('1.')).toEqual({ kind: 'literal', value: { type: 'decimal', text: '1.' } });
    expect(e('1.5BD')).toEqual({ kind: 'literal', value: { type: 'decimal', text: '1.5' } });
    expect(e('1e10')).toEqual({ kind: 'literal', value: { type: 'double', text: '1e10', float: false } });
    expect(e('1.5E-3')).toEqual({ kind: 'literal', value: { type: 'double', text: '1.5E-3', float: false } });
    expect(e('1.5D')).toEqual({ kind: 'literal', value: { type: 'double', text: '1.5', float: false } });
    expect(e('1.5F')).toEqual({ kind: 'literal', value: { type: 'double', text: '1.5', float: true } });
  });
  it('strings: doubled quotes, backslash escapes, E-strings, concatenation of adjacent literals', () => {
    expect(e("'it''s'")).toEqual(str("it's"));
    expect(e("'a\\'b\\\\c\\n\\t'")).toEqual(str("a'b\\c\n\t"));
    expect(e("E'x\\ny'")).toEqual(str('x\ny'));
    expect(e("'ab' 'cd'")).toEqual(str('abcd'));
    expect(e("''")).toEqual(str(''));
  });
  it('typed literals, booleans, null, hex', () => {
    expect(e("DATE '2020-01-02'")).toEqual({
      kind: 'literal',
      value: { type: 'typed', typeName: 'date', value: '2020-01-02' },
    });
    expect(e("timestamp_ntz '2020-01-02 03:04:05'")).toMatchObject({ value: { typeName: 'timestamp_ntz' } });
    expect(e("TIMESTAMP_LTZ '2020-01-02'")).toMatchObject({ value: { typeName: 'timestamp_ltz' } });
    expect(e("TIME '12:34:56.789'")).toMatchObject({ value: { typeName: 'time', value: '12:34:56.789' } });
    expect(e('current_time(3)')).toEqual(call('current_time', [int('3')]));
    expect(e('current_time')).toEqual(call('current_time', []));
    expect(e("X'0A1B'")).toEqual({
      kind: 'literal',
      value: { type: 'typed', typeName: 'binary', value: '0A1B' },
    });
    expect(e('TRUE')).toEqual({ kind: 'literal', value: { type: 'boolean', value: true } });
    expect(e('null')).toEqual({ kind: 'literal', value: { type: 'null' } });
  });
  it('"…" is a string unless doubleQuotedIdentifiers is on (Spark\'s default is off)', () => {
    expect(strip(parseExpression('"it\'s" || "a""b"'))).toEqual(bin('||', str("it's"), str('a"b')));
    expect(strip(parseExpression('"a\\tb"'))).toEqual(str('a\tb'));
  });
  it('identifiers: quoted keep case, backticks, doubled quotes', () => {
    expect(e('"MyCol"')).toEqual({ kind: 'column', name: { parts: [{ name: 'MyCol', quoted: true }] } });
    expect(e('`a``b`.c')).toEqual({
      kind: 'column',
      name: {
        parts: [
          { name: 'a`b', quoted: true },
          { name: 'c', quoted: false },
        ],
      },
    });
  });
  it('parameters', () => {
    expect(e('$2')).toEqual({ kind: 'parameter', index: 2 });
    expect(e('? + ?')).toEqual(bin('+', { kind: 'parameter', index: 1 }, { kind: 'parameter', index: 2 }));
  });
  it('ARRAY[…] and rows', () => {
    expect(e('ARRAY[1, 2]')).toEqual({ kind: 'array', items: [int('1'), int('2')] });
    expect(e('(a, b)')).toEqual({ kind: 'row', items: [col('a'), col('b')] });
    expect(e('array(1, 2)')).toEqual(call('array', [int('1'), int('2')]));
  });
});

describe('intervals', () => {
  const iv = (sql: string): unknown => (parseExpression(sql) as { value: unknown }).value;
  it('single units and plurals', () => {
    expect(iv("INTERVAL '90' DAY")).toEqual({
      type: 'day_time',
      micros: 90n * 86_400_000_000n,
      startField: 'day',
      endField: 'day',
    });
    expect(iv('INTERVAL 3 MONTHS')).toEqual({
      type: 'year_month',
      months: 3,
      startField: 'month',
      endField: 'month',
    });
    expect(iv("INTERVAL '3' MONTH")).toEqual({
      type: 'year_month',
      months: 3,
      startField: 'month',
      endField: 'month',
    });
    expect(iv('INTERVAL 1.5 SECONDS')).toEqual({
      type: 'day_time',
      micros: 1_500_000n,
      startField: 'second',
      endField: 'second',
    });
    expect(iv('INTERVAL -2 HOURS')).toEqual({
      type: 'day_time',
      micros: -7_200_000_000n,
      startField: 'hour',
      endField: 'hour',
    });
  });
  it('multi-unit forms', () => {
    expect(iv('INTERVAL 1 YEAR 2 MONTHS')).toEqual({
      type: 'year_month',
      months: 14,
      startField: 'year',
      endField: 'month',
    });
    expect(iv("INTERVAL '1 day 2 hours'")).toEqual({
      type: 'day_time',
      micros: 26n * 3_600_000_000n,
      startField: 'day',
      endField: 'hour',
    });
    expect(iv("INTERVAL '1 day 02:00:30'")).toEqual({
      type: 'day_time',
      micros: 93_630_000_000n,
      startField: 'day',
      endField: 'second',
    });
  });
  it('FROM … TO qualifiers', () => {
    expect(iv("INTERVAL '1-2' YEAR TO MONTH")).toEqual({
      type: 'year_month',
      months: 14,
      startField: 'year',
      endField: 'month',
    });
    expect(iv("INTERVAL '-1-2' YEAR TO MONTH")).toEqual({
      type: 'year_month',
      months: -14,
      startField: 'year',
      endField: 'month',
    });
    expect(iv("INTERVAL '1 10:00:00' DAY TO SECOND")).toEqual({
      type: 'day_time',
      micros: 122_400_000_000n,
      startField: 'day',
      endField: 'second',
    });
    expect(iv("INTERVAL '10:30' HOUR TO MINUTE")).toEqual({
      type: 'day_time',
      micros: 37_800_000_000n,
      startField: 'hour',
      endField: 'minute',
    });
  });
  it('weeks type as days, sub-second units as seconds', () => {
    expect(iv('INTERVAL 2 WEEKS 3 MILLISECONDS')).toEqual({
      type: 'day_time',
      micros: 1_209_600_003_000n,
      startField: 'day',
      endField: 'second',
    });
    expect(iv('INTERVAL 3 HOURS 2 MINUTES')).toMatchObject({ startField: 'hour', endField: 'minute' });
  });
  it('mixing year-month and day-time units leaves the error to the analyzer, with the calendar reading', () => {
    // the analyzer raises 42601 unless spark.sql.legacy.interval.enabled makes it a calendar interval
    expect(parseExpression('INTERVAL 1 YEAR 2 DAYS')).toMatchObject({
      kind: 'interval',
      value: { type: 'mixed', message: 'Cannot mix year-month and day-time fields: INTERVAL 1 YEAR 2 DAYS' },
      calendar: [12, 2, 0n],
      pos: 1,
    });
    expect(parseExpression("INTERVAL '1 month 1 day'")).toMatchObject({
      value: { type: 'mixed' },
      calendar: [1, 1, 0n],
    });
    // a single family keeps both readings
    expect(parseExpression("INTERVAL '1 10:00:00' DAY TO SECOND")).toMatchObject({
      value: { type: 'day_time', micros: 122_400_000_000n },
      calendar: [0, 1, 36_000_000_000n],
    });
    expect(() => parseExpression("INTERVAL 'x' YEAR TO MONTH")).toThrow(
      expect.objectContaining({ sqlstate: '42601' }),
    );
  });
  it('an interval followed by arithmetic stops at the operator', () => {
    expect(parseExpression("d + INTERVAL '3' MONTH - INTERVAL 1 DAY")).toMatchObject({
      kind: 'binary',
      op: '-',
      left: { kind: 'binary', op: '+', right: { kind: 'interval' } },
      right: { kind: 'interval' },
    });
  });
});

describe('special forms and calls', () => {
  it('CASE with and without operand', () => {
    expect(e('CASE WHEN a THEN 1 ELSE 2 END')).toEqual({
      kind: 'case',
      operand: null,
      whens: [{ when: col('a'), then: int('1') }],
      else: int('2'),
    });
    expect(e('CASE x WHEN 1 THEN 2 END')).toEqual({
      kind: 'case',
      operand: col('x'),
      whens: [{ when: int('1'), then: int('2') }],
      else: null,
    });
  });
  it('CAST, TRY_CAST, :: with PostgreSQL type names', () => {
    expect(e('CAST(a AS decimal(10, 2))')).toEqual({
      kind: 'cast',
      operand: col('a'),
      type: { kind: 'decimal', precision: 10, scale: 2 },
      mode: 'cast',
      pgTypeName: null,
    });
    expect(e('TRY_CAST(a AS int)')).toMatchObject({ kind: 'cast', mode: 'try_cast' });
    expect(e("'pg_class'::regclass")).toMatchObject({
      kind: 'cast',
      type: { kind: 'string' },
      pgTypeName: 'regclass',
    });
    expect(e('x::oid')).toMatchObject({ type: { kind: 'int' }, pgTypeName: 'oid' });
    expect(e('x::text[]')).toMatchObject({
      type: { kind: 'array', element: { kind: 'string' } },
      pgTypeName: 'text[]',
    });
    expect(e('x::int8')).toMatchObject({ type: { kind: 'bigint' }, pgTypeName: null });
    expect(e('x::timestamptz')).toMatchObject({ type: { kind: 'timestamp' } });
    expect(e('x::time')).toMatchObject({ type: { kind: 'time', precision: 6 } });
    expect(e('CAST(x AS TIME(3) WITHOUT TIME ZONE)')).toMatchObject({ type: { kind: 'time', precision: 3 } });
    expect(e('CAST(x AS time without time zone)')).toMatchObject({ type: { kind: 'time', precision: 6 } });
    expect(() => e('CAST(x AS TIME(7))')).toThrow(/UNSUPPORTED_TIME_PRECISION/);
  });
  it('EXTRACT, SUBSTRING, POSITION, TRIM, OVERLAY normalize to calls', () => {
    expect(e('EXTRACT(year FROM d)')).toEqual({ kind: 'extract', field: 'year', source: col('d') });
    expect(e("date_part('dow', d)")).toEqual({ kind: 'extract', field: 'dow', source: col('d') });
    expect(e('SUBSTRING(s FROM 1 FOR 2)')).toEqual(call('substring', [col('s'), int('1'), int('2')]));
    expect(e('substring(s, 1, 2)')).toEqual(call('substring', [col('s'), int('1'), int('2')]));
    expect(e("POSITION('a' IN s)")).toEqual(call('position', [str('a'), col('s')]));
    expect(e("TRIM(LEADING 'x' FROM s)")).toEqual(call('ltrim', [col('s'), str('x')]));
    expect(e('TRIM(TRAILING FROM s)')).toEqual(call('rtrim', [col('s')]));
    expect(e("TRIM(BOTH 'x' FROM s)")).toEqual(call('trim', [col('s'), str('x')]));
    expect(e('trim(s)')).toEqual(call('trim', [col('s')]));
    expect(e("OVERLAY(s PLACING 'ab' FROM 2 FOR 3)")).toEqual(
      call('overlay', [col('s'), str('ab'), int('2'), int('3')]),
    );
    expect(() => parseExpression('count(a FROM b)')).toThrow(expect.objectContaining({ sqlstate: '42601' }));
  });
  it('aggregate call forms', () => {
    expect(e('COUNT(*)')).toEqual(call('count', [], { star: true }));
    expect(e('count(DISTINCT a)')).toEqual(call('count', [col('a')], { distinct: true }));
    expect(e('sum(a) FILTER (WHERE b > 0)')).toEqual(
      call('sum', [col('a')], { filter: bin('>', col('b'), int('0')) }),
    );
    expect(e('first_value(a IGNORE NULLS)')).toEqual(call('first_value', [col('a')], { ignoreNulls: true }));
    expect(e('last(a) RESPECT NULLS')).toEqual(call('last', [col('a')], { ignoreNulls: false }));
    expect(e('percentile_cont(0.5) WITHIN GROUP (ORDER BY x DESC)')).toEqual(
      call('percentile_cont', [{ kind: 'literal', value: { type: 'decimal', text: '0.5' } }], {
        orderBy: [{ expr: col('x'), ascending: false, nullsFirst: null }],
      }),
    );
    expect(e("string_agg(a, ',' ORDER BY b)")).toEqual(
      call('string_agg', [col('a'), str(',')], {
        orderBy: [{ expr: col('b'), ascending: null, nullsFirst: null }],
      }),
    );
    expect(e('struct(*)')).toEqual(call('struct', [{ kind: 'star', qualifier: null }]));
    expect(e('struct(t.*)')).toEqual(
      call('struct', [{ kind: 'star', qualifier: { parts: [{ name: 't', quoted: false }] } }]),
    );
  });
  it('window specifications', () => {
    expect(e('rank() OVER (PARTITION BY a ORDER BY b DESC NULLS LAST)')).toEqual(
      call('rank', [], {
        over: {
          baseName: null,
          partitionBy: [col('a')],
          orderBy: [{ expr: col('b'), ascending: false, nullsFirst: false }],
          frame: null,
        },
      }),
    );
    expect(e('sum(x) OVER (ORDER BY t RANGE BETWEEN UNBOUNDED PRECEDING AND 2 FOLLOWING)')).toMatchObject({
      over: {
        frame: {
          units: 'range',
          start: { kind: 'unbounded_preceding' },
          end: { kind: 'following', offset: int('2') },
        },
      },
    });
    expect(e('sum(x) OVER (ROWS 3 PRECEDING)')).toMatchObject({
      over: {
        frame: {
          units: 'rows',
          start: { kind: 'preceding', offset: int('3') },
          end: { kind: 'current_row' },
        },
      },
    });
    expect(e('sum(x) OVER w')).toMatchObject({
      over: { baseName: { name: 'w' }, partitionBy: [], orderBy: [] },
    });
    expect(e('sum(x) OVER (w ORDER BY y)')).toMatchObject({
      over: { baseName: { name: 'w' }, orderBy: [{ expr: col('y') }] },
    });
  });
  it('lambdas', () => {
    expect(e('transform(xs, x -> x + 1)')).toEqual(
      call('transform', [
        col('xs'),
        { kind: 'lambda', params: [{ name: 'x', quoted: false }], body: bin('+', col('x'), int('1')) },
      ]),
    );
    expect(e('aggregate(xs, 0, (acc, x) -> acc + x)')).toMatchObject({
      args: [col('xs'), int('0'), { kind: 'lambda', params: [{ name: 'acc' }, { name: 'x' }] }],
    });
  });
  it('LEFT and RIGHT name lambda parameters and are columns in their body only', () => {
    expect(e('array_sort(xs, (left, right) -> left - right)')).toMatchObject({
      args: [
        col('xs'),
        {
          kind: 'lambda',
          params: [{ name: 'left' }, { name: 'right' }],
          body: bin('-', col('left'), col('right')),
        },
      ],
    });
    expect(e('transform(xs, left -> left(left, 1))')).toMatchObject({
      args: [col('xs'), { kind: 'lambda', body: call('left', [col('left'), int('1')]) }],
    });
    expect(() => e('transform(xs, x -> left)')).toThrow();
    expect(() => e('left + 1')).toThrow();
  });
  it('exists(…) without a query is a call', () => {
    expect(e('exists(xs, x -> x > 1)')).toMatchObject({
      kind: 'function',
      name: { parts: [{ name: 'exists' }] },
    });
    expect(e('EXISTS (SELECT 1)')).toMatchObject({ kind: 'exists' });
    expect(e('EXISTS ((SELECT 1))')).toMatchObject({ kind: 'exists' });
  });
  it('niladic functions, qualified names, COLLATE, LEFT()', () => {
    expect(e('CURRENT_DATE')).toEqual(call('current_date', []));
    expect(e('current_timestamp()')).toEqual(call('current_timestamp', []));
    expect(e('CURRENT_USER')).toEqual(call('current_user', []));
    expect(e('SESSION_USER')).toEqual(call('session_user', []));
    expect(e('user')).toEqual(call('current_user', []));
    expect(e('current_schema')).toEqual(call('current_schema', []));
    expect(e('pg_catalog.format_type(a, b)')).toEqual(call('pg_catalog.format_type', [col('a'), col('b')]));
    expect(e('UPPER(a)')).toEqual(call('upper', [col('a')]));
    expect(e('a COLLATE "C" = \'x\'')).toEqual(bin('=', col('a'), str('x')));
    expect(e('left(s, 2)')).toEqual(call('left', [col('s'), int('2')]));
  });
  it('non-reserved keywords are column names', () => {
    for (const word of [
      'date',
      'year',
      'month',
      'day',
      'value',
      'data',
      'comment',
      'first',
      'last',
      'position',
      'count',
      'key',
      'type',
      'name',
      'location',
      'options',
      'database',
      'tables',
      'filter',
      'range',
      'rows',
      'limit',
    ]) {
      expect(e(`${word} + 1`)).toEqual(bin('+', col(word), int('1')));
    }
  });
});
