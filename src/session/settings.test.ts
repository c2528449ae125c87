import { describe, expect, it } from 'vitest';
import { Settings } from './settings.ts';

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
