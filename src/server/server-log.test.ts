import { describe, expect, it } from 'vitest';
import {
  ServerLog,
  escapeText,
  formatLogLine,
  sessionTime,
  type ConnectionIdentity,
  type LogEvent,
} from './server-log.ts';

const TIME = new Date(Date.UTC(2026, 11, 7, 6, 30, 1, 123));
const ALICE: ConnectionIdentity = {
  pid: 12345,
  user: 'alice',
  database: 'default',
  applicationName: 'psql',
  address: '127.0.0.1',
  port: 50432,
};

function text(event: LogEvent, who: ConnectionIdentity = ALICE): string {
  return formatLogLine('text', TIME, who.pid, who, event);
}

function json(event: LogEvent, who: ConnectionIdentity = ALICE): Record<string, unknown> {
  const line = formatLogLine('json', TIME, who.pid, who, event);
  expect(line).not.toContain('\n');
  return JSON.parse(line) as Record<string, unknown>;
}

describe('server log lines (text)', () => {
  it('start with the time, the connection process id and the level', () => {
    expect(text({ event: 'connection' })).toBe(
      '2026-12-07 06:30:01.123 UTC [12345] LOG:  connection authorized: user=alice database=default ' +
        'application_name=psql host=127.0.0.1 port=50432',
    );
  });

  it('give the session time of a disconnection as H:MM:SS.mmm', () => {
    expect(text({ event: 'disconnection', sessionMs: 3_723_004.6 })).toBe(
      '2026-12-07 06:30:01.123 UTC [12345] LOG:  disconnection: session time: 1:02:03.005 user=alice ' +
        'database=default application_name=psql host=127.0.0.1 port=50432',
    );
    expect(sessionTime(1234)).toBe('0:00:01.234');
  });

  it('quote values that are not one plain word', () => {
    const line = text({ event: 'connection' }, { ...ALICE, user: 'a b', applicationName: '' });
    expect(line).toContain('user="a b" database=default application_name="" host=');
  });

  it('put an error, its SQLSTATE and its statement on one line', () => {
    expect(
      text({
        event: 'error',
        level: 'ERROR',
        sqlstate: '22012',
        message: 'Division by zero.',
        statement: 'SELECT 1\n/ 0 -- a\\b',
      }),
    ).toBe(
      '2026-12-07 06:30:01.123 UTC [12345] ERROR:  22012 Division by zero. STATEMENT: SELECT 1\\n/ 0 -- a\\\\b',
    );
  });

  it('name the client of an error that ends the connection, and of a failed login', () => {
    const who = { ...ALICE, database: 'nosuch' };
    expect(
      text({ event: 'error', level: 'FATAL', sqlstate: '3D000', message: 'no such', statement: null }, who),
    ).toBe(
      '2026-12-07 06:30:01.123 UTC [12345] FATAL:  3D000 no such (user=alice database=nosuch ' +
        'application_name=psql host=127.0.0.1 port=50432)',
    );
    expect(
      text({
        event: 'authentication_failed',
        sqlstate: '28P01',
        message: 'password authentication failed for user "alice"',
      }),
    ).toBe(
      '2026-12-07 06:30:01.123 UTC [12345] FATAL:  28P01 password authentication failed for user "alice" ' +
        '(user=alice database=default application_name=psql host=127.0.0.1 port=50432)',
    );
  });

  it('give durations in milliseconds to the microsecond, with the rows', () => {
    expect(text({ event: 'duration', durationMs: 12.3456, rows: 3, statement: 'SELECT\r\n1' })).toBe(
      '2026-12-07 06:30:01.123 UTC [12345] LOG:  duration: 12.346 ms rows: 3 statement: SELECT\\r\\n1',
    );
  });

  it('escape control characters but tab', () => {
    expect(escapeText('a\tb\x1b[31mc\x7f')).toBe('a\tb\\x1b[31mc\\x7f');
    expect(escapeText('plain')).toBe('plain');
  });
});

describe('server log lines (JSON)', () => {
  it('carry the connection and the event as fields', () => {
    expect(json({ event: 'connection' })).toEqual({
      time: '2026-12-07T06:30:01.123Z',
      pid: 12345,
      level: 'LOG',
      event: 'connection',
      user: 'alice',
      database: 'default',
      application_name: 'psql',
      address: '127.0.0.1',
      port: 50432,
      message: 'connection authorized',
    });
    expect(json({ event: 'disconnection', sessionMs: 1234.5678 })).toMatchObject({
      event: 'disconnection',
      duration_ms: 1234.568,
      message: 'disconnection: session time: 0:00:01.235',
    });
  });

  it('keep statements whole, newlines included', () => {
    expect(
      json({ event: 'error', level: 'ERROR', sqlstate: '42703', message: 'm', statement: 'SELECT\nx' }),
    ).toMatchObject({
      level: 'ERROR',
      event: 'error',
      sqlstate: '42703',
      message: 'm',
      statement: 'SELECT\nx',
    });
    expect(json({ event: 'duration', durationMs: 0.0421, rows: 0, statement: 'SET a = 1' })).toMatchObject({
      level: 'LOG',
      event: 'duration',
      duration_ms: 0.042,
      rows: 0,
      statement: 'SET a = 1',
    });
    expect(
      json({ event: 'authentication_failed', sqlstate: '28P01', message: 'password authentication failed' }),
    ).toMatchObject({ level: 'FATAL', event: 'authentication_failed', sqlstate: '28P01', user: 'alice' });
  });
});

describe('ServerLog', () => {
  it('formats nothing without a sink, and times statements only when durations are logged', () => {
    expect(new ServerLog({ minDurationStatementMs: 0 }).timesStatements).toBe(false);
    const lines: string[] = [];
    const off = new ServerLog({ write: (l) => lines.push(l) });
    expect(off.timesStatements).toBe(false);
    expect(off.logsDuration(1e9)).toBe(false);
    const slow = new ServerLog({ write: (l) => lines.push(l), minDurationStatementMs: 100 });
    expect(slow.timesStatements).toBe(true);
    expect(slow.logsDuration(99.9)).toBe(false);
    expect(slow.logsDuration(100)).toBe(true);
    expect(new ServerLog({ write: (l) => lines.push(l), minDurationStatementMs: 0 }).logsDuration(0)).toBe(
      true,
    );
  });

  it('writes one line per event, server messages under the OS process id', () => {
    const lines: string[] = [];
    const log = new ServerLog({ write: (l) => lines.push(l), format: 'json', now: () => TIME });
    log.connection(ALICE, { event: 'connection' });
    log.server('server error: EADDRINUSE');
    expect(lines).toHaveLength(2);
    expect(JSON.parse(lines[1]!)).toEqual({
      time: '2026-12-07T06:30:01.123Z',
      pid: process.pid,
      level: 'LOG',
      event: 'message',
      message: 'server error: EADDRINUSE',
    });
  });
});
