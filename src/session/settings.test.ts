import { describe, expect, it } from 'vitest';
import { Settings, defaultTimeZone, splitProcessSettings, validateSettingDefaults } from './settings.ts';

describe('settings', () => {
  it('defaults, validates and normalizes known keys', () => {
    const s = new Settings();
    expect(s.ansi).toBe(true);
    s.set('spark.sql.ansi.enabled', 'OFF');
    expect(s.ansi).toBe(false);
    expect(() => s.set('spark.sql.ansi.enabled', 'maybe')).toThrow(/invalid value/);
    expect(() => s.set('kindling.execution.batch_size', '0')).toThrow(/from 1 to/);
  });

  it('treats the PostgreSQL TimeZone as the Spark session time zone and reports it', () => {
    const s = new Settings();
    const change = s.set('TimeZone', 'utc');
    expect(change).toEqual({ key: 'spark.sql.session.timeZone', value: 'UTC', pgName: 'TimeZone' });
    expect(s.timeZone).toBe('UTC');
    s.set('timezone', '+5:30');
    expect(s.timeZone).toBe('+05:30');
    expect(s.reported()).toContainEqual({ name: 'TimeZone', value: '+05:30' });
    expect(() => s.set('TimeZone', 'Mars/Olympus')).toThrow(/invalid time zone/);
  });

  it('refuses what Spark’s SET refuses, and unknown kindling.* keys naming the close ones', () => {
    const s = new Settings();
    s.set('spark.sql.no.such.key', '1');
    expect(s.get('spark.sql.no.such.key')).toBe('1');
    const failure = (key: string): { sqlstate: string; message: string } => {
      try {
        s.set(key, '1');
      } catch (e) {
        return e as { sqlstate: string; message: string };
      }
      throw new Error(`SET ${key} was accepted`);
    };
    const staticConf = failure('spark.sql.warehouse.dir');
    expect(staticConf.sqlstate).toBe('46110');
    expect(staticConf.message).toMatch(/^\[CANNOT_MODIFY_STATIC_CONFIG\].*"spark\.sql\.warehouse\.dir"/);
    const core = failure('Spark.Executor.Memory');
    expect(core.sqlstate).toBe('46110');
    expect(core.message).toMatch(/^\[CANNOT_MODIFY_CONFIG\]/);
    // The process's settings are fixed when the server starts.
    expect(failure('kindling.memory.limit').sqlstate).toBe('46110');
    expect(failure('kindling.local.dir').sqlstate).toBe('46110');
    const typo = failure('kindling.execution.batchsize');
    expect(typo.sqlstate).toBe('42K0I');
    expect(typo.message).toMatch(/\[SQL_CONF_NOT_FOUND\].*Did you mean kindling\.execution\.batch_size\?$/);
    // Nothing close: every kindling key is named.
    expect(failure('kindling.zzz').message).toContain('kindling.optimizer.max_passes');
    expect(s.get('kindling.execution.batchsize')).toBeUndefined();
  });

  it('keeps unknown keys as Spark does, and resets to defaults', () => {
    const s = new Settings();
    s.set('some.custom.key', 'v');
    expect(s.get('SOME.CUSTOM.KEY')).toBe('v');
    s.set('spark.sql.ansi.enabled', 'false');
    s.reset('spark.sql.ansi.enabled');
    expect(s.ansi).toBe(true);
    s.resetAll();
    expect(s.get('some.custom.key')).toBeUndefined();
  });

  it('accepts only known optimizer rule names to disable', () => {
    const s = new Settings();
    s.set('kindling.optimizer.disabled_rules', ' Push_Down_Filter , prune_columns');
    expect([...s.disabledRules]).toEqual(['push_down_filter', 'prune_columns']);
    expect(() => s.set('kindling.optimizer.disabled_rules', 'no_such_rule')).toThrow(/no_such_rule/);
  });
});

describe('statement_timeout', () => {
  it("is validated and shown in PostgreSQL's form, read in milliseconds", () => {
    const s = new Settings();
    expect(s.get('statement_timeout')).toBe('0');
    expect(s.statementTimeoutMs).toBe(0);
    s.set('statement_timeout', '1000');
    expect(s.get('statement_timeout')).toBe('1s');
    expect(s.statementTimeoutMs).toBe(1000);
    s.set('STATEMENT_TIMEOUT', '1.5min');
    expect(s.get('statement_timeout')).toBe('90s');
    expect(() => s.set('statement_timeout', 'soon')).toThrow(
      'invalid value for parameter "statement_timeout": "soon"',
    );
    expect(s.statementTimeoutMs).toBe(90_000);
  });
});

describe('session baseline', () => {
  it('starts from the initial values, which RESET and RESET ALL return to', () => {
    const s = new Settings({ statement_timeout: '5000', 'my.key': 'a' });
    expect(s.get('statement_timeout')).toBe('5s');
    s.set('statement_timeout', '0');
    s.set('my.key', 'b');
    expect(s.reset('statement_timeout')).toEqual({
      key: 'statement_timeout',
      value: '5s',
      pgName: undefined,
    });
    expect(s.get('statement_timeout')).toBe('5s');
    s.set('statement_timeout', '0');
    s.resetAll();
    expect(s.get('statement_timeout')).toBe('5s');
    expect(s.get('my.key')).toBe('a');
    expect(s.list()).toContainEqual(expect.objectContaining({ key: 'my.key', value: 'a' }));
  });

  it('rejects a bad initial value like SET', () => {
    expect(() => new Settings({ statement_timeout: '-5' })).toThrow(/outside the valid range/);
  });
});

describe('server-wide defaults', () => {
  it('takes known keys only, normalized', () => {
    expect(validateSettingDefaults({ Statement_Timeout: '30000', timezone: 'utc' })).toEqual({
      statement_timeout: '30s',
      'spark.sql.session.timeZone': 'UTC',
    });
    expect(() => validateSettingDefaults({ statement_timout: '1s' })).toThrow(
      'unrecognized configuration parameter "statement_timout"',
    );
    expect(() => validateSettingDefaults({ statement_timeout: 'x' })).toThrow(/invalid value for parameter/);
  });
});

describe('kindling.local.dir', () => {
  it('goes to the process as a folder; an empty one is refused', () => {
    const split = splitProcessSettings({ 'kindling.local.dir': ' /data/spill ', statement_timeout: '1s' });
    expect(split.process).toEqual({ localDir: '/data/spill' });
    expect(split.sessionDefaults).toEqual({ statement_timeout: '1s' });
    expect(() => splitProcessSettings({ 'kindling.local.dir': ' ' })).toThrow(/must name a folder/);
  });
});

describe('kindling.log.min_duration_statement', () => {
  it('goes to the server, as milliseconds or -1, under either name', () => {
    const split = splitProcessSettings({
      'kindling.log.min_duration_statement': '250ms',
      statement_timeout: '1s',
    });
    expect(split.server).toEqual({ logMinDurationStatementMs: 250 });
    expect(split.sessionDefaults).toEqual({ statement_timeout: '1s' });
    expect(splitProcessSettings({ log_min_duration_statement: '0' }).server).toEqual({
      logMinDurationStatementMs: 0,
    });
    expect(splitProcessSettings({ LOG_MIN_DURATION_STATEMENT: ' -1 ' }).server).toEqual({
      logMinDurationStatementMs: -1,
    });
    expect(splitProcessSettings({ 'kindling.log.min_duration_statement': '1.5s' }).server).toEqual({
      logMinDurationStatementMs: 1500,
    });
    expect(splitProcessSettings({}).server).toEqual({});
  });

  it('refuses other negative values and words with 22023', () => {
    for (const bad of ['-2', 'soon', '5 parsecs']) {
      let code = '';
      try {
        splitProcessSettings({ 'kindling.log.min_duration_statement': bad });
      } catch (err) {
        code = (err as { sqlstate: string }).sqlstate;
      }
      expect(code, bad).toBe('22023');
    }
  });
});

describe('the default time zone', () => {
  it("is TZ's, remembered, and read again when TZ changes", () => {
    const saved = process.env.TZ;
    try {
      process.env.TZ = 'Europe/Paris';
      expect(defaultTimeZone()).toBe('Europe/Paris');
      expect(new Settings().timeZone).toBe('Europe/Paris');
      process.env.TZ = 'Asia/Tokyo';
      expect(defaultTimeZone()).toBe('Asia/Tokyo');
      process.env.TZ = 'Not/AZone';
      expect(defaultTimeZone()).toBe('UTC');
      delete process.env.TZ;
      expect(defaultTimeZone()).toBe(Intl.DateTimeFormat().resolvedOptions().timeZone);
    } finally {
      if (saved === undefined) delete process.env.TZ;
      else process.env.TZ = saved;
    }
  });
});
