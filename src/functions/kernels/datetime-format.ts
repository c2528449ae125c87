/**
 * Spark datetime patterns (`yyyy-MM-dd HH:mm:ss`, `MM/dd/yyyy`, `EEE`, `MMM`, `a`, `SSS`…): formatting
 * of local date-times and parsing of text into local microseconds.
 */
import { EngineError, SqlState } from '../../common/index.ts';
import { civilFromDays, daysFromCivil, daysInMonth, splitMicros } from './datetime.ts';

const MONTHS = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
];
const DAYS = ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday'];

type Token = { kind: 'field'; letter: string; count: number } | { kind: 'text'; text: string };

const tokenCache = new Map<string, Token[]>();

export function tokenize(pattern: string): Token[] {
  const hit = tokenCache.get(pattern);
  if (hit !== undefined) return hit;
  const out: Token[] = [];
  let i = 0;
  while (i < pattern.length) {
    const c = pattern[i]!;
    if (c === "'") {
      const end = pattern.indexOf("'", i + 1);
      if (end === i + 1) {
        out.push({ kind: 'text', text: "'" });
        i += 2;
        continue;
      }
      const stop = end < 0 ? pattern.length : end;
      out.push({ kind: 'text', text: pattern.slice(i + 1, stop) });
      i = stop + 1;
    } else if (/[A-Za-z]/.test(c)) {
      let j = i;
      while (j < pattern.length && pattern[j] === c) j++;
      if (!/[yuMLdDHhmsSaEkKQqw]/.test(c)) {
        throw new EngineError(
          SqlState.invalidDatetimeFormat,
          `[INVALID_DATETIME_PATTERN.ILLEGAL_CHARACTER] Unrecognized datetime pattern: ${pattern}. Illegal pattern character '${c}'.`,
        );
      }
      out.push({ kind: 'field', letter: c, count: j - i });
      i = j;
    } else {
      out.push({ kind: 'text', text: c });
      i++;
    }
  }
  tokenCache.set(pattern, out);
  return out;
}

function pad(n: number, w: number): string {
  const s = String(Math.abs(n));
  return (n < 0 ? '-' : '') + (s.length >= w ? s : '0'.repeat(w - s.length) + s);
}

/** Formats local microseconds with a Spark pattern. */
export function formatWithPattern(localMicros: bigint, pattern: string): string {
  const [days, rem] = splitMicros(localMicros);
  const [y, mo, d] = civilFromDays(days);
  const h = Math.floor(rem / 3600e6);
  const mi = Math.floor((rem % 3600e6) / 60e6);
  const s = Math.floor((rem % 60e6) / 1e6);
  const frac = rem % 1e6;
  const dow = ((days % 7) + 7 + 3) % 7; // 0 = Monday
  let out = '';
  for (const t of tokenize(pattern)) {
    if (t.kind === 'text') {
      out += t.text;
      continue;
    }
    const n = t.count;
    switch (t.letter) {
      case 'y':
      case 'u':
        out += n === 2 ? pad(((y % 100) + 100) % 100, 2) : pad(y, n);
        break;
      case 'M':
      case 'L':
        out += n >= 4 ? MONTHS[mo - 1]! : n === 3 ? MONTHS[mo - 1]!.slice(0, 3) : pad(mo, n);
        break;
      case 'd':
        out += pad(d, n);
        break;
      case 'D':
        out += pad(days - daysFromCivil(y, 1, 1) + 1, n);
        break;
      case 'Q':
      case 'q':
        out += pad(Math.floor((mo - 1) / 3) + 1, n);
        break;
      case 'H':
        out += pad(h, n);
        break;
      case 'k':
        out += pad(h === 0 ? 24 : h, n);
        break;
      case 'h':
        out += pad(h % 12 === 0 ? 12 : h % 12, n);
        break;
      case 'K':
        out += pad(h % 12, n);
        break;
      case 'm':
        out += pad(mi, n);
        break;
      case 's':
        out += pad(s, n);
        break;
      case 'S':
        out += pad(frac, 6).slice(0, n).padEnd(n, '0');
        break;
      case 'a':
        out += h < 12 ? 'AM' : 'PM';
        break;
      case 'E':
        out += n >= 4 ? DAYS[dow]! : DAYS[dow]!.slice(0, 3);
        break;
      default:
        out += '';
    }
  }
  return out;
}

/** Parses `text` with a Spark pattern into local microseconds; undefined when it does not fit. */
export function parseWithPattern(text: string, pattern: string): bigint | undefined {
  let pos = 0;
  let y = 1970;
  let mo = 1;
  let d = 1;
  let h = 0;
  let mi = 0;
  let s = 0;
  let frac = 0;
  let pm: boolean | null = null;
  let hour12 = false;
  const tokens = tokenize(pattern);
  for (let k = 0; k < tokens.length; k++) {
    const t = tokens[k]!;
    if (t.kind === 'text') {
      if (text.startsWith(t.text, pos)) pos += t.text.length;
      else return undefined;
      continue;
    }
    const nextIsField = tokens[k + 1]?.kind === 'field';
    const readNumber = (min: number, max: number): number | undefined => {
      const m = /^[+-]?\d+/.exec(text.slice(pos));
      if (m === null) return undefined;
      let digits = m[0];
      if (nextIsField || digits.length > max)
        digits = digits.slice(0, Math.max(min, Math.min(max, digits.length)));
      if (digits.length < min) return undefined;
      pos += digits.length;
      return Number(digits);
    };
    const n = t.count;
    switch (t.letter) {
      case 'y':
      case 'u': {
        const v = readNumber(n === 2 ? 2 : 1, n === 2 ? 2 : 9);
        if (v === undefined) return undefined;
        y = n === 2 ? 2000 + v : v;
        break;
      }
      case 'M':
      case 'L': {
        if (n >= 3) {
          const idx = MONTHS.findIndex((name) => {
            const cand = n === 3 ? name.slice(0, 3) : name;
            return text.slice(pos, pos + cand.length).toLowerCase() === cand.toLowerCase();
          });
          if (idx < 0) return undefined;
          pos += n === 3 ? 3 : MONTHS[idx]!.length;
          mo = idx + 1;
        } else {
          const v = readNumber(n, 2);
          if (v === undefined) return undefined;
          mo = v;
        }
        break;
      }
      case 'd': {
        const v = readNumber(n, 2);
        if (v === undefined) return undefined;
        d = v;
        break;
      }
      case 'H':
      case 'k':
      case 'h':
      case 'K': {
        const v = readNumber(n, 2);
        if (v === undefined) return undefined;
        h = v;
        hour12 = t.letter === 'h' || t.letter === 'K';
        break;
      }
      case 'm': {
        const v = readNumber(n, 2);
        if (v === undefined) return undefined;
        mi = v;
        break;
      }
      case 's': {
        const v = readNumber(n, 2);
        if (v === undefined) return undefined;
        s = v;
        break;
      }
      case 'S': {
        const m = /^\d+/.exec(text.slice(pos));
        if (m === null) return undefined;
        const digits = m[0].slice(0, Math.max(n, 1));
        pos += digits.length;
        frac = Number(digits.slice(0, 6).padEnd(6, '0'));
        break;
      }
      case 'a': {
        const ap = text.slice(pos, pos + 2).toUpperCase();
        if (ap !== 'AM' && ap !== 'PM') return undefined;
        pm = ap === 'PM';
        pos += 2;
        break;
      }
      case 'E': {
        const idx = DAYS.findIndex((name) =>
          text
            .slice(pos)
            .toLowerCase()
            .startsWith((n >= 4 ? name : name.slice(0, 3)).toLowerCase()),
        );
        if (idx < 0) return undefined;
        pos += n >= 4 ? DAYS[idx]!.length : 3;
        break;
      }
      default:
        return undefined;
    }
  }
  if (pos !== text.length) return undefined;
  if (hour12 && pm !== null) h = (h % 12) + (pm ? 12 : 0);
  else if (pm === true && h < 12) h += 12;
  if (mo < 1 || mo > 12 || d < 1 || d > daysInMonth(y, mo) || h > 23 || mi > 59 || s > 59) return undefined;
  return (
    BigInt(daysFromCivil(y, mo, d)) * 86_400_000_000n +
    BigInt(h * 3600 + mi * 60 + s) * 1_000_000n +
    BigInt(frac)
  );
}
