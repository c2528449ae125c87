/**
 * `like(str, pattern[, escape])` and `ilike`: SQL LIKE with `%` and `_`. A pattern is compiled once
 * per distinct pattern; patterns without `_` (`abc`, `abc%`, `%abc`, `%abc%`, and any sequence of
 * literal pieces between `%`s such as `%special%requests%`) match on the UTF-8 bytes of the
 * column without decoding; other patterns use a RegExp on decoded text.
 */
import { EngineError, SqlState, T, makeColumn, utf8, type DataType } from '../../common/index.ts';
import type { ColumnarValue, ScalarFunctionDef } from '../registry.ts';
import { validityOf } from '../kernels/common.ts';
import { checkArity, coerce, evaluateRows } from './define.ts';

interface Compiled {
  readonly kind: 'exact' | 'prefix' | 'suffix' | 'contains' | 'pieces' | 'regex';
  readonly bytes: Uint8Array;
  readonly regex: RegExp;
  /** `pieces`: the literal pieces between `%`s, in order; the first and last anchored unless `%`. */
  readonly pieces: readonly Uint8Array[];
  readonly anchoredStart: boolean;
  readonly anchoredEnd: boolean;
}

const cache = new Map<string, Compiled>();

function escapeRegex(c: string): string {
  return c.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

export function compileLike(pattern: string, escape: string, caseInsensitive: boolean): Compiled {
  const key = `${caseInsensitive ? 'i' : 's'}${escape}\u0000${pattern}`;
  const hit = cache.get(key);
  if (hit !== undefined) return hit;
  let re = '';
  const literal: string[] = [];
  const tokens: string[] = [];
  const cs = Array.from(pattern);
  for (let i = 0; i < cs.length; i++) {
    const c = cs[i]!;
    if (c === escape) {
      const next = cs[i + 1];
      if (next === undefined || (next !== '%' && next !== '_' && next !== escape)) {
        throw new EngineError(
          SqlState.syntaxError,
          `[INVALID_FORMAT.ESC_IN_THE_MIDDLE] the escape character is not allowed to precede '${next ?? ''}' in pattern '${pattern}'.`,
        );
      }
      tokens.push(`\u0001${next}`);
      i++;
    } else tokens.push(c);
  }
  for (const t of tokens) {
    if (t === '%') re += '[\\s\\S]*';
    else if (t === '_') re += '[\\s\\S]';
    else {
      const ch = t.startsWith('\u0001') ? t.slice(1) : t;
      re += escapeRegex(ch);
      literal.push(ch);
    }
  }
  const regex = new RegExp(`^${re}$`, caseInsensitive ? 'isu' : 'su');
  let kind: Compiled['kind'] = 'regex';
  if (!caseInsensitive && !tokens.includes('_')) {
    const inner = tokens.filter((t) => t !== '%');
    const percents = tokens.map((t, i) => (t === '%' ? i : -1)).filter((i) => i >= 0);
    const n = tokens.length;
    const onlyAt = (positions: number[]): boolean =>
      percents.length === positions.length && percents.every((p, k) => p === positions[k]);
    if (percents.length === 0) kind = 'exact';
    else if (inner.length === 0) kind = 'regex';
    else if (onlyAt([n - 1])) kind = 'prefix';
    else if (onlyAt([0])) kind = 'suffix';
    else if (onlyAt([0, n - 1])) kind = 'contains';
    else kind = 'pieces';
  }
  const pieces: Uint8Array[] = [];
  let piece = '';
  for (const t of tokens) {
    if (t === '%') {
      if (piece !== '') pieces.push(utf8.encoder.encode(piece));
      piece = '';
    } else piece += t.startsWith('\u0001') ? t.slice(1) : t;
  }
  if (piece !== '') pieces.push(utf8.encoder.encode(piece));
  const compiled: Compiled = {
    kind,
    bytes: utf8.encoder.encode(literal.join('')),
    regex,
    pieces,
    anchoredStart: tokens[0] !== '%',
    anchoredEnd: tokens[tokens.length - 1] !== '%',
  };
  if (cache.size > 1000) cache.clear();
  cache.set(key, compiled);
  return compiled;
}

function matchBytes(c: Compiled, bytes: Uint8Array, s: number, e: number): boolean {
  const p = c.bytes;
  const m = p.length;
  const len = e - s;
  switch (c.kind) {
    case 'exact':
    case 'prefix': {
      if (c.kind === 'exact' ? len !== m : len < m) return false;
      for (let k = 0; k < m; k++) if (bytes[s + k] !== p[k]) return false;
      return true;
    }
    case 'suffix': {
      if (len < m) return false;
      const o = e - m;
      for (let k = 0; k < m; k++) if (bytes[o + k] !== p[k]) return false;
      return true;
    }
    case 'contains': {
      if (m === 0) return true;
      const first = p[0]!;
      const last = e - m;
      outer: for (let i = s; i <= last; i++) {
        if (bytes[i] !== first) continue;
        for (let k = 1; k < m; k++) if (bytes[i + k] !== p[k]) continue outer;
        return true;
      }
      return false;
    }
    case 'pieces':
      return matchPieces(c, bytes, s, e);
    case 'regex':
      return c.regex.test(utf8.decoder.decode(bytes.subarray(s, e)));
  }
}

/** Whether `bytes[at..at+p.length)` is `p`. */
function piecesAt(bytes: Uint8Array, at: number, p: Uint8Array): boolean {
  for (let k = 0; k < p.length; k++) if (bytes[at + k] !== p[k]) return false;
  return true;
}

/**
 * `%`-separated literal pieces in order: the first at the start and the last at the end when
 * anchored, the others each at their leftmost place after the previous one (leftmost is never
 * worse: it leaves the most room for the rest).
 */
function matchPieces(c: Compiled, bytes: Uint8Array, s: number, e: number): boolean {
  const pieces = c.pieces;
  let from = 0;
  let to = pieces.length;
  let pos = s;
  let end = e;
  if (c.anchoredStart) {
    const p = pieces[0]!;
    if (pos + p.length > end || !piecesAt(bytes, pos, p)) return false;
    pos += p.length;
    from = 1;
  }
  if (c.anchoredEnd && to > from) {
    const p = pieces[to - 1]!;
    if (end - p.length < pos || !piecesAt(bytes, end - p.length, p)) return false;
    end -= p.length;
    to--;
  }
  for (let i = from; i < to; i++) {
    const p = pieces[i]!;
    const last = end - p.length;
    let found = -1;
    for (let j = pos; j <= last; j++) {
      if (bytes[j] === p[0] && piecesAt(bytes, j, p)) {
        found = j;
        break;
      }
    }
    if (found < 0) return false;
    pos = found + p.length;
  }
  return true;
}

/**
 * The first place of each piece at or after a position, over a whole column's bytes, found with
 * Buffer's native search. Rows are matched in order, so the positions a piece is looked for from
 * only grow: a place found beyond the row it was looked for in (or none at all) stays the answer
 * for the rows after it, and each piece's search passes over the column's bytes about once —
 * instead of byte by byte in every row (Q13's `'%special%requests%'`: 1.5M comments).
 */
class PieceFinder {
  /** Native searches made (a row whose pieces were found in earlier searches makes none). */
  searches = 0;
  private readonly bytes: Buffer;
  private readonly pieces: readonly Buffer[];
  /** Per piece: where it was last looked for from, and what was found (-1: nothing after). */
  private readonly from: Float64Array;
  private readonly at: Float64Array;
  constructor(bytes: Uint8Array, pieces: readonly Uint8Array[]) {
    this.bytes = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.pieces = pieces.map((p) => Buffer.from(p.buffer, p.byteOffset, p.byteLength));
    this.from = new Float64Array(pieces.length).fill(-1);
    this.at = new Float64Array(pieces.length);
  }
  /** Where piece `i` first occurs at or after `start`, or -1. */
  find(i: number, start: number): number {
    const from = this.from[i]!;
    const at = this.at[i]!;
    if (from >= 0 && start >= from && (at < 0 || start <= at)) return at;
    this.searches++;
    const found = this.bytes.indexOf(this.pieces[i]!, start);
    this.from[i] = start;
    this.at[i] = found;
    return found;
  }
}

/** `out[i]` for rows `from..to-1`: whether each matches, byte by byte. */
function matchRows(
  c: Compiled,
  bytes: Uint8Array,
  offsets: Int32Array,
  base: number,
  from: number,
  to: number,
  out: Uint8Array,
): void {
  for (let i = from; i < to; i++)
    out[i] = matchBytes(c, bytes, offsets[base + i]!, offsets[base + i + 1]!) ? 1 : 0;
}

/** Rows a batch tries `PieceFinder` on before it judges whether searches are rare enough. */
const FINDER_TRIAL_ROWS = 32;

/** `matchPieces` (and `contains`) with the pieces' places from `finder`, for rows taken in order. */
function matchPiecesIn(c: Compiled, finder: PieceFinder, bytes: Uint8Array, s: number, e: number): boolean {
  const pieces = c.pieces;
  if (pieces.length === 0) return true;
  let from = 0;
  let to = pieces.length;
  let pos = s;
  let end = e;
  if (c.anchoredStart) {
    const p = pieces[0]!;
    if (pos + p.length > end || !piecesAt(bytes, pos, p)) return false;
    pos += p.length;
    from = 1;
  }
  if (c.anchoredEnd && to > from) {
    const p = pieces[to - 1]!;
    if (end - p.length < pos || !piecesAt(bytes, end - p.length, p)) return false;
    end -= p.length;
    to--;
  }
  for (let i = from; i < to; i++) {
    const found = finder.find(i, pos);
    const length = pieces[i]!.length;
    if (found < 0 || found + length > end) return false;
    pos = found + length;
  }
  return true;
}

function likeDef(name: 'like' | 'ilike'): ScalarFunctionDef {
  const ci = name === 'ilike';
  return {
    kind: 'scalar',
    name,
    description: `${name}(str, pattern[, escape]) - True if str matches the ${ci ? 'case-insensitive ' : ''}SQL pattern (% any string, _ one character).`,
    resolve(argTypes) {
      checkArity(name, argTypes, 2, 3);
      return { argTypes: argTypes.map((t, i) => coerce(name, i, t, T.string)), returnType: T.boolean };
    },
    evaluate(args: readonly ColumnarValue[], numRows: number, returnType: DataType, ctx) {
      const [str, pat, esc] = args;
      const escape =
        esc === undefined ? '\\' : esc.kind === 'scalar' ? ((esc.value as string | null) ?? '\\') : null;
      if (str!.kind === 'array' && pat!.kind === 'scalar' && escape !== null) {
        if (pat!.value === null) return { kind: 'scalar', value: null, type: returnType };
        const compiled = compileLike(pat!.value as string, escape, ci);
        const data = str!.data;
        const offsets = data.valueOffsets as Int32Array;
        const bytes = data.values as Uint8Array;
        const base = data.offset;
        const out = new Uint8Array(numRows);
        let i = 0;
        if (compiled.kind === 'contains' || compiled.kind === 'pieces') {
          // Native search while the pieces are rare (most rows skipped at once); where they occur
          // in most rows, a search a row costs more than the byte loop: back to it.
          const finder = new PieceFinder(bytes, compiled.pieces);
          for (; i < numRows; i++) {
            if (i === FINDER_TRIAL_ROWS && finder.searches * 2 > FINDER_TRIAL_ROWS) break;
            const s = offsets[base + i]!;
            out[i] = matchPiecesIn(compiled, finder, bytes, s, offsets[base + i + 1]!) ? 1 : 0;
          }
        }
        matchRows(compiled, bytes, offsets, base, i, numRows, out);
        return { kind: 'array', data: makeColumn(returnType, out, numRows, validityOf(str!)) };
      }
      return evaluateRows(
        args,
        [T.string, T.string, T.string],
        numRows,
        returnType,
        ctx,
        (v) =>
          compileLike(v[1] as string, (v[2] as string | undefined) ?? '\\', ci).regex.test(v[0] as string),
        true,
      );
    },
  };
}

/** SQL `SIMILAR TO` pattern → an anchored RegExp (`%` any string, `_` one character, regex operators kept). */
export function similarToRegex(pattern: string, escape = '\\'): RegExp {
  let re = '';
  const cs = Array.from(pattern);
  for (let i = 0; i < cs.length; i++) {
    const c = cs[i]!;
    if (c === escape && i + 1 < cs.length) {
      re += escapeRegex(cs[++i]!);
    } else if (c === '%') re += '[\\s\\S]*';
    else if (c === '_') re += '[\\s\\S]';
    else if (c === '.' || c === '^' || c === '$' || c === '\\') re += `\\${c}`;
    else re += c;
  }
  try {
    return new RegExp(`^(?:${re})$`, 'su');
  } catch {
    throw new EngineError(SqlState.invalidRegularExpression, `invalid SIMILAR TO pattern '${pattern}'`);
  }
}

const similar: ScalarFunctionDef = {
  kind: 'scalar',
  name: 'similar',
  description:
    'similar(str, pattern[, escape]) - SQL SIMILAR TO: the whole string matches the SQL regular expression.',
  resolve(argTypes) {
    checkArity('similar', argTypes, 2, 3);
    return { argTypes: argTypes.map((t, i) => coerce('similar', i, t, T.string)), returnType: T.boolean };
  },
  evaluate(args, numRows, returnType, ctx) {
    return evaluateRows(
      args,
      [T.string, T.string, T.string],
      numRows,
      returnType,
      ctx,
      (v) => similarToRegex(v[1] as string, (v[2] as string | undefined) ?? '\\').test(v[0] as string),
      true,
    );
  },
};

export const likeFunctions: readonly ScalarFunctionDef[] = [likeDef('like'), likeDef('ilike'), similar];
