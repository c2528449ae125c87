import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { EngineError } from '../common/index.ts';
import { AllowedPaths, parseAllowedPaths } from './allowed-paths.ts';
import { Engine } from './engine.ts';
import { splitProcessSettings } from './settings.ts';

const root = mkdtempSync(join(tmpdir(), 'kindling-paths-'));
const allowed = join(root, 'allowed');
const outside = join(root, 'outside');
mkdirSync(join(allowed, 'data'), { recursive: true });
mkdirSync(outside, { recursive: true });
writeFileSync(join(outside, 'secret.csv'), 'x\n');
symlinkSync(outside, join(allowed, 'link-out'));
symlinkSync(join(allowed, 'data'), join(outside, 'link-in'));

afterAll(() => rmSync(root, { recursive: true, force: true }));

function code(f: () => unknown): string | undefined {
  try {
    f();
    return undefined;
  } catch (err) {
    return (err as EngineError).sqlstate;
  }
}

describe('allowed paths', () => {
  const paths = new AllowedPaths([allowed]);

  it('accepts paths inside, existing or not, and refuses the rest with 42501', () => {
    expect(paths.check(join(allowed, 'data'))).toBe(join(allowed, 'data'));
    expect(paths.check(join(allowed, 'new', 'table'))).toBe(join(allowed, 'new', 'table'));
    expect(paths.check(allowed)).toBe(allowed);
    expect(code(() => paths.check(outside))).toBe('42501');
    expect(code(() => paths.check(join(allowed, '..', 'outside', 'secret.csv')))).toBe('42501');
    // A sibling whose name only starts like the allowed folder is not inside it.
    expect(code(() => paths.check(`${allowed}-evil`))).toBe('42501');
  });

  it('follows symbolic links: out of the folder is refused, into it accepted', () => {
    expect(code(() => paths.check(join(allowed, 'link-out', 'secret.csv')))).toBe('42501');
    expect(code(() => paths.check(join(allowed, 'link-out', 'not-yet', 'x')))).toBe('42501');
    expect(paths.check(join(outside, 'link-in'))).toBe(join(allowed, 'data'));
  });

  it('is a process setting for serve --conf, checked at start, and defaults to the warehouse', () => {
    expect(parseAllowedPaths(` ${allowed} , ${outside} `)).toEqual([allowed, outside]);
    expect(code(() => parseAllowedPaths(' , '))).toBe('22023');
    const split = splitProcessSettings({ 'kindling.sql.allowed_paths': allowed, statement_timeout: '1s' });
    expect(split.process.allowedPaths).toEqual([allowed]);
    expect(split.sessionDefaults).toEqual({ statement_timeout: '1s' });
    const engine = new Engine({ warehouse: join(root, 'wh'), executorThreads: 0 });
    expect(engine.allowedPaths.roots).toEqual([join(root, 'wh')]);
  });
});
