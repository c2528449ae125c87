/**
 * Decoding literal tokens: string unescaping (Spark's backslash escapes, `''`), quoted identifiers,
 * and classifying numeric literals by their form and suffix.
 */
import { assertNever } from '../../common/index.ts';
import type { Literal } from './ast.ts';

/**
 * The value of a `'…'`, `E'…'` or (as Spark reads it by default) `"…"` literal: a doubled quote
 * stands for one, Spark/PostgreSQL backslash escapes decoded.
 */
export function decodeString(image: string): string {
  const first = image[0]!;
  const quote = first === "'" || first === '"' ? first : "'";
  const body = first === quote ? image.slice(1, -1) : image.slice(2, -1);
  if (body.indexOf('\\') < 0 && body.indexOf(quote) < 0) return body;
  let out = '';
  for (let i = 0; i < body.length; i++) {
    const c = body[i]!;
    if (c === quote) {
      out += quote;
      i++; // the second quote of a doubled one
    } else if (c === '\\' && i + 1 < body.length) {
      // `\101`: three octal digits (the first 0-3) are one character, as Spark unescapes them.
      const octal = body.slice(i + 1, i + 4);
      if (/^[0-3][0-7]{2}$/.test(octal)) {
        out += String.fromCharCode(parseInt(octal, 8));
        i += 3;
        continue;
      }
      const n = body[++i]!;
      switch (n) {
        case 'n':
          out += '\n';
          break;
        case 't':
          out += '\t';
          break;
        case 'r':
          out += '\r';
          break;
        case 'b':
          out += '\b';
          break;
        case '0':
          out += '\0';
          break;
        case 'Z':
          out += '\x1a';
          break;
        case '%':
        case '_':
          out += '\\' + n; // kept for LIKE patterns, as Spark does
          break;
        case 'u': {
          const hex = body.slice(i + 1, i + 5);
          if (/^[0-9a-fA-F]{4}$/.test(hex)) {
            out += String.fromCharCode(parseInt(hex, 16));
            i += 4;
          } else {
            out += 'u';
          }
          break;
        }
        default:
          out += n;
      }
    } else {
      out += c;
    }
  }
  return out;
}

/** The name inside `"…"` or `` `…` `` with doubled quotes undone. */
export function decodeQuotedIdentifier(image: string): string {
  const q = image[0]!;
  return image
    .slice(1, -1)
    .split(q + q)
    .join(q);
}

/** Classifies a numeric literal token: integer (with L/S/Y suffix), decimal or double. */
export function numberLiteral(image: string): Literal | null {
  const last = image[image.length - 1]!.toUpperCase();
  const hasFraction = image.includes('.');
  const hasExponent = /[eE]/.test(image);
  if (image.length > 2 && image.slice(-2).toUpperCase() === 'BD') {
    return { type: 'decimal', text: image.slice(0, -2) };
  }
  switch (last) {
    case 'L':
    case 'S':
    case 'Y':
      if (hasFraction || hasExponent) return null;
      return { type: 'integer', text: image.slice(0, -1), suffix: last };
    case 'D':
      return { type: 'double', text: image.slice(0, -1), float: false };
    case 'F':
      return { type: 'double', text: image.slice(0, -1), float: true };
    default:
      if (hasExponent) return { type: 'double', text: image, float: false };
      if (hasFraction) return { type: 'decimal', text: image };
      return { type: 'integer', text: image, suffix: null };
  }
}

/** Negates a numeric literal's text (`-` folded into the literal). */
export function negateLiteral(lit: Literal): Literal {
  switch (lit.type) {
    case 'integer':
    case 'decimal':
    case 'double':
      return { ...lit, text: lit.text.startsWith('-') ? lit.text.slice(1) : '-' + lit.text };
    case 'string':
    case 'boolean':
    case 'null':
    case 'typed':
      return lit;
    default:
      return assertNever(lit, 'literal');
  }
}
