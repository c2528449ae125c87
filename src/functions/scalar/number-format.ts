/**
 * Number format strings as Spark 4 reads them (`to_number`, `try_to_number`, `to_char`,
 * `to_varchar`): `0`/`9` digits, `.`/`D` decimal point, `,`/`G` grouping, `$`, `S`/`MI` signs and
 * `PR` angle brackets. A format is compiled once into tokens, checked (INVALID_FORMAT.*, 42601),
 * and then parses text into DECIMAL(precision, scale) or formats decimals into text. `to_char`
 * also formats dates and timestamps (as `date_format`) and binary (hex, base64, utf-8).
 */
import { EngineError, SqlState, T, type DataType, type Value } from '../../common/index.ts';
import type { ColumnarValue, EvalContext, ResolveContext, ScalarFunctionDef } from '../registry.ts';
import { decimalToString } from '../kernels/index.ts';
import { asDecimal } from '../type-coercion.ts';
import { binaryFormat, binaryToText, columnarType, literalArg } from './binary-format.ts';
import { datetimeFunctions } from './datetime.ts';
import { checkArity, coerce, evaluateRows, typeMismatch } from './define.ts';

const S = T.string;

/** A run of digits: `exact` when it must match exactly `n` digits (a leading 0 before the point). */
interface Digits {
  readonly kind: 'digits';
  readonly n: number;
  readonly exact: boolean;
}
type GroupItem = Digits | { readonly kind: 'sep' };
type Token =
  | { readonly kind: 'group'; readonly items: readonly GroupItem[] }
  | { readonly kind: 'point' | 'dollar' | 'sign' | 'minus' | 'open' | 'close' }
  | { readonly kind: 'bad'; readonly ch: string };

function tokenName(t: Token): string {
  switch (t.kind) {
    case 'group':
      return 'digit sequence';
    case 'point':
      return '. or D';
    case 'dollar':
      return '$';
    case 'sign':
      return 'S';
    case 'minus':
      return 'MI';
    case 'open':
    case 'close':
      return 'PR';
    case 'bad':
      return `character '${t.ch}''`;
  }
}

function invalidFormat(sub: string, text: string): EngineError {
  return new EngineError(
    SqlState.syntaxError,
    `[INVALID_FORMAT.${sub}] The format is invalid: '${text}'. ${FORMAT_MESSAGES[sub] ?? ''}`,
  );
}

const FORMAT_MESSAGES: Record<string, string> = {
  EMPTY: 'The number format string cannot be empty.',
  WRONG_NUM_DIGIT: 'The format string requires at least one number digit.',
  CUR_MUST_BEFORE_DIGIT: 'Currency characters must appear before digits in the number format.',
  CUR_MUST_BEFORE_DEC: 'Currency characters must appear before any decimal point in the number format.',
  CONT_THOUSANDS_SEPS: 'Thousands separators (, or G) must have digits in between them in the number format.',
  THOUSANDS_SEPS_MUST_BEFORE_DEC:
    'Thousands separators (, or G) may not appear after the decimal point in the number format.',
};

/** A compiled number format. */
export class NumberFormat {
  readonly tokens: readonly Token[];
  /** Digits in the format, and those after its decimal point: the DECIMAL type `to_number` gives. */
  readonly precision: number;
  readonly scale: number;
  readonly text: string;
  private readonly digitsBefore: number;

  constructor(text: string) {
    this.text = text;
    this.tokens = tokenize(text);
    let before = 0;
    let after = 0;
    let point = false;
    for (const t of this.tokens) {
      if (t.kind === 'point') point = true;
      if (t.kind !== 'group') continue;
      for (const it of t.items) {
        if (it.kind !== 'digits') continue;
        if (point) after += it.n;
        else before += it.n;
      }
    }
    this.precision = before + after;
    this.scale = after;
    this.digitsBefore = before;
    this.check();
  }

  private check(): void {
    const toks = this.tokens;
    const text = this.text;
    if (text === '') throw invalidFormat('EMPTY', text);
    const firstGroup = toks.findIndex((t) => t.kind === 'group');
    if (firstGroup < 0) throw invalidFormat('WRONG_NUM_DIGIT', text);
    const dollar = toks.findIndex((t) => t.kind === 'dollar');
    if (firstGroup < dollar) throw invalidFormat('CUR_MUST_BEFORE_DIGIT', text);
    const point = toks.findIndex((t) => t.kind === 'point');
    if (point >= 0 && point < dollar) throw invalidFormat('CUR_MUST_BEFORE_DEC', text);
    for (let i = 0; i < toks.length; i++) {
      const t = toks[i]!;
      if (t.kind !== 'group') continue;
      const items = t.items;
      if (point < 0 || i < point) {
        const bad = items.some(
          (it, j) =>
            it.kind === 'sep' &&
            (j === 0 ||
              j === items.length - 1 ||
              items[j - 1]!.kind === 'sep' ||
              items[j + 1]!.kind === 'sep'),
        );
        if (bad) throw invalidFormat('CONT_THOUSANDS_SEPS', text);
      } else if (i > point && items.some((it) => it.kind === 'sep')) {
        throw invalidFormat('THOUSANDS_SEPS_MUST_BEFORE_DEC', text);
      }
    }
    for (const kind of ['point', 'sign', 'minus', 'dollar', 'close'] as const) {
      const found = toks.filter((t) => t.kind === kind);
      if (found.length > 1) {
        throw new EngineError(
          SqlState.syntaxError,
          `[INVALID_FORMAT.WRONG_NUM_TOKEN] The format is invalid: '${text}'. At most one ${tokenName(found[0]!)} is allowed in the number format.`,
        );
      }
    }
    // [PR] [MI|S] [$] [digits] [.|D] [digits] [$] [PR|MI|S]
    const order: readonly (readonly Token['kind'][])[] = [
      ['open'],
      ['minus', 'sign'],
      ['dollar'],
      ['group'],
      ['point'],
      ['group'],
      ['dollar'],
      ['minus', 'sign', 'close'],
    ];
    let k = 0;
    for (const allowed of order) if (k < toks.length && allowed.includes(toks[k]!.kind)) k++;
    if (k < toks.length) {
      throw new EngineError(
        SqlState.syntaxError,
        `[INVALID_FORMAT.UNEXPECTED_TOKEN] The format is invalid: '${text}'. Found the unexpected ${tokenName(toks[k]!)} in the format string; the structure of the format string must match: \`[MI|S]\` \`[$]\` \`[0|9|G|,]*\` \`[.|D]\` \`[0|9]*\` \`[$]\` \`[PR|MI|S]\`.`,
      );
    }
  }

  /** The unscaled DECIMAL(precision, scale) value of `input`, or undefined when it does not match. */
  parse(input: string): bigint | undefined {
    let before = '';
    let after = '';
    let point = false;
    let opened = false;
    let closed = false;
    let negate = false;
    let at = 0;
    const len = input.length;
    for (const t of this.tokens) {
      const ch = at < len ? input[at] : undefined;
      switch (t.kind) {
        case 'group': {
          const sizes: number[] = [];
          let count = 0;
          while (at < len) {
            const c = input[at]!;
            if (c >= '0' && c <= '9') {
              count++;
              if (point) after += c;
              else before += c;
            } else if (c === ',') {
              sizes.push(count);
              count = 0;
            } else if (!/\s/.test(c)) break;
            at++;
          }
          sizes.push(count);
          sizes.reverse();
          const expected = t.items.filter((x): x is Digits => x.kind === 'digits').reverse();
          if (sizes.length > expected.length) return undefined;
          for (let i = 0; i < expected.length; i++) {
            const e = expected[i]!;
            const got = sizes[i] ?? 0;
            if (e.exact ? got !== e.n : got > e.n) return undefined;
          }
          break;
        }
        case 'point':
          if (ch === '.') {
            point = true;
            at++;
          }
          break;
        case 'dollar':
          if (ch !== undefined) {
            if (ch !== '$') return undefined;
            at++;
          }
          break;
        case 'sign':
          if (ch === '+') at++;
          else if (ch === '-') {
            negate = !negate;
            at++;
          }
          break;
        case 'minus':
          if (ch === '-') {
            negate = !negate;
            at++;
          }
          break;
        case 'open':
          if (ch === '<') {
            if (opened) return undefined;
            opened = true;
            at++;
          }
          break;
        case 'close':
          if (ch === '>') {
            if (!opened) return undefined;
            closed = true;
            negate = !negate;
            at++;
          }
          break;
        case 'bad':
          break;
      }
    }
    if (at < len || opened !== closed || (before === '' && after === '')) return undefined;
    const v = BigInt((before || '0') + after.padEnd(this.scale, '0'));
    return negate ? -v : v;
  }

  /** `unscaled / 10^scale` as text in this format ('#' in every digit place when it does not fit). */
  format(unscaled: bigint, scale: number): string {
    const negative = unscaled < 0n;
    const plain = decimalToString(negative ? -unscaled : unscaled, scale);
    const dot = plain.indexOf('.');
    let intDigits = (dot < 0 ? plain : plain.slice(0, dot)).replace(/^0+/, '');
    let fracDigits = dot < 0 ? '' : plain.slice(dot + 1).replace(/0+$/, '');
    const fmtBefore = this.digitsBefore;
    const fmtAfter = this.scale;
    if (intDigits.length > fmtBefore || fracDigits.length > fmtAfter) {
      intDigits = '#'.repeat(fmtBefore);
      fracDigits = '#'.repeat(fmtAfter);
    }
    const beforeText = intDigits.padStart(fmtBefore, ' ');
    const afterText = fracDigits.padEnd(fmtAfter, '0');
    let bi = 0;
    let ai = 0;
    let point = false;
    const out: string[] = [];
    for (const t of this.tokens) {
      switch (t.kind) {
        case 'group':
          for (const it of t.items) {
            if (it.kind === 'sep') {
              if (out.length > 0 && isDigit(out[out.length - 1]!)) out.push(',');
              else pushSpace(out);
            } else if (!point) {
              for (let k = 0; k < it.n; k++) {
                const c = beforeText[bi++]!;
                if (c === ' ' && it.exact) out.push('0');
                else if (c === ' ') pushSpace(out);
                else out.push(c);
              }
            } else {
              for (let k = 0; k < it.n; k++) out.push(afterText[ai++]!);
            }
          }
          break;
        case 'point':
          if (out.length > 0 && out[out.length - 1] === ' ') out[out.length - 1] = '0';
          out.push('.');
          point = true;
          break;
        case 'dollar':
          out.push('$');
          break;
        case 'sign':
          stripLonePoint(out);
          pushSign(out, negative ? '-' : '+');
          break;
        case 'minus':
          if (negative) {
            stripLonePoint(out);
            pushSign(out, '-');
          } else out.push(' ');
          break;
        case 'open':
          if (negative) out.push('<');
          break;
        case 'close':
          stripLonePoint(out);
          if (negative) pushSign(out, '>');
          else out.push(' ', ' ');
          break;
        case 'bad':
          break;
      }
    }
    stripLonePoint(out);
    const s = out.join('');
    return s === '' || s === '+' || s === '-' ? '0' : s;
  }
}

function isDigit(c: string): boolean {
  return c >= '0' && c <= '9';
}

/** Appends a space, moving it before any sign or '<' that ends the text. */
function pushSpace(out: string[]): void {
  out.push(' ');
  for (let i = out.length - 1; i >= 1; i--) {
    const p = out[i - 1]!;
    if (out[i] !== ' ' || (p !== '+' && p !== '-' && p !== '<')) break;
    out[i] = p;
    out[i - 1] = ' ';
  }
}

/** Appends a sign character, moving it before the spaces that end the text. */
function pushSign(out: string[], c: string): void {
  out.push(c);
  for (let i = out.length - 1; i >= 1 && out[i - 1] === ' ' && out[i] === c; i--) {
    out[i] = ' ';
    out[i - 1] = c;
  }
}

/** A decimal point with no digit after it becomes a space. */
function stripLonePoint(out: string[]): void {
  const i = out.indexOf('.');
  if (i >= 0 && (i === out.length - 1 || out[i + 1] === ' ')) out[i] = ' ';
}

function tokenize(text: string): Token[] {
  const raw: (Token | GroupItem)[] = [];
  let point = false;
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (c === '0' || c === '9') {
      const start = i;
      do i++;
      while (i < text.length && (text[i] === '0' || text[i] === '9'));
      raw.push({ kind: 'digits', n: i - start, exact: c === '0' && !point });
      continue;
    }
    i++;
    if (c === '.' || c === 'D') {
      raw.push({ kind: 'point' });
      point = true;
    } else if (c === ',' || c === 'G') raw.push({ kind: 'sep' });
    else if (c === '$') raw.push({ kind: 'dollar' });
    else if (c === 'S') raw.push({ kind: 'sign' });
    else if (c === 'M' && text[i] === 'I') {
      raw.push({ kind: 'minus' });
      i++;
    } else if (c === 'P' && text[i] === 'R') {
      raw.unshift({ kind: 'open' });
      raw.push({ kind: 'close' });
      i++;
    } else raw.push({ kind: 'bad', ch: c });
  }
  const tokens: Token[] = [];
  let group: GroupItem[] = [];
  for (const t of raw) {
    if (t.kind === 'digits' || t.kind === 'sep') {
      group.push(t);
      continue;
    }
    if (group.length > 0) tokens.push({ kind: 'group', items: group });
    group = [];
    tokens.push(t);
  }
  if (group.length > 0) tokens.push({ kind: 'group', items: group });
  return tokens;
}

const formatCache = new Map<string, NumberFormat>();

/** The compiled format (cached); INVALID_FORMAT errors for a malformed one. */
export function numberFormat(text: string): NumberFormat {
  let f = formatCache.get(text);
  if (f === undefined) {
    f = new NumberFormat(text);
    if (formatCache.size > 256) formatCache.clear();
    formatCache.set(text, f);
  }
  return f;
}

function mismatch(inputType: string, input: string, format: string): EngineError {
  return new EngineError(
    SqlState.syntaxError,
    `[INVALID_FORMAT.MISMATCH_INPUT] The format is invalid: '${format}'. The input ${inputType} '${input}' does not match the format.`,
  );
}

function toNumberDef(name: string, tolerant: boolean): ScalarFunctionDef {
  return {
    kind: 'scalar',
    name,
    description: `${name}(expr, fmt) - \`expr\` read as a decimal number in format \`fmt\` ('999.99', '$99,999.99', 'S', 'MI', 'PR')${tolerant ? '; NULL when it does not match' : ''}.`,
    resolve(argTypes, ctx) {
      checkArity(name, argTypes, 2, 2);
      const types = [coerce(name, 0, argTypes[0]!, S), coerce(name, 1, argTypes[1]!, S)];
      const f = literalArg(name, 'format', ctx, 1, S);
      const returnType = f === null ? T.decimal(10, 0) : decimalOfFormat(numberFormat(f as string));
      return tolerant ? { argTypes: types, returnType, nullable: true } : { argTypes: types, returnType };
    },
    evaluate(args, numRows, returnType, ctx) {
      const f = (args[1] as { value: Value }).value;
      const format = f === null ? null : numberFormat(f as string);
      return evaluateRows(
        args.slice(0, 1),
        [S],
        numRows,
        returnType,
        ctx,
        (v) => {
          if (format === null) return null;
          const s = v[0] as string;
          const r = format.parse(s);
          if (r !== undefined) return r;
          if (tolerant) return null;
          throw mismatch('"STRING"', s, format.text);
        },
        true,
      );
    },
  };
}

function decimalOfFormat(f: NumberFormat): DataType {
  if (f.precision > 38) {
    throw new EngineError(
      SqlState.numericValueOutOfRange,
      `[DECIMAL_PRECISION_EXCEEDS_MAX_PRECISION] Decimal precision ${f.precision} exceeds max precision 38.`,
    );
  }
  return T.decimal(f.precision, f.scale);
}

/** The DECIMAL a number is formatted as: integers exactly, floating point as Spark casts it. */
function decimalFor(t: DataType): DataType | undefined {
  switch (t.kind) {
    case 'tinyint':
      return T.decimal(3, 0);
    case 'smallint':
      return T.decimal(5, 0);
    case 'int':
      return T.decimal(10, 0);
    case 'bigint':
      return T.decimal(20, 0);
    case 'float':
      return T.decimal(14, 7);
    case 'double':
      return T.decimal(30, 15);
    case 'decimal':
      return t;
    default:
      return undefined;
  }
}

const dateFormat = datetimeFunctions.find((f) => f.name === 'date_format')!;

function toCharDef(name: string): ScalarFunctionDef {
  return {
    kind: 'scalar',
    name,
    description: `${name}(expr, fmt) - A number formatted with a number format ('999.99', '$99,999.99', 'S', 'MI', 'PR'), a date or timestamp with a datetime pattern, or binary as 'hex', 'base64' or 'utf-8' text.`,
    resolve(argTypes: readonly DataType[], ctx: ResolveContext) {
      checkArity(name, argTypes, 2, 2);
      const t = argTypes[0]!;
      if (t.kind === 'date' || t.kind === 'timestamp' || t.kind === 'timestamp_ntz') {
        return dateFormat.resolve(argTypes, ctx);
      }
      const fmtType = coerce(name, 1, argTypes[1]!, S);
      const f = literalArg(name, 'format', ctx, 1, S);
      if (t.kind === 'binary') {
        if (f !== null) binaryFormat(name, f as string);
        return { argTypes: [t, fmtType], returnType: S };
      }
      const d = decimalFor(t) ?? (t.kind === 'null' || t.kind === 'string' ? T.decimal(38, 18) : undefined);
      if (d === undefined) throw typeMismatch(name, 0, '"DECIMAL"', t);
      if (f !== null) numberFormat(f as string);
      return { argTypes: [t.kind === 'string' ? coerce(name, 0, t, d) : d, fmtType], returnType: S };
    },
    evaluate(args: readonly ColumnarValue[], numRows: number, returnType: DataType, ctx: EvalContext) {
      const t = columnarType(args[0]!, S);
      if (t.kind === 'date' || t.kind === 'timestamp' || t.kind === 'timestamp_ntz') {
        return dateFormat.evaluate(args, numRows, returnType, ctx);
      }
      const f = (args[1] as { value: Value }).value;
      if (t.kind === 'binary') {
        const bf = f === null ? null : binaryFormat(name, f as string);
        return evaluateRows(
          args.slice(0, 1),
          [t],
          numRows,
          returnType,
          ctx,
          (v) => (bf === null ? null : binaryToText(v[0] as Uint8Array, bf)),
          true,
        );
      }
      const format = f === null ? null : numberFormat(f as string);
      const scale = asDecimal(t)?.scale ?? 0;
      return evaluateRows(
        args.slice(0, 1),
        [t],
        numRows,
        returnType,
        ctx,
        (v) => (format === null ? null : format.format(v[0] as bigint, scale)),
        true,
      );
    },
  };
}

export const numberFormatFunctions: readonly ScalarFunctionDef[] = [
  toNumberDef('to_number', false),
  toNumberDef('try_to_number', true),
  toCharDef('to_char'),
  toCharDef('to_varchar'),
];
