import { describe, expect, it } from 'vitest';
import { saslprep } from './saslprep.ts';

describe('SASLprep (RFC 4013)', () => {
  it('maps, normalizes and keeps what passes — the RFC’s examples', () => {
    expect(saslprep('I\u00ADX')).toBe('IX'); // soft hyphen mapped to nothing
    expect(saslprep('user')).toBe('user');
    expect(saslprep('USER')).toBe('USER'); // case is kept
    expect(saslprep('\u00AA')).toBe('a'); // NFKC
    expect(saslprep('\u2168')).toBe('IX'); // NFKC
    expect(saslprep('a\u00A0b\u3000c')).toBe('a b c'); // non-ASCII spaces become spaces
    expect(saslprep('\u05D0\u05D1\u05D2')).toBe('\u05D0\u05D1\u05D2'); // right-to-left only
  });

  it('uses a password that fails a check as it is, as PostgreSQL does', () => {
    expect(saslprep('\u0007')).toBe('\u0007'); // ASCII control
    expect(saslprep('a\uE000b')).toBe('a\uE000b'); // private use
    expect(saslprep('\u0627\u0031')).toBe('\u0627\u0031'); // right-to-left, then not at the end
    expect(saslprep('\u05D0a\u05D1')).toBe('\u05D0a\u05D1'); // right-to-left mixed with a letter
    expect(saslprep('x\uFFFF')).toBe('x\uFFFF'); // non-character
  });
});
