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

/**
 * A pattern's pieces: a field (a letter repeated `count` times), literal text, or an optional
 * section `[…]` (formatted in full; when parsing, skipped if it does not match).
 */
type Token =
  | { kind: 'field'; letter: string; count: number }
  | { kind: 'text'; text: string }
  | { kind: 'optional'; tokens: Token[] };

const FIELD_LETTERS = /[yuMLdDHhmsSaEkKQqwzVXxZO]/;

const tokenCache = new Map<string, Token[]>();

function illegal(pattern: string, detail: string): EngineError {
  return new EngineError(
    SqlState.invalidDatetimeFormat,
    `[INVALID_DATETIME_PATTERN.ILLEGAL_CHARACTER] Unrecognized datetime pattern: ${pattern}. ${detail}`,
  );
}

export function tokenize(pattern: string): Token[] {
  const hit = tokenCache.get(pattern);
  if (hit !== undefined) return hit;
  // Each open optional section collects its tokens; the outermost list is the pattern's.
  const stack: Token[][] = [[]];
  const top = (): Token[] => stack[stack.length - 1]!;
  let i = 0;
  while (i < pattern.length) {
    const c = pattern[i]!;
    if (c === "'") {
      const end = pattern.indexOf("'", i + 1);
      if (end === i + 1) {
        top().push({ kind: 'text', text: "'" });
        i += 2;
        continue;
      }
      const stop = end < 0 ? pattern.length : end;
      top().push({ kind: 'text', text: pattern.slice(i + 1, stop) });
      i = stop + 1;
    } else if (c === '[') {
      stack.push([]);
      i++;
    } else if (c === ']') {
      if (stack.length === 1) throw illegal(pattern, "Unmatched ']'.");
      const tokens = stack.pop()!;
      top().push({ kind: 'optional', tokens });
      i++;
    } else if (/[A-Za-z]/.test(c)) {
      let j = i;
      while (j < pattern.length && pattern[j] === c) j++;
      if (!FIELD_LETTERS.test(c)) throw illegal(pattern, `Illegal pattern character '${c}'.`);
      top().push({ kind: 'field', letter: c, count: j - i });
      i = j;
    } else {
      top().push({ kind: 'text', text: c });
      i++;
    }
  }
  // An unclosed section ends with the pattern, as in Java's formatter.
  while (stack.length > 1) {
    const tokens = stack.pop()!;
    top().push({ kind: 'optional', tokens });
  }
  const out = stack[0]!;
  tokenCache.set(pattern, out);
  return out;
}

function pad(n: number, w: number): string {
  const s = String(Math.abs(n));
  return (n < 0 ? '-' : '') + (s.length >= w ? s : '0'.repeat(w - s.length) + s);
}

/** The zone a timestamp is shown in: its id and its offset from UTC at that instant. */
export interface ShownZone {
  readonly id: string;
  readonly offsetSeconds: number;
}

const UTC_ZONE: ShownZone = { id: 'UTC', offsetSeconds: 0 };

/** `+08`, `+0830`, `+08:30` (and `+083015` with seconds) of an offset, per the letter count. */
function formatOffset(offsetSeconds: number, count: number, zeroAsZ: boolean): string {
  if (offsetSeconds === 0 && zeroAsZ) return 'Z';
  const sign = offsetSeconds < 0 ? '-' : '+';
  const a = Math.abs(offsetSeconds);
  const hh = pad(Math.floor(a / 3600), 2);
  const mm = pad(Math.floor((a % 3600) / 60), 2);
  const ss = a % 60;
  switch (count) {
    case 1:
      return mm === '00' ? `${sign}${hh}` : `${sign}${hh}${mm}`;
    case 2:
      return `${sign}${hh}${mm}`;
    case 4:
      return `${sign}${hh}${mm}${ss === 0 ? '' : pad(ss, 2)}`;
    case 5:
      return `${sign}${hh}:${mm}${ss === 0 ? '' : `:${pad(ss, 2)}`}`;
    default:
      return `${sign}${hh}:${mm}`;
  }
}

const shortNames = new Map<string, Intl.DateTimeFormat>();

/** The zone's short name at an instant (`PST`, `UTC`, `GMT+8`), as `z` shows it. */
function shortZoneName(zone: ShownZone, utcMillis: number): string {
  if (zone.id === 'UTC' || zone.id === 'Z' || zone.id === 'GMT' || zone.id === 'Etc/UTC') return 'UTC';
  if (/^[+-]/.test(zone.id)) return formatOffset(zone.offsetSeconds, 3, false);
  let f = shortNames.get(zone.id);
  if (f === undefined) {
    f = new Intl.DateTimeFormat('en-US', { timeZone: zone.id, timeZoneName: 'short' });
    shortNames.set(zone.id, f);
  }
  return f.formatToParts(new Date(utcMillis)).find((p) => p.type === 'timeZoneName')?.value ?? zone.id;
}

/** Formats local microseconds with a Spark pattern; `zone` is what zone letters show (UTC if absent). */
export function formatWithPattern(localMicros: bigint, pattern: string, zone: ShownZone = UTC_ZONE): string {
  const [days, rem] = splitMicros(localMicros);
  const [y, mo, d] = civilFromDays(days);
  const h = Math.floor(rem / 3600e6);
  const mi = Math.floor((rem % 3600e6) / 60e6);
  const s = Math.floor((rem % 60e6) / 1e6);
  const frac = rem % 1e6;
  const dow = ((days % 7) + 7 + 3) % 7; // 0 = Monday
  const utcMillis = Number(localMicros / 1000n) - zone.offsetSeconds * 1000;
  const emit = (tokens: readonly Token[]): string => {
    let out = '';
    for (const t of tokens) {
      if (t.kind === 'text') {
        out += t.text;
        continue;
      }
      if (t.kind === 'optional') {
        out += emit(t.tokens);
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
        case 'V':
          out += zone.id;
          break;
        case 'z':
          out += n >= 4 ? zone.id : shortZoneName(zone, utcMillis);
          break;
        case 'X':
          out += formatOffset(zone.offsetSeconds, n, true);
          break;
        case 'x':
          out += formatOffset(zone.offsetSeconds, n, false);
          break;
        case 'Z':
          out +=
            n <= 3
              ? formatOffset(zone.offsetSeconds, 2, false)
              : n === 4
                ? zone.offsetSeconds === 0
                  ? 'GMT'
                  : `GMT${formatOffset(zone.offsetSeconds, 3, false)}`
                : formatOffset(zone.offsetSeconds, 5, true);
          break;
        case 'O': {
          if (zone.offsetSeconds === 0) {
            out += 'GMT';
            break;
          }
          const a = Math.abs(zone.offsetSeconds);
          const sign = zone.offsetSeconds < 0 ? '-' : '+';
          out +=
            n === 1 && a % 3600 === 0
              ? `GMT${sign}${a / 3600}`
              : n === 1
                ? `GMT${sign}${Math.floor(a / 3600)}:${pad(Math.floor((a % 3600) / 60), 2)}`
                : `GMT${formatOffset(zone.offsetSeconds, 3, false)}`;
          break;
        }
        default:
          break;
      }
    }
    return out;
  };
  return emit(tokenize(pattern));
}

/** What a pattern read from a text: local microseconds, and the zone the text named (if any). */
export interface ParsedDateTime {
  readonly local: bigint;
  /** `UTC`, an offset such as `+08:00`, or a region such as `America/Los_Angeles`. */
  readonly zone: string | null;
}

interface ParseState {
  pos: number;
  y: number;
  mo: number;
  d: number;
  h: number;
  mi: number;
  s: number;
  frac: number;
  pm: boolean | null;
  hour12: boolean;
  zone: string | null;
}

/** Whether `t` reads digits (so a variable-width number before it must leave them alone). */
function isNumericField(t: Token | undefined): boolean {
  if (t === undefined || t.kind !== 'field') return false;
  return 'yuMLdDHhmsSkKQqw'.includes(t.letter) && !((t.letter === 'M' || t.letter === 'L') && t.count >= 3);
}

const OFFSET_RE = /^([+-])(\d{2}):?(\d{2})?(?::?(\d{2}))?/;
const REGION_RE = /^[A-Za-z][A-Za-z_]*(?:\/[A-Za-z_+-]+)+/;

function validRegion(id: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: id });
    return true;
  } catch {
    return false;
  }
}

/** Reads a zone at `st.pos` for a zone letter; false when the text has none there. */
function readZone(text: string, st: ParseState, letter: string): boolean {
  const rest = text.slice(st.pos);
  if (letter === 'X' && rest.startsWith('Z')) {
    st.zone = 'UTC';
    st.pos += 1;
    return true;
  }
  if (letter === 'O' || letter === 'z' || letter === 'V') {
    const named = /^(UTC|GMT|UT|Z)(?![A-Za-z])/.exec(rest);
    if (named !== null) {
      st.pos += named[0].length;
      const after = OFFSET_RE.exec(text.slice(st.pos));
      if (after !== null && letter !== 'V') {
        st.pos += after[0].length;
        st.zone = `${after[1]}${after[2]}:${after[3] ?? '00'}`;
      } else {
        const short = /^GMT([+-])(\d{1,2})(?::(\d{2}))?/.exec(rest);
        if (short !== null) {
          st.pos = st.pos - named[0].length + short[0].length;
          st.zone = `${short[1]}${short[2]!.padStart(2, '0')}:${short[3] ?? '00'}`;
        } else st.zone = 'UTC';
      }
      return true;
    }
    const region = REGION_RE.exec(rest);
    if (region !== null && validRegion(region[0])) {
      st.pos += region[0].length;
      st.zone = region[0];
      return true;
    }
    if (letter === 'O' || letter === 'V') return false;
  }
  const off = OFFSET_RE.exec(rest);
  if (off === null) return false;
  st.pos += off[0].length;
  st.zone = `${off[1]}${off[2]}:${off[3] ?? '00'}${off[4] === undefined ? '' : `:${off[4]}`}`;
  return true;
}

/** Reads `tokens` from `st.pos` on; false (with `st` partly advanced) when the text does not fit. */
function parseTokens(text: string, tokens: readonly Token[], st: ParseState): boolean {
  for (let k = 0; k < tokens.length; k++) {
    const t = tokens[k]!;
    if (t.kind === 'text') {
      if (!text.startsWith(t.text, st.pos)) return false;
      st.pos += t.text.length;
      continue;
    }
    if (t.kind === 'optional') {
      const saved = { ...st };
      if (!parseTokens(text, t.tokens, st)) Object.assign(st, saved);
      continue;
    }
    // Adjacent numeric fields (`yyyyMMdd`): a field followed by another reads exactly its width.
    const adjacent = isNumericField(tokens[k + 1]);
    const readNumber = (min: number, max: number): number | undefined => {
      const m = /^\d+/.exec(text.slice(st.pos));
      if (m === null) return undefined;
      let digits = m[0];
      if (adjacent) digits = digits.slice(0, min);
      else if (digits.length > max) digits = digits.slice(0, max);
      if (digits.length < min) return undefined;
      st.pos += digits.length;
      return Number(digits);
    };
    const n = t.count;
    switch (t.letter) {
      case 'y':
      case 'u': {
        const negative = n !== 2 && text[st.pos] === '-' && !adjacent;
        if (negative) st.pos++;
        const v = readNumber(n === 2 ? 2 : n, n === 2 ? 2 : 9);
        if (v === undefined) return false;
        st.y = n === 2 ? 2000 + v : negative ? -v : v;
        break;
      }
      case 'M':
      case 'L': {
        if (n >= 3) {
          const idx = MONTHS.findIndex((name) => {
            const cand = n === 3 ? name.slice(0, 3) : name;
            return text.slice(st.pos, st.pos + cand.length).toLowerCase() === cand.toLowerCase();
          });
          if (idx < 0) return false;
          st.pos += n === 3 ? 3 : MONTHS[idx]!.length;
          st.mo = idx + 1;
        } else {
          const v = readNumber(n, 2);
          if (v === undefined) return false;
          st.mo = v;
        }
        break;
      }
      case 'd': {
        const v = readNumber(n, 2);
        if (v === undefined) return false;
        st.d = v;
        break;
      }
      case 'H':
      case 'k':
      case 'h':
      case 'K': {
        const v = readNumber(n, 2);
        if (v === undefined) return false;
        st.h = v;
        st.hour12 = t.letter === 'h' || t.letter === 'K';
        break;
      }
      case 'm': {
        const v = readNumber(n, 2);
        if (v === undefined) return false;
        st.mi = v;
        break;
      }
      case 's': {
        const v = readNumber(n, 2);
        if (v === undefined) return false;
        st.s = v;
        break;
      }
      case 'S': {
        const m = /^\d+/.exec(text.slice(st.pos));
        if (m === null) return false;
        const digits = m[0].slice(0, n);
        st.pos += digits.length;
        st.frac = Number(digits.slice(0, 6).padEnd(6, '0'));
        break;
      }
      case 'a': {
        const ap = text.slice(st.pos, st.pos + 2).toUpperCase();
        if (ap !== 'AM' && ap !== 'PM') return false;
        st.pm = ap === 'PM';
        st.pos += 2;
        break;
      }
      case 'E': {
        const idx = DAYS.findIndex((name) =>
          text
            .slice(st.pos)
            .toLowerCase()
            .startsWith((n >= 4 ? name : name.slice(0, 3)).toLowerCase()),
        );
        if (idx < 0) return false;
        st.pos += n >= 4 ? DAYS[idx]!.length : 3;
        break;
      }
      case 'z':
      case 'V':
      case 'X':
      case 'x':
      case 'Z':
      case 'O':
        if (!readZone(text, st, t.letter)) return false;
        break;
      default:
        return false;
    }
  }
  return true;
}

/** Parses `text` with a Spark pattern: local time and the zone it named; undefined when it does not fit. */
export function parseWithPatternZone(text: string, pattern: string): ParsedDateTime | undefined {
  const st: ParseState = {
    pos: 0,
    y: 1970,
    mo: 1,
    d: 1,
    h: 0,
    mi: 0,
    s: 0,
    frac: 0,
    pm: null,
    hour12: false,
    zone: null,
  };
  if (!parseTokens(text, tokenize(pattern), st) || st.pos !== text.length) return undefined;
  let { h } = st;
  const { y, mo, d, mi, s, pm } = st;
  if (st.hour12 && pm !== null) h = (h % 12) + (pm ? 12 : 0);
  else if (pm === true && h < 12) h += 12;
  if (mo < 1 || mo > 12 || d < 1 || d > daysInMonth(y, mo) || h > 23 || mi > 59 || s > 59) return undefined;
  const local =
    BigInt(daysFromCivil(y, mo, d)) * 86_400_000_000n +
    BigInt(h * 3600 + mi * 60 + s) * 1_000_000n +
    BigInt(st.frac);
  return { local, zone: st.zone };
}

/** Parses `text` with a Spark pattern into local microseconds (a zone in the text is ignored). */
export function parseWithPattern(text: string, pattern: string): bigint | undefined {
  return parseWithPatternZone(text, pattern)?.local;
}
