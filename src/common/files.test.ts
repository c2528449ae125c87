import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { makeDirectories } from './files.ts';

const root = mkdtempSync(join(tmpdir(), 'kindling-files-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('makeDirectories', () => {
  it('creates missing parents and accepts an existing folder', () => {
    const dir = join(root, 'a', 'b', 'c');
    makeDirectories(dir);
    expect(statSync(dir).isDirectory()).toBe(true);
    makeDirectories(dir);
  });

  it('fails with ENOTDIR below a file', () => {
    const file = join(root, 'file');
    writeFileSync(file, '');
    expect(() => makeDirectories(join(file, 'x'))).toThrow(expect.objectContaining({ code: 'ENOTDIR' }));
    expect(() => makeDirectories(file)).toThrow(expect.objectContaining({ code: 'ENOTDIR' }));
  });

  it('fails at once where the OS refuses (a folder under /proc), instead of looping', () => {
    expect(() => makeDirectories('/proc/kindling-nope/x')).toThrow(
      expect.objectContaining({ code: 'ENOENT' }),
    );
  });
});
