import { describe, expect, it } from 'vitest';
import { parseDataType, parseStatement, parseStatements } from './index.ts';
import { strip } from './test-helpers.ts';

const st = (sql: string): unknown => strip(parseStatement(sql));
const id = (name: string, quoted = false): unknown => ({ name, quoted });
const qn = (...parts: string[]): unknown => ({ parts: parts.map((p) => id(p)) });

describe('DDL', () => {
  it('CREATE TABLE with columns and clauses in any order', () => {
    expect(
      st(
        "CREATE OR REPLACE EXTERNAL TABLE IF NOT EXISTS db.t (a INT NOT NULL COMMENT 'the a', b decimal(12, 2), c array<string>) " +
          "USING CSV OPTIONS (header 'true', 'sep' = '|', k.sub 'v') PARTITIONED BY (a) LOCATION '/data/t' COMMENT 'tbl' TBLPROPERTIES ('x' = '1')",
      ),
    ).toEqual({
      kind: 'create_table',
      name: qn('db', 't'),
      orReplace: true,
      ifNotExists: true,
      external: true,
      columns: [
        { name: id('a'), type: { kind: 'int' }, nullable: false, comment: 'the a' },
        { name: id('b'), type: { kind: 'decimal', precision: 12, scale: 2 }, nullable: true, comment: null },
        {
          name: id('c'),
          type: { kind: 'array', element: { kind: 'string' }, containsNull: true },
          nullable: true,
          comment: null,
        },
      ],
      using: 'csv',
      options: [
        ['header', 'true'],
        ['sep', '|'],
        ['k.sub', 'v'],
      ],
      partitionedBy: [id('a')],
      location: '/data/t',
      comment: 'tbl',
      tblProperties: [['x', '1']],
      asQuery: null,
    });
  });
  it('CREATE TABLE AS and Hive STORED AS / ROW FORMAT', () => {
    expect(st('CREATE TABLE t USING parquet AS SELECT 1')).toMatchObject({
      kind: 'create_table',
      columns: null,
      using: 'parquet',
      asQuery: { kind: 'query' },
    });
    expect(
      st("CREATE TABLE t (a int) ROW FORMAT DELIMITED FIELDS TERMINATED BY '|' STORED AS TEXTFILE"),
    ).toMatchObject({
      using: 'csv',
      options: [['sep', '|']],
    });
    expect(st('CREATE TABLE t (a int) STORED AS PARQUET')).toMatchObject({ using: 'parquet' });
  });
  it('DROP TABLE / VIEW / DATABASE', () => {
    expect(st('DROP TABLE IF EXISTS t PURGE')).toEqual({
      kind: 'drop_table',
      name: qn('t'),
      ifExists: true,
      purge: true,
    });
    expect(st('DROP TABLE t')).toEqual({ kind: 'drop_table', name: qn('t'), ifExists: false, purge: false });
    expect(st('DROP VIEW IF EXISTS v')).toEqual({ kind: 'drop_view', name: qn('v'), ifExists: true });
    expect(st('DROP SCHEMA IF EXISTS s CASCADE')).toEqual({
      kind: 'drop_database',
      name: id('s'),
      ifExists: true,
      cascade: true,
    });
    expect(st('DROP DATABASE d RESTRICT')).toEqual({
      kind: 'drop_database',
      name: id('d'),
      ifExists: false,
      cascade: false,
    });
  });
  it('CREATE DATABASE and USE', () => {
    expect(st("CREATE DATABASE IF NOT EXISTS d COMMENT 'c' LOCATION '/x'")).toEqual({
      kind: 'create_database',
      name: id('d'),
      ifNotExists: true,
      location: '/x',
      comment: 'c',
    });
    expect(st('USE d')).toEqual({ kind: 'use', name: id('d') });
    expect(st('USE DATABASE d')).toEqual({ kind: 'use', name: id('d') });
  });
  it('views keep the query text', () => {
    const sql =
      'CREATE OR REPLACE GLOBAL TEMPORARY VIEW IF NOT EXISTS v (x, y) AS SELECT a, b FROM t WHERE a > 1';
    expect(st(sql)).toMatchObject({
      kind: 'create_view',
      orReplace: true,
      ifNotExists: true,
      temporary: true,
      global: true,
      columns: [id('x'), id('y')],
      queryText: 'SELECT a, b FROM t WHERE a > 1',
    });
    expect(st('CREATE TEMP VIEW v AS (SELECT 1)')).toMatchObject({
      temporary: true,
      global: false,
      columns: null,
      queryText: '(SELECT 1)',
    });
    expect(st('CREATE VIEW v AS SELECT 1')).toMatchObject({ temporary: false });
  });
});

describe('SHOW / DESCRIBE / EXPLAIN', () => {
  it('SHOW forms', () => {
    expect(st("SHOW TABLES IN db LIKE 'a*'")).toEqual({
      kind: 'show_tables',
      database: id('db'),
      pattern: 'a*',
    });
    expect(st("SHOW TABLES 'x'")).toEqual({ kind: 'show_tables', database: null, pattern: 'x' });
    expect(st('SHOW SCHEMAS')).toEqual({ kind: 'show_databases', pattern: null });
    expect(st('SHOW COLUMNS FROM t IN db')).toEqual({ kind: 'show_columns', table: qn('db', 't') });
    expect(st("SHOW FUNCTIONS LIKE 'a*'")).toEqual({ kind: 'show_functions', scope: 'all', pattern: 'a*' });
    expect(st('SHOW USER FUNCTIONS')).toEqual({ kind: 'show_functions', scope: 'user', pattern: null });
    expect(st("SHOW SYSTEM FUNCTIONS 'x|y'")).toEqual({
      kind: 'show_functions',
      scope: 'system',
      pattern: 'x|y',
    });
    expect(st('SHOW ALL FUNCTIONS')).toEqual({ kind: 'show_functions', scope: 'all', pattern: null });
    expect(st('SHOW user')).toEqual({ kind: 'show_variable', name: 'user' });
    expect(st('SHOW CREATE TABLE db.t')).toEqual({ kind: 'show_create_table', table: qn('db', 't') });
    expect(st('SHOW ALL')).toEqual({ kind: 'show_variable', name: 'all' });
    expect(st('SHOW search_path')).toEqual({ kind: 'show_variable', name: 'search_path' });
    expect(st('SHOW TRANSACTION ISOLATION LEVEL')).toEqual({
      kind: 'show_variable',
      name: 'transaction_isolation',
    });
  });
  it('DESCRIBE FUNCTION', () => {
    expect(st('DESCRIBE FUNCTION EXTENDED abs')).toEqual({
      kind: 'describe_function',
      name: qn('abs'),
      extended: true,
    });
    expect(st("DESC FUNCTION 'abs'")).toEqual({
      kind: 'describe_function',
      name: { parts: [id('abs', true)] },
      extended: false,
    });
    // A table named `function` is still a table.
    expect(st('DESCRIBE function.t')).toMatchObject({
      kind: 'describe',
      target: { name: qn('function', 't') },
    });
  });
  it('DESCRIBE forms', () => {
    expect(st('DESCRIBE TABLE EXTENDED db.t')).toEqual({
      kind: 'describe',
      target: { kind: 'table', name: qn('db', 't'), column: null },
      extended: true,
    });
    expect(st('DESC t')).toEqual({
      kind: 'describe',
      target: { kind: 'table', name: qn('t'), column: null },
      extended: false,
    });
    expect(st('DESCRIBE extended')).toEqual({
      kind: 'describe',
      target: { kind: 'table', name: qn('extended'), column: null },
      extended: false,
    });
    expect(st('DESC EXTENDED db.t key')).toEqual({
      kind: 'describe',
      target: { kind: 'table', name: qn('db', 't'), column: qn('key') },
      extended: true,
    });
    expect(st('DESCRIBE TABLE t c')).toEqual({
      kind: 'describe',
      target: { kind: 'table', name: qn('t'), column: qn('c') },
      extended: false,
    });
    expect(st('DESCRIBE QUERY SELECT 1')).toMatchObject({ kind: 'describe', target: { kind: 'query' } });
    expect(st('DESCRIBE SELECT 1')).toMatchObject({ kind: 'describe', target: { kind: 'query' } });
  });
  it('EXPLAIN modes', () => {
    expect(st('EXPLAIN SELECT 1')).toMatchObject({
      kind: 'explain',
      mode: 'simple',
      statement: { kind: 'query_statement' },
    });
    for (const mode of ['extended', 'verbose', 'formatted', 'cost', 'analyze']) {
      expect(st(`EXPLAIN ${mode.toUpperCase()} SELECT 1`)).toMatchObject({ mode });
    }
  });
});

describe('SET / RESET', () => {
  it('keys and raw values', () => {
    expect(st('SET')).toEqual({ kind: 'set', key: null, value: null });
    expect(st('SET spark.sql.ansi.enabled')).toEqual({
      kind: 'set',
      key: 'spark.sql.ansi.enabled',
      value: null,
    });
    expect(st('SET spark.sql.ansi.enabled = true')).toEqual({
      kind: 'set',
      key: 'spark.sql.ansi.enabled',
      value: 'true',
    });
    expect(st("SET application_name = 'PostgreSQL JDBC Driver'")).toEqual({
      kind: 'set',
      key: 'application_name',
      value: 'PostgreSQL JDBC Driver',
    });
    expect(st('SET extra_float_digits TO 3')).toEqual({ kind: 'set', key: 'extra_float_digits', value: '3' });
    expect(st('SET search_path = "$user", public')).toEqual({
      kind: 'set',
      key: 'search_path',
      value: '"$user", public',
    });
    expect(st("SET TIME ZONE 'UTC'")).toEqual({
      kind: 'set',
      key: 'spark.sql.session.timeZone',
      value: 'UTC',
    });
    expect(st('SET TIME ZONE LOCAL')).toEqual({
      kind: 'set',
      key: 'spark.sql.session.timeZone',
      value: 'LOCAL',
    });
    expect(st('SET SESSION CHARACTERISTICS AS TRANSACTION ISOLATION LEVEL READ COMMITTED')).toMatchObject({
      kind: 'set',
      key: 'session_characteristics',
    });
    expect(st('RESET')).toEqual({ kind: 'reset', key: null });
    expect(st('RESET spark.sql.shuffle.partitions')).toEqual({
      kind: 'reset',
      key: 'spark.sql.shuffle.partitions',
    });
  });
});

describe('INSERT, transactions, ANALYZE, CACHE', () => {
  it('INSERT forms', () => {
    expect(st('INSERT INTO t VALUES (1, 2), (3, 4)')).toMatchObject({
      kind: 'insert',
      overwrite: false,
      columns: null,
      query: { body: { kind: 'values' } },
    });
    expect(st('INSERT OVERWRITE TABLE t (a, b) SELECT 1, 2')).toMatchObject({
      overwrite: true,
      columns: [id('a'), id('b')],
    });
    expect(st('INSERT INTO t (SELECT 1)')).toMatchObject({ columns: null, query: { kind: 'query' } });
    expect(st("INSERT INTO t PARTITION (p = 'x', q) SELECT 1")).toMatchObject({
      partition: [
        [id('p'), { kind: 'literal' }],
        [id('q'), null],
      ],
    });
  });
  it('transactions', () => {
    const tx = (sql: string, action: string, savepoint: string | null = null): void =>
      expect(st(sql)).toEqual({ kind: 'transaction', action, savepoint });
    tx('BEGIN', 'begin');
    tx('BEGIN TRANSACTION ISOLATION LEVEL SERIALIZABLE READ ONLY', 'begin');
    tx('START TRANSACTION READ WRITE', 'begin');
    tx('COMMIT WORK', 'commit');
    tx('END', 'commit');
    tx('ROLLBACK', 'rollback');
    tx('ROLLBACK TO SAVEPOINT s1', 'rollback_to', 's1');
    tx('SAVEPOINT s1', 'savepoint', 's1');
    tx('RELEASE SAVEPOINT s1', 'release', 's1');
    tx('RELEASE s1', 'release', 's1');
  });
  it('ANALYZE and caching', () => {
    expect(st('ANALYZE TABLE t COMPUTE STATISTICS')).toEqual({
      kind: 'analyze_table',
      table: qn('t'),
      forColumns: null,
      noScan: false,
    });
    expect(st('ANALYZE TABLE t COMPUTE STATISTICS NOSCAN')).toMatchObject({ noScan: true });
    expect(st('ANALYZE TABLE t COMPUTE STATISTICS FOR COLUMNS a, b')).toMatchObject({
      forColumns: [id('a'), id('b')],
    });
    expect(st('ANALYZE TABLE t COMPUTE STATISTICS FOR ALL COLUMNS')).toMatchObject({ forColumns: 'all' });
    expect(st('CACHE LAZY TABLE t')).toEqual({
      kind: 'cache',
      action: 'cache',
      table: qn('t'),
      lazy: true,
      ifExists: false,
      options: [],
      query: null,
      queryText: '',
    });
    expect(st("CACHE TABLE t OPTIONS ('storageLevel' 'MEMORY_ONLY') AS SELECT 1")).toMatchObject({
      action: 'cache',
      lazy: false,
      options: [['storageLevel', 'MEMORY_ONLY']],
      query: { kind: 'query' },
      queryText: 'SELECT 1',
    });
    expect(st('CACHE TABLE t SELECT 1')).toMatchObject({ query: { kind: 'query' } });
    expect(st('UNCACHE TABLE IF EXISTS t')).toEqual({
      kind: 'cache',
      action: 'uncache',
      table: qn('t'),
      lazy: false,
      ifExists: true,
      options: [],
      query: null,
      queryText: '',
    });
    expect(st('CLEAR CACHE')).toEqual({
      kind: 'cache',
      action: 'clear',
      table: null,
      lazy: false,
      ifExists: false,
      options: [],
      query: null,
      queryText: '',
    });
  });
});

describe('data types', () => {
  it('Spark and PostgreSQL spellings', () => {
    expect(parseDataType('bigint')).toEqual({ kind: 'bigint' });
    expect(parseDataType('LONG')).toEqual({ kind: 'bigint' });
    expect(parseDataType('double precision')).toEqual({ kind: 'double' });
    expect(parseDataType('decimal')).toEqual({ kind: 'decimal', precision: 10, scale: 0 });
    expect(parseDataType('numeric(5)')).toEqual({ kind: 'decimal', precision: 5, scale: 0 });
    expect(parseDataType('varchar(20)')).toEqual({ kind: 'string', maxLength: 20 });
    expect(parseDataType('character varying(5)')).toEqual({ kind: 'string', maxLength: 5 });
    expect(parseDataType('char(3)')).toEqual({ kind: 'string', maxLength: 3, fixed: true });
    expect(parseDataType('timestamp_ltz')).toEqual({ kind: 'timestamp' });
    expect(parseDataType('timestamp_ntz')).toEqual({ kind: 'timestamp_ntz' });
    expect(parseDataType('interval year to month')).toEqual({
      kind: 'interval_year_month',
      startField: 'year',
      endField: 'month',
    });
    expect(parseDataType('interval day to second')).toEqual({
      kind: 'interval_day_time',
      startField: 'day',
      endField: 'second',
    });
    expect(parseDataType('INTERVAL DAY')).toEqual({
      kind: 'interval_day_time',
      startField: 'day',
      endField: 'day',
    });
    expect(parseDataType('interval hour to minute')).toEqual({
      kind: 'interval_day_time',
      startField: 'hour',
      endField: 'minute',
    });
    expect(parseDataType('interval month')).toEqual({
      kind: 'interval_year_month',
      startField: 'month',
      endField: 'month',
    });
    expect(parseDataType('interval')).toEqual({ kind: 'calendar_interval' });
    for (const bad of ['interval hour to day', 'interval year to day', 'interval days']) {
      expect(() => parseDataType(bad), bad).toThrow(expect.objectContaining({ sqlstate: '42601' }));
    }
    expect(parseDataType('map<string, array<int>>')).toEqual({
      kind: 'map',
      key: { kind: 'string' },
      value: { kind: 'array', element: { kind: 'int' }, containsNull: true },
      valueContainsNull: true,
    });
    expect(parseDataType('struct<a: int, b string NOT NULL>')).toEqual({
      kind: 'struct',
      fields: [
        { name: 'a', type: { kind: 'int' }, nullable: true },
        { name: 'b', type: { kind: 'string' }, nullable: false },
      ],
    });
  });
  it('invalid types are errors', () => {
    expect(() => parseDataType('decimal(40, 2)')).toThrow(/decimal precision 40 is out of range/);
    expect(() => parseDataType('decimal(5, 6)')).toThrow(expect.objectContaining({ sqlstate: '42601' }));
    expect(() => parseDataType('blob')).toThrow(/unsupported data type: blob/);
  });
});

describe('multiple statements', () => {
  it('splits on ; outside strings and comments, skipping empty statements', () => {
    const sql = "SELECT ';' AS a; -- c;\n;; /* ; */ SELECT 2;\n-- only a comment\n";
    const parsed = parseStatements(sql);
    expect(parsed.map((p) => p.text)).toEqual(["SELECT ';' AS a", 'SELECT 2']);
    expect(parsed[1]!.start).toBe(sql.indexOf('SELECT 2'));
    expect(parsed[1]!.end).toBe(sql.indexOf('SELECT 2') + 'SELECT 2'.length);
    expect(parseStatements('  -- nothing\n')).toEqual([]);
    expect(parseStatements('')).toEqual([]);
  });
  it('parseStatement takes exactly one statement', () => {
    expect(parseStatement('SELECT 1;')).toMatchObject({ kind: 'query_statement' });
    expect(() => parseStatement('SELECT 1; SELECT 2')).toThrow(
      expect.objectContaining({ sqlstate: '42601', position: 11 }),
    );
    expect(() => parseStatement('   ')).toThrow(expect.objectContaining({ sqlstate: '42601' }));
  });
});

describe('non-reserved keywords as names', () => {
  it('tables, columns and aliases', () => {
    const s = parseStatement(
      'SELECT date, year AS month, value day, data.key FROM data, comment AS location ORDER BY type',
    );
    expect(s).toMatchObject({
      query: {
        body: {
          items: [
            { expr: { name: { parts: [{ name: 'date' }] } }, alias: null },
            { alias: { name: 'month' } },
            { alias: { name: 'day' } },
            { expr: { name: { parts: [{ name: 'data' }, { name: 'key' }] } } },
          ],
          from: [
            { name: { parts: [{ name: 'data' }] } },
            { name: { parts: [{ name: 'comment' }] }, alias: { name: { name: 'location' } } },
          ],
        },
      },
    });
    // A reserved word is no name: not a table, nor an alias written without AS …
    expect(() => parseStatement('SELECT 1 select')).toThrow(expect.objectContaining({ sqlstate: '42601' }));
    expect(() => parseStatement('SELECT x FROM select')).toThrow(
      expect.objectContaining({ sqlstate: '42601' }),
    );
  });

  it('after AS any word labels a column (Spark without enforced reserved words; PostgreSQL ColLabel)', () => {
    // Metabase's table-privilege query: `… AS table`, `… AS select`, `… AS update`.
    const s = parseStatement('SELECT 1 AS select, 2 AS table, t.x AS update FROM t');
    expect(s).toMatchObject({
      query: {
        body: {
          items: [{ alias: { name: 'select' } }, { alias: { name: 'table' } }, { alias: { name: 'update' } }],
        },
      },
    });
  });
});

describe('TRUNCATE, WITH … INSERT, VALUES with an alias', () => {
  it('TRUNCATE TABLE [PARTITION (…)]', () => {
    expect(st('TRUNCATE TABLE db.t')).toEqual({
      kind: 'truncate_table',
      table: qn('db', 't'),
      partition: null,
    });
    expect(st("TRUNCATE TABLE t PARTITION (p = 1, q = 'a')")).toMatchObject({
      kind: 'truncate_table',
      partition: [
        [id('p'), { kind: 'literal' }],
        [id('q'), { kind: 'literal' }],
      ],
    });
    expect(() => parseStatement('TRUNCATE t')).toThrow(/syntax error/);
  });
  it('WITH before INSERT gives the INSERT’s query the CTEs', () => {
    const insert = st('WITH c AS (SELECT 1) INSERT INTO t SELECT * FROM c') as {
      kind: string;
      query: { with: { ctes: { name: unknown }[] } };
    };
    expect(insert.kind).toBe('insert');
    expect(insert.query.with.ctes.map((c) => c.name)).toEqual([id('c')]);
    // The query's own WITH stays inside, under the statement's.
    expect(st('WITH c AS (SELECT 1) INSERT OVERWRITE t WITH d AS (SELECT 2) SELECT * FROM d')).toMatchObject({
      kind: 'insert',
      overwrite: true,
      query: {
        with: { ctes: [{ name: id('c') }] },
        body: { kind: 'query', with: { ctes: [{ name: id('d') }] } },
      },
    });
    expect(st('WITH c AS (SELECT 1) SELECT * FROM c')).toMatchObject({ kind: 'query_statement' });
  });
  it('VALUES … AS t(a, b) as a query selects from the aliased inline table', () => {
    expect(st('VALUES 1 T(c)')).toMatchObject({
      kind: 'query_statement',
      query: {
        body: {
          kind: 'select',
          items: [{ kind: 'wildcard' }],
          from: [{ kind: 'values_relation', alias: { name: id('T'), columns: [id('c')] } }],
        },
      },
    });
    expect(st('VALUES (1, 2)')).toMatchObject({ query: { body: { kind: 'values' } } });
  });
});

describe("Hive's multi-insert", () => {
  it('gives each INSERT a SELECT over the shared FROM, with its own clauses', () => {
    const stmt = parseStatement(
      'FROM src s INSERT INTO a SELECT k WHERE k > 1 INSERT OVERWRITE TABLE b PARTITION (p = 1) (y) SELECT v ORDER BY v LIMIT 2',
    );
    expect(stmt.kind).toBe('multi_insert');
    if (stmt.kind !== 'multi_insert') return;
    expect(stmt.inserts.map((i) => [i.table.parts[0]!.name, i.overwrite])).toEqual([
      ['a', false],
      ['b', true],
    ]);
    const [first, second] = stmt.inserts;
    expect(first!.query.body).toMatchObject({ kind: 'select', where: { kind: 'binary' } });
    expect(second!.partition?.length).toBe(1);
    expect(second!.columns?.map((c) => c.name)).toEqual(['y']);
    expect(second!.query.limit).not.toBeNull();
    // Both read the one FROM, alias included
    for (const i of stmt.inserts) {
      const body = i.query.body.kind === 'query' ? i.query.body.body : i.query.body;
      expect(body).toMatchObject({ from: [{ kind: 'table', alias: { name: { name: 's' } } }] });
    }
  });

  it('keeps FROM … SELECT a query, and a table named after a keyword needs AS to be aliased INSERT', () => {
    expect(parseStatement('FROM t SELECT a').kind).toBe('query_statement');
    expect(parseStatement('FROM t AS insert SELECT insert.a').kind).toBe('query_statement');
  });
});
