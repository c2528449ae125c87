import { describe, expect, it } from 'vitest';
import { startupSettings } from './startup-options.ts';

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
    ).toEqual({ application_name: 'psql', TimeZone: 'Etc/UTC', statement_timeout: '300' });
  });

  it("reads options' -c and -- switches as PostgreSQL does", () => {
    expect(
      startupSettings({
        user: 'u',
        options:
          '  -c statement_timeout=5s -cTimeZone=UTC --search-path=a,b  -c application_name=my\\ app\\\\x ',
      }),
    ).toEqual({
      statement_timeout: '5s',
      TimeZone: 'UTC',
      search_path: 'a,b',
      application_name: 'my app\\x',
    });
    // A switch in `options` wins over the parameter of the same name.
    expect(startupSettings({ statement_timeout: '1', options: '-c statement_timeout=2' })).toEqual({
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
