import { describe, expect, it } from 'vitest';
import type { CopyOptions } from '../common/index.ts';
import { parseCopyData } from './copy-in.ts';

const TEXT: CopyOptions = {
  format: 'text',
  header: false,
  delimiter: '\t',
  null: '\\N',
  quote: '"',
  escape: '"',
};
const CSV: CopyOptions = { format: 'csv', header: false, delimiter: ',', null: '', quote: '"', escape: '"' };
const bytes = (s: string): Uint8Array => new TextEncoder().encode(s);

describe('COPY FROM data', () => {
  it('reads the text format’s escapes, NULLs, CRLF line ends and the \\. end marker', () => {
    const data = 'a\\tb\\\\c\\101\\x42\\z\t\\N\r\n\\N\tx\\ny\n\\.\nignored\tafter\n';
    expect(parseCopyData(bytes(data), TEXT, 2)).toEqual([
      ['a\tb\\cABz', null],
      [null, 'x\ny'],
    ]);
  });

  it('splits at escaped delimiters correctly and honours a custom delimiter and null string', () => {
    const options = { ...TEXT, delimiter: '|', null: 'NULL' };
    expect(parseCopyData(bytes('a\\|b|NULL|\n'), options, 3)).toEqual([['a|b', null, '']]);
  });

  it('reads CSV: quoted delimiters, doubled quotes, line breaks inside quotes, "" versus NULL, a header', () => {
    const data = 'h1,h2\n"a,b","say ""hi"""\n"two\nlines",\n"",x\n';
    expect(parseCopyData(bytes(data), { ...CSV, header: true }, 2)).toEqual([
      ['a,b', 'say "hi"'],
      ['two\nlines', null],
      ['', 'x'],
    ]);
  });

  it('reports rows of the wrong width with the line, PostgreSQL’s 22P04', () => {
    expect(() => parseCopyData(bytes('1\t2\n3\n'), TEXT, 2)).toThrow(
      'missing data for column 2 (COPY, line 2)',
    );
    expect(() => parseCopyData(bytes('1,2,3\n'), CSV, 2)).toThrow(
      'extra data after last expected column (COPY, line 1)',
    );
    expect(() => parseCopyData(bytes('"open\n'), CSV, 1)).toThrow('unterminated CSV quoted field');
  });

  it('refuses bytes that are not UTF-8 with 22021', () => {
    expect(() => parseCopyData(new Uint8Array([0x61, 0xff, 0x0a]), TEXT, 1)).toThrow(
      expect.objectContaining({ sqlstate: '22021' }),
    );
  });
});
