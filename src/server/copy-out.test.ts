/**
 * COPY … TO STDOUT framing: one CopyData message per row (as PostgreSQL sends them, and as clients
 * that read a row per message expect), with the text format's escapes and NULLs.
 */
import { describe, expect, it } from 'vitest';
import type { ColumnCells } from './cells.ts';
import { CopyLineWriter } from './copy-out.ts';
import { WriteBuffer } from './write-buffer.ts';

const encoder = new TextEncoder();

function cells(values: readonly (string | null)[]): ColumnCells {
  const parts = values.map((v) => encoder.encode(v ?? ''));
  const offsets = new Int32Array(values.length + 1);
  parts.forEach((p, i) => (offsets[i + 1] = offsets[i]! + p.length));
  const bytes = new Uint8Array(offsets[values.length]!);
  parts.forEach((p, i) => bytes.set(p, offsets[i]));
  const valid = values.some((v) => v === null) ? Uint8Array.from(values, (v) => (v === null ? 0 : 1)) : null;
  return { bytes, offsets, valid };
}

/** The messages in `bytes` as [type letter, body text]. */
function messages(bytes: Buffer): [string, string][] {
  const out: [string, string][] = [];
  for (let p = 0; p < bytes.length;) {
    const length = bytes.readInt32BE(p + 1);
    out.push([String.fromCharCode(bytes[p]!), bytes.subarray(p + 5, p + 1 + length).toString('utf8')]);
    p += 1 + length;
  }
  return out;
}

describe('CopyLineWriter', () => {
  it('writes each row of a range as its own CopyData message', () => {
    const w = new WriteBuffer(16);
    const lines = new CopyLineWriter({
      format: 'text',
      header: false,
      delimiter: '\t',
      null: '\\N',
      quote: '"',
      escape: '"',
    });
    const columns = [cells(['1', '2', '3', '4']), cells(['a\tb', null, 'c\\d', 'e\nf'])];
    lines.rows(w, columns, 1, 4);
    expect(messages(w.take())).toEqual([
      ['d', '2\t\\N\n'],
      ['d', '3\tc\\\\d\n'],
      ['d', '4\te\\nf\n'],
    ]);
  });

  it('writes the header and CSV rows one message each', () => {
    const w = new WriteBuffer(16);
    const lines = new CopyLineWriter({
      format: 'csv',
      header: true,
      delimiter: ',',
      null: '',
      quote: '"',
      escape: '"',
    });
    lines.header(w, ['x', 'y']);
    lines.rows(w, [cells(['1', '2']), cells(['', 'say "hi"'])], 0, 2);
    expect(messages(w.take())).toEqual([
      ['d', 'x,y\n'],
      ['d', '1,""\n'],
      ['d', '2,"say ""hi"""\n'],
    ]);
  });
});
