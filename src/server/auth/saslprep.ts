/**
 * SASLprep (RFC 4013, a profile of stringprep, RFC 3454) of a password, as PostgreSQL applies it
 * before SCRAM: non-ASCII spaces become U+0020, characters "commonly mapped to nothing" go, the
 * result is NFKC-normalized and checked against the prohibited characters and the bidirectional
 * rule. A password that fails a check is used as it is — what PostgreSQL and libpq do, so that
 * any password still works.
 *
 * The unassigned code points of Unicode 3.2 (stringprep's table A.1) are not checked, and the
 * bidirectional classes are taken from scripts (Hebrew, Arabic and the other right-to-left
 * scripts; letters of any other script count as left-to-right): a password differs from
 * PostgreSQL's preparation only where it mixes those in ways no keyboard types.
 */

/** [first, last] code point ranges. */
type Ranges = readonly (readonly [number, number])[];

/** C.1.2: non-ASCII spaces. */
const NON_ASCII_SPACES: Ranges = [
  [0x00a0, 0x00a0],
  [0x1680, 0x1680],
  [0x2000, 0x200b],
  [0x202f, 0x202f],
  [0x205f, 0x205f],
  [0x3000, 0x3000],
];

/** B.1: commonly mapped to nothing. */
const MAPPED_TO_NOTHING: Ranges = [
  [0x00ad, 0x00ad],
  [0x034f, 0x034f],
  [0x1806, 0x1806],
  [0x180b, 0x180d],
  [0x200b, 0x200d],
  [0x2060, 0x2060],
  [0xfe00, 0xfe0f],
  [0xfeff, 0xfeff],
];

/** C.1.2, C.2.1, C.2.2, C.3, C.4, C.5, C.6, C.7, C.8, C.9: prohibited in the output. */
const PROHIBITED: Ranges = [
  ...NON_ASCII_SPACES,
  // C.2.1 ASCII controls
  [0x0000, 0x001f],
  [0x007f, 0x007f],
  // C.2.2 non-ASCII controls
  [0x0080, 0x009f],
  [0x06dd, 0x06dd],
  [0x070f, 0x070f],
  [0x180e, 0x180e],
  [0x200c, 0x200d],
  [0x2028, 0x2029],
  [0x2060, 0x2063],
  [0x206a, 0x206f],
  [0xfeff, 0xfeff],
  [0xfff9, 0xfffc],
  [0x1d173, 0x1d17a],
  // C.3 private use
  [0xe000, 0xf8ff],
  [0xf0000, 0xffffd],
  [0x100000, 0x10fffd],
  // C.4 non-characters (and each plane's last two, below)
  [0xfdd0, 0xfdef],
  // C.5 surrogates
  [0xd800, 0xdfff],
  // C.6 inappropriate for plain text
  [0xfff9, 0xfffd],
  // C.7 inappropriate for canonical representation
  [0x2ff0, 0x2ffb],
  // C.8 change display properties or are deprecated
  [0x0340, 0x0341],
  [0x200e, 0x200f],
  [0x202a, 0x202e],
  // C.9 tagging characters
  [0xe0001, 0xe0001],
  [0xe0020, 0xe007f],
];

function inRanges(c: number, ranges: Ranges): boolean {
  for (const [first, last] of ranges) if (c >= first && c <= last) return true;
  return false;
}

function prohibited(c: number): boolean {
  // C.4: U+xFFFE and U+xFFFF of every plane
  if ((c & 0xfffe) === 0xfffe) return true;
  return inRanges(c, PROHIBITED);
}

/** Right-to-left characters (D.1, by script). */
const RTL =
  /[\p{Script=Hebrew}\p{Script=Arabic}\p{Script=Syriac}\p{Script=Thaana}\p{Script=Nko}\p{Script=Samaritan}\p{Script=Mandaic}]/u;
/** Left-to-right characters (D.2, approximately: letters of other scripts). */
const LTR = /\p{L}/u;

/** The password as SCRAM hashes it (see the module comment). */
export function saslprep(password: string): string {
  let mapped = '';
  for (const ch of password) {
    const c = ch.codePointAt(0)!;
    if (inRanges(c, NON_ASCII_SPACES)) mapped += ' ';
    else if (!inRanges(c, MAPPED_TO_NOTHING)) mapped += ch;
  }
  const out = mapped.normalize('NFKC');
  const chars = Array.from(out);
  if (chars.some((ch) => prohibited(ch.codePointAt(0)!))) return password;
  const rtl = chars.map((ch) => RTL.test(ch));
  if (rtl.some((r) => r)) {
    const ltr = chars.some((ch, i) => !rtl[i] && LTR.test(ch));
    if (ltr || !rtl[0] || !rtl[rtl.length - 1]) return password;
  }
  return out;
}
