import { describe, expect, it } from 'vitest';
import { startupSettings } from './startup-options.ts';

const WIRE = { 'spark.sql.ansi.doubleQuotedIdentifiers': 'true' };

describe('start-up settings', () => {
  it('takes GUC-named parameters, leaving out the connection, protocol and fixed-format ones', () => {
    expect(
      startupSettings({
        user: 'u',
        database: 'd',
        application_name: 'psql',
        TimeZone: 'Etc/UTC',
        statement_timeout: '300',
        client_encoding: 'SQL_ASCII',
        DateStyle: 'ISO',
        '_pq_.x': '1',
      }),
    ).toEqual({ ...WIRE, application_name: 'psql', TimeZone: 'Etc/UTC', statement_timeout: '300' });
  });

  it('turns on double-quoted identifiers, which a client may turn off', () => {
    expect(startupSettings({ user: 'u' })).toEqual(WIRE);
    const off = startupSettings({ options: '-c spark.sql.ansi.doubleQuotedIdentifiers=false' });
    expect(Object.entries(off).at(-1)).toEqual(['spark.sql.ansi.doubleQuotedIdentifiers', 'false']);
  });

  it("reads options' -c and -- switches as PostgreSQL does", () => {
    expect(
      startupSettings({
        user: 'u',
        options:
          '  -c statement_timeout=5s -cTimeZone=UTC --search-path=a,b  -c application_name=my\\ app\\\\x ',
      }),
    ).toEqual({
      ...WIRE,
      statement_timeout: '5s',
      TimeZone: 'UTC',
      search_path: 'a,b',
      application_name: 'my app\\x',
    });
    // A switch in `options` wins over the parameter of the same name.
    expect(startupSettings({ statement_timeout: '1', options: '-c statement_timeout=2' })).toEqual({
      ...WIRE,
      statement_timeout: '2',
    });
  });

  it('rejects switches it does not know and settings without a value (42601)', () => {
    expect(() => startupSettings({ options: '-B 100' })).toThrow(
      'invalid command-line argument for server process: -B',
    );
    expect(() => startupSettings({ options: '-c statement_timeout' })).toThrow(
      '-c statement_timeout requires a value',
    );
    expect(() => startupSettings({ options: '--statement_timeout' })).toThrow(
      '--statement_timeout requires a value',
    );
    expect(() => startupSettings({ options: '-c' })).toThrow(/requires an argument/);
  });
});
