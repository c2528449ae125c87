/**
 * Array functions with Spark 4 semantics (ANSI on): the `array(…)` constructor, subscripts
 * (`a[i]` 0-based, `element_at` 1-based), size, search (array_contains, array_position), set-like
 * functions (array_distinct, array_union …), ordering (sort_array, array_min/max), slicing,
 * generation (array_repeat, sequence) and `split`. Their cost is in the work per array, so they
 * run row at a time over `Value[]`s; the column kernels they sit on are typed (see columns.ts).
 */
import {
  EngineError,
  SqlState,
  T,
  calendarIntervalToString,
  isCalendarInterval,
  isIntegral,
  typeToString,
  type CalendarInterval,
  type DataType,
  type Value,
} from '../../common/index.ts';
import type { EvalContext, ResolveContext, ResolvedSignature, ScalarFunctionDef } from '../registry.ts';
import { findWiderType } from '../type-coercion.ts';
import {
  checkArity,
  coerce,
  commonTypeKeepingNull,
  evaluateRows,
  invalidArgument,
  typeMismatch,
  requireOrderable,
} from './define.ts';
import { compareValues, distinctValues, valueKey } from './array-values.ts';
import { compileRegex } from './string.ts';
import { valueText } from '../kernels/common.ts';
import { addMonthsToDays } from '../kernels/datetime.ts';

type Row = (v: Value[], ctx: EvalContext, returnType: DataType) => Value;

interface RowFunctionSpec {
  readonly name: string;
  readonly aliases?: readonly string[];
  readonly description: string;
  readonly resolve: (argTypes: readonly DataType[], ctx: ResolveContext) => ResolvedSignature;
  readonly row: Row;
  /** Whether a NULL argument gives NULL without calling `row` (default true). */
  readonly nullIntolerant?: boolean;
}

function rowFunction(spec: RowFunctionSpec): ScalarFunctionDef {
  return {
    kind: 'scalar',
    name: spec.name,
    ...(spec.aliases === undefined ? {} : { aliases: spec.aliases }),
    description: spec.description,
    resolve: spec.resolve,
    evaluate(args, numRows, returnType, ctx) {
      return evaluateRows(
        args,
        args.map(() => T.null),
        numRows,
        returnType,
        ctx,
        spec.row,
        spec.nullIntolerant ?? true,
      );
    },
  };
}

// ---- argument rules -------------------------------------------------------------------------

/** An array argument (NULL reads as array<void>). */
function arrayArg(name: string, index: number, t: DataType): DataType & { kind: 'array' } {
  if (t.kind === 'array') return t;
  if (t.kind === 'null') return { kind: 'array', element: T.null, containsNull: true };
  throw typeMismatch(name, index, '"ARRAY"', t);
}

/** An integral index/count argument: integral types as they are, NULL and strings as int. */
function intArg(name: string, index: number, t: DataType): DataType {
  if (isIntegral(t)) return t;
  return coerce(name, index, t, T.int);
}

function sig(argTypes: readonly DataType[], returnType: DataType, nullable?: boolean): ResolvedSignature {
  return nullable === undefined ? { argTypes, returnType } : { argTypes, returnType, nullable };
}

/**
 * The element type an array and a value share (array_contains, array_position, array_remove):
 * Spark widens without promoting strings to numbers.
 */
function elementAndValue(name: string, argTypes: readonly DataType[]): DataType {
  const a = arrayArg(name, 0, argTypes[0]!);
  const v = argTypes[1]!;
  const stringMix = (a.element.kind === 'string') !== (v.kind === 'string');
  const w =
    stringMix && a.element.kind !== 'null' && v.kind !== 'null' ? undefined : findWiderType(a.element, v);
  if (w === undefined) {
    throw new EngineError(
      SqlState.datatypeMismatch,
      `[DATATYPE_MISMATCH.ARRAY_FUNCTION_DIFF_TYPES] Cannot resolve "${name}" due to data type mismatch: Input to \`${name}\` should have been "ARRAY" followed by a value with same element type, but it's [${sqlName(a)}, ${sqlName(v)}].`,
    );
  }
  return w;
}

/** Two arrays widened to one array type (array_union, arrays_overlap …). */
function twoArrays(name: string, argTypes: readonly DataType[]): DataType & { kind: 'array' } {
  checkArity(name, argTypes, 2, 2);
  const a = arrayArg(name, 0, argTypes[0]!);
  const b = arrayArg(name, 1, argTypes[1]!);
  const w = findWiderType(a, b);
  if (w === undefined || w.kind !== 'array') {
    throw new EngineError(
      SqlState.datatypeMismatch,
      `[DATATYPE_MISMATCH.BINARY_ARRAY_DIFF_TYPES] Cannot resolve "${name}" due to data type mismatch: Input to function \`${name}\` should have been two "ARRAY" with same element type, but it's [${sqlName(a)}, ${sqlName(b)}].`,
    );
  }
  return w;
}

function sqlName(t: DataType): string {
  return `"${typeToString(t).toUpperCase()}"`;
}

// ---- errors ---------------------------------------------------------------------------------

function indexOutOfBounds(errorClass: string, index: number, size: number, suggestion: string): EngineError {
  return new EngineError(
    SqlState.numericValueOutOfRange,
    `[${errorClass}] The index ${index} is out of bounds. The array has ${size} elements. ${suggestion} If necessary set "spark.sql.ansi.enabled" to "false" to bypass this error.`,
  );
}

function indexOfZero(): EngineError {
  return new EngineError(
    SqlState.numericValueOutOfRange,
    '[INVALID_INDEX_OF_ZERO] The index 0 is invalid. An index shall be either < 0 or > 0 (the first element has index 1).',
  );
}

/** Spark's limit on the number of elements of one array. */
const MAX_ARRAY_LENGTH = 2147483632;
/** This engine's practical limit (arrays are materialised as JS arrays). */
const MAX_GENERATED_LENGTH = 10_000_000;

function tooLong(name: string, length: number | bigint): EngineError {
  return new EngineError(
    SqlState.programLimitExceeded,
    `[COLLECTION_SIZE_LIMIT_EXCEEDED.PARAMETER] Can't create array with ${length} elements which exceeding the array size limit ${MAX_ARRAY_LENGTH}, the value of parameter(s) \`${name}\` is invalid.`,
  );
}

// ---- constructors and access ----------------------------------------------------------------

const arrayFn = rowFunction({
  name: 'array',
  description: 'array(expr, ...) - Returns an array with the given elements.',
  resolve(argTypes) {
    const element = commonTypeKeepingNull('array', argTypes);
    return sig(
      argTypes.map(() => element),
      T.array(element),
      false,
    );
  },
  row: (v) => [...v],
  nullIntolerant: false,
});

/** `a[i]`: 0-based; out of range is an error under ANSI, NULL otherwise. */
const arraySubscript = rowFunction({
  name: 'array_subscript',
  description: 'a[index] - Returns the element at the 0-based index; out of range is an error (ANSI).',
  resolve(argTypes) {
    checkArity('array_subscript', argTypes, 2, 2);
    const a = arrayArg('array_subscript', 0, argTypes[0]!);
    return sig([a, intArg('array_subscript', 1, argTypes[1]!)], a.element, true);
  },
  row(v, ctx) {
    const a = v[0] as readonly Value[];
    const i = Number(v[1]);
    if (i < 0 || i >= a.length) {
      if (!ctx.ansi) return null;
      throw indexOutOfBounds(
        'INVALID_ARRAY_INDEX',
        i,
        a.length,
        'Use the SQL function `get()` to tolerate accessing element at invalid index and return NULL instead.',
      );
    }
    return a[i]!;
  },
});

const get = rowFunction({
  name: 'get',
  description: 'get(array, index) - Returns the element at the 0-based index, NULL when out of range.',
  resolve(argTypes) {
    checkArity('get', argTypes, 2, 2);
    const a = arrayArg('get', 0, argTypes[0]!);
    return sig([a, intArg('get', 1, argTypes[1]!)], a.element, true);
  },
  row(v) {
    const a = v[0] as readonly Value[];
    const i = Number(v[1]);
    return i >= 0 && i < a.length ? a[i]! : null;
  },
});

function elementAtFn(name: string, tolerant: boolean): ScalarFunctionDef {
  return rowFunction({
    name,
    description: `${name}(array, index) - Returns the element at the 1-based index (negative counts from the end); out of range is ${tolerant ? 'NULL' : 'an error (ANSI)'}.`,
    resolve(argTypes) {
      checkArity(name, argTypes, 2, 2);
      if (argTypes[0]!.kind === 'map')
        throw new EngineError(SqlState.featureNotSupported, `${name} on maps is not supported yet`);
      const a = arrayArg(name, 0, argTypes[0]!);
      return sig([a, intArg(name, 1, argTypes[1]!)], a.element, true);
    },
    row(v, ctx) {
      const a = v[0] as readonly Value[];
      const i = Number(v[1]);
      if (i === 0) throw indexOfZero();
      const k = i > 0 ? i - 1 : a.length + i;
      if (k < 0 || k >= a.length) {
        if (tolerant || !ctx.ansi) return null;
        throw indexOutOfBounds(
          'INVALID_ARRAY_INDEX_IN_ELEMENT_AT',
          i,
          a.length,
          'Use `try_element_at` to tolerate accessing element at invalid index and return NULL instead.',
        );
      }
      return a[k]!;
    },
  });
}

/** size(NULL) is NULL under ANSI, -1 otherwise (spark.sql.legacy.sizeOfNull && !ansi). */
const size = rowFunction({
  name: 'size',
  aliases: ['cardinality', 'array_size'],
  description: 'size(array) - The number of elements; NULL for NULL (ANSI), -1 otherwise.',
  resolve(argTypes, ctx) {
    checkArity('size', argTypes, 1, 1);
    if (argTypes[0]!.kind === 'map')
      throw new EngineError(SqlState.featureNotSupported, 'size of maps is not supported yet');
    return sig([arrayArg('size', 0, argTypes[0]!)], T.int, !ctx.ansi ? false : undefined);
  },
  row: (v, ctx) => (v[0] === null ? (ctx.ansi ? null : -1) : (v[0] as readonly Value[]).length),
  nullIntolerant: false,
});

/**
 * PostgreSQL's array_lower / array_upper / array_length (array, dimension): arrays here have one
 * dimension, indexed from 1, so 1, the length and the length for dimension 1 of a non-empty array;
 * NULL for an empty array or any other dimension.
 */
function pgArrayBound(name: string, bound: (length: number) => number, what: string): ScalarFunctionDef {
  return rowFunction({
    name,
    description: `${name}(array, dimension) - ${what} of the array's dimension (PostgreSQL); NULL when empty.`,
    resolve(argTypes) {
      checkArity(name, argTypes, 2, 2);
      return sig([arrayArg(name, 0, argTypes[0]!), coerce(name, 1, argTypes[1]!, T.int)], T.int, true);
    },
    row: (v) => {
      const length = (v[0] as readonly Value[]).length;
      return v[1] === 1 && length > 0 ? bound(length) : null;
    },
  });
}

// ---- search ---------------------------------------------------------------------------------

const arrayContains = rowFunction({
  name: 'array_contains',
  description:
    'array_contains(array, value) - True if the array contains the value; NULL if not found but the array has a NULL.',
  resolve(argTypes) {
    checkArity('array_contains', argTypes, 2, 2);
    const e = elementAndValue('array_contains', argTypes);
    return sig([T.array(e), e], T.boolean, true);
  },
  row(v) {
    const key = valueKey(v[1]!);
    let sawNull = false;
    for (const x of v[0] as readonly Value[]) {
      if (x === null) sawNull = true;
      else if (valueKey(x) === key) return true;
    }
    return sawNull ? null : false;
  },
});

const arrayPosition = rowFunction({
  name: 'array_position',
  description: 'array_position(array, value) - The 1-based position of the first occurrence, 0 if none.',
  resolve(argTypes) {
    checkArity('array_position', argTypes, 2, 2);
    const e = elementAndValue('array_position', argTypes);
    return sig([T.array(e), e], T.bigint);
  },
  row(v) {
    const key = valueKey(v[1]!);
    const a = v[0] as readonly Value[];
    for (let i = 0; i < a.length; i++) if (a[i] !== null && valueKey(a[i]!) === key) return BigInt(i + 1);
    return 0n;
  },
});

const arrayRemove = rowFunction({
  name: 'array_remove',
  description: 'array_remove(array, element) - Removes every element equal to `element`.',
  resolve(argTypes) {
    checkArity('array_remove', argTypes, 2, 2);
    const e = elementAndValue('array_remove', argTypes);
    return sig([T.array(e), e], T.array(e));
  },
  row(v) {
    const key = valueKey(v[1]!);
    return (v[0] as readonly Value[]).filter((x) => x === null || valueKey(x) !== key);
  },
});

const arraysOverlap = rowFunction({
  name: 'arrays_overlap',
  description:
    'arrays_overlap(a1, a2) - True if the arrays share a non-NULL element; NULL if not but either has a NULL.',
  resolve(argTypes) {
    const t = twoArrays('arrays_overlap', argTypes);
    return sig([t, t], T.boolean, true);
  },
  row(v) {
    const a = v[0] as readonly Value[];
    const b = v[1] as readonly Value[];
    const keys = new Set(a.filter((x) => x !== null).map(valueKey));
    for (const x of b) if (x !== null && keys.has(valueKey(x))) return true;
    if (a.length === 0 || b.length === 0) return false;
    return a.includes(null) || b.includes(null) ? null : false;
  },
});

// ---- ordering and sets ----------------------------------------------------------------------

const sortArray = rowFunction({
  name: 'sort_array',
  description:
    'sort_array(array[, ascending]) - Sorts the array; NULLs first when ascending, last when descending.',
  resolve(argTypes, ctx) {
    checkArity('sort_array', argTypes, 1, 2);
    const a = arrayArg('sort_array', 0, argTypes[0]!);
    requireOrderable('sort_array', a.element);
    if (argTypes.length === 1) return sig([a], a);
    const asc = ctx.literalArgs[1];
    if (asc === undefined || asc === null || argTypes[1]!.kind !== 'boolean') {
      throw new EngineError(
        SqlState.datatypeMismatch,
        `[DATATYPE_MISMATCH.UNEXPECTED_INPUT_TYPE] Cannot resolve "sort_array" due to data type mismatch: the second parameter requires the "BOOLEAN" literal type, however it has the type ${sqlName(argTypes[1]!)}.`,
      );
    }
    return sig([a, T.boolean], a);
  },
  row(v) {
    const asc = v.length < 2 || v[1] === true;
    const out = [...(v[0] as readonly Value[])];
    out.sort(asc ? compareValues : (x, y) => compareValues(y, x));
    return out;
  },
});

/** array_sort(array) without a comparator (the form with one is a higher-order call the analyzer binds). */
const arraySort = rowFunction({
  name: 'array_sort',
  description:
    'array_sort(expr[, func]) - Sorts the array ascending with NULLs last, or by the comparator func(left, right) (negative, 0 or positive).',
  resolve(argTypes) {
    checkArity('array_sort', argTypes, 1, 1);
    const a = arrayArg('array_sort', 0, argTypes[0]!);
    requireOrderable('array_sort', a.element);
    return sig([a], a);
  },
  row(v) {
    const values = v[0] as readonly Value[];
    const present = values.filter((x) => x !== null).sort(compareValues);
    const out: Value[] = [...present];
    for (const x of values) if (x === null) out.push(null);
    return out;
  },
});

function arrayExtreme(name: string, max: boolean): ScalarFunctionDef {
  return rowFunction({
    name,
    description: `${name}(array) - The ${max ? 'largest' : 'smallest'} non-NULL element (NaN is the largest double).`,
    resolve(argTypes) {
      checkArity(name, argTypes, 1, 1);
      const a = arrayArg(name, 0, argTypes[0]!);
      requireOrderable(name, a.element);
      return sig([a], a.element, true);
    },
    row(v) {
      let best: Value = null;
      for (const x of v[0] as readonly Value[]) {
        if (x === null) continue;
        if (best === null) best = x;
        else {
          const c = compareValues(x, best);
          if (max ? c > 0 : c < 0) best = x;
        }
      }
      return best;
    },
  });
}

const arrayDistinct = rowFunction({
  name: 'array_distinct',
  description: 'array_distinct(array) - Removes duplicate elements (first occurrences kept, in order).',
  resolve(argTypes) {
    checkArity('array_distinct', argTypes, 1, 1);
    const a = arrayArg('array_distinct', 0, argTypes[0]!);
    return sig([a], a);
  },
  row: (v) => distinctValues(v[0] as readonly Value[]),
});

function setFunction(
  name: string,
  description: string,
  op: (a: readonly Value[], b: readonly Value[]) => Value[],
): ScalarFunctionDef {
  return rowFunction({
    name,
    description,
    resolve(argTypes) {
      const t = twoArrays(name, argTypes);
      return sig([t, t], t);
    },
    row: (v) => op(v[0] as readonly Value[], v[1] as readonly Value[]),
  });
}

const arrayUnion = setFunction(
  'array_union',
  'array_union(a1, a2) - The distinct elements of a1 then a2.',
  (a, b) => distinctValues([...a, ...b]),
);
const arrayIntersect = setFunction(
  'array_intersect',
  'array_intersect(a1, a2) - The distinct elements of a1 that are also in a2.',
  (a, b) => {
    const keys = new Set(b.map(valueKey));
    return distinctValues(a.filter((x) => keys.has(valueKey(x))));
  },
);
const arrayExcept = setFunction(
  'array_except',
  'array_except(a1, a2) - The distinct elements of a1 that are not in a2.',
  (a, b) => {
    const keys = new Set(b.map(valueKey));
    return distinctValues(a.filter((x) => !keys.has(valueKey(x))));
  },
);

// ---- reshaping ------------------------------------------------------------------------------

const arrayJoin = rowFunction({
  name: 'array_join',
  description:
    'array_join(array, delimiter[, nullReplacement]) - Joins the elements; NULLs are skipped unless replaced.',
  resolve(argTypes) {
    checkArity('array_join', argTypes, 2, 3);
    const a = arrayArg('array_join', 0, argTypes[0]!);
    coerce('array_join', 0, a.element, T.string);
    const rest = argTypes.slice(1).map((t, i) => coerce('array_join', i + 1, t, T.string));
    return sig([T.array(T.string), ...rest], T.string);
  },
  row(v) {
    const parts: string[] = [];
    for (const x of v[0] as readonly Value[]) {
      if (x !== null) parts.push(x as string);
      else if (v.length > 2) parts.push(v[2] as string);
    }
    return parts.join(v[1] as string);
  },
});

const flatten = rowFunction({
  name: 'flatten',
  description: 'flatten(arrayOfArrays) - Concatenates the inner arrays; NULL if any inner array is NULL.',
  resolve(argTypes) {
    checkArity('flatten', argTypes, 1, 1);
    const a = arrayArg('flatten', 0, argTypes[0]!);
    if (a.element.kind !== 'array' && a.element.kind !== 'null')
      throw typeMismatch('flatten', 0, '"ARRAY" of "ARRAY"', a);
    const inner = a.element.kind === 'array' ? a.element : T.array(T.null);
    return sig([T.array(inner)], inner);
  },
  row(v) {
    const out: Value[] = [];
    for (const inner of v[0] as readonly Value[]) {
      if (inner === null) return null;
      for (const x of inner as readonly Value[]) out.push(x);
    }
    return out;
  },
});

const slice = rowFunction({
  name: 'slice',
  description:
    'slice(array, start, length) - `length` elements from the 1-based `start` (negative counts from the end).',
  resolve(argTypes) {
    checkArity('slice', argTypes, 3, 3);
    const a = arrayArg('slice', 0, argTypes[0]!);
    return sig([a, coerce('slice', 1, argTypes[1]!, T.int), coerce('slice', 2, argTypes[2]!, T.int)], a);
  },
  row(v) {
    const a = v[0] as readonly Value[];
    const start = v[1] as number;
    const length = v[2] as number;
    if (start === 0)
      throw invalidArgument(
        '[INVALID_PARAMETER_VALUE.START] The value of parameter(s) `start` in `slice` is invalid: Expects a positive or a negative value for `start`, but got 0.',
      );
    if (length < 0)
      throw invalidArgument(
        `[INVALID_PARAMETER_VALUE.LENGTH] The value of parameter(s) \`length\` in \`slice\` is invalid: Expects \`length\` greater than or equal to 0, but got ${length}.`,
      );
    const from = start > 0 ? start - 1 : a.length + start;
    if (from < 0 || from >= a.length) return [];
    return a.slice(from, from + length);
  },
});

const arrayRepeat = rowFunction({
  name: 'array_repeat',
  description: 'array_repeat(element, count) - An array of `count` copies of `element`.',
  resolve(argTypes) {
    checkArity('array_repeat', argTypes, 2, 2);
    const e = argTypes[0]!;
    return sig([e, coerce('array_repeat', 1, argTypes[1]!, T.int)], T.array(e));
  },
  row(v) {
    if (v[1] === null) return null;
    const n = Math.max(0, v[1] as number);
    if (n > MAX_GENERATED_LENGTH) throw tooLong('count', n);
    return new Array<Value>(n).fill(v[0]!);
  },
  nullIntolerant: false,
});

const arrayCompact = rowFunction({
  name: 'array_compact',
  description: 'array_compact(array) - Removes the NULL elements.',
  resolve(argTypes) {
    checkArity('array_compact', argTypes, 1, 1);
    const a = arrayArg('array_compact', 0, argTypes[0]!);
    return sig([a], a);
  },
  row: (v) => (v[0] as readonly Value[]).filter((x) => x !== null),
});

function appendFn(name: string, prepend: boolean): ScalarFunctionDef {
  return rowFunction({
    name,
    description: `${name}(array, element) - The array with \`element\` added at the ${prepend ? 'start' : 'end'}.`,
    resolve(argTypes) {
      checkArity(name, argTypes, 2, 2);
      const e = elementAndValue(name, argTypes);
      return sig([T.array(e), e], T.array(e));
    },
    row(v) {
      if (v[0] === null) return null;
      const a = v[0] as readonly Value[];
      return prepend ? [v[1]!, ...a] : [...a, v[1]!];
    },
    nullIntolerant: false,
  });
}

/** `reverse` of arrays; strings go to the string function of the same name (`stringReverse`). */
export function arrayAwareReverse(stringReverse: ScalarFunctionDef): ScalarFunctionDef {
  return {
    ...stringReverse,
    description:
      'reverse(str | array) - The characters of a string, or the elements of an array, in reverse order.',
    resolve(argTypes, ctx) {
      if (argTypes.length === 1 && argTypes[0]!.kind === 'array') return sig([argTypes[0]], argTypes[0]);
      return stringReverse.resolve(argTypes, ctx);
    },
    evaluate(args, numRows, returnType, ctx) {
      if (returnType.kind !== 'array') return stringReverse.evaluate(args, numRows, returnType, ctx);
      return evaluateRows(
        args,
        [returnType],
        numRows,
        returnType,
        ctx,
        (v) => [...(v[0] as readonly Value[])].reverse(),
        true,
      );
    },
  };
}

// ---- sequence -------------------------------------------------------------------------------

/**
 * Dates from `start` to `stop` by a calendar interval: the k-th is `start` moved by k times its
 * months (clamped to the month's end) and days, as Spark computes each element from the start.
 * The interval may hold no time part, and must move the dates toward `stop`.
 */
function dateSequenceByCalendar(start: number, stop: number, step: CalendarInterval): Value[] {
  const [months, days, micros] = step;
  if (micros !== 0n) {
    throw invalidArgument(
      `[INVALID_PARAMETER_VALUE.SEQUENCE_STEP] sequence step must be a day interval if start and end values are dates: ${calendarIntervalToString(step)}.`,
    );
  }
  const length = months * 31 + days;
  if (!((length > 0 && start <= stop) || (length < 0 && start >= stop) || (length === 0 && start === stop)))
    throw badSequence(start, stop, calendarIntervalToString(step));
  const out: Value[] = [];
  for (let k = 0; ; k++) {
    const d = addMonthsToDays(start, k * months) + k * days;
    if (length > 0 ? d > stop : length < 0 ? d < stop : k > 0) break;
    out.push(d);
    if (out.length > MAX_GENERATED_LENGTH) throw tooLong('count', out.length);
  }
  return out;
}

function badSequence(start: Value, stop: Value, step: Value): EngineError {
  return invalidArgument(
    `[INVALID_PARAMETER_VALUE.SEQUENCE_STEP] Illegal sequence boundaries: ${valueText(start)} to ${valueText(stop)} by ${valueText(step)}.`,
  );
}

const sequence = rowFunction({
  name: 'sequence',
  description:
    'sequence(start, stop[, step]) - Integers or dates from start to stop (inclusive) by step (default 1/-1 or 1 day).',
  resolve(argTypes) {
    checkArity('sequence', argTypes, 2, 3);
    const bounds = commonTypeKeepingNull('sequence', argTypes.slice(0, 2));
    if (isIntegral(bounds) || bounds.kind === 'null') {
      const t = argTypes.length === 3 ? commonTypeKeepingNull('sequence', argTypes) : bounds;
      const e = t.kind === 'null' ? T.int : t;
      if (!isIntegral(e)) throw typeMismatch('sequence', 2, '"INTEGRAL"', argTypes[2]!);
      return sig(
        argTypes.map(() => e),
        T.array(e, false),
      );
    }
    if (bounds.kind === 'date') {
      const step = argTypes[2];
      if (
        step !== undefined &&
        step.kind !== 'interval_day_time' &&
        step.kind !== 'interval_year_month' &&
        step.kind !== 'calendar_interval' &&
        step.kind !== 'null'
      )
        throw typeMismatch('sequence', 2, '"INTERVAL"', step);
      const stepType = step === undefined || step.kind === 'null' ? T.intervalDayTime : step;
      return sig(
        argTypes.length === 3 ? [T.date, T.date, stepType] : [T.date, T.date],
        T.array(T.date, false),
      );
    }
    throw typeMismatch('sequence', 0, '"INTEGRAL" or "DATE"', bounds);
  },
  row(v, _ctx, returnType) {
    const element = returnType.kind === 'array' ? returnType.element : T.int;
    if (element.kind === 'date') return dateSequence(v);
    const big = element.kind === 'bigint';
    const start = BigInt(v[0] as number | bigint);
    const stop = BigInt(v[1] as number | bigint);
    const step = v.length > 2 ? BigInt(v[2] as number | bigint) : start <= stop ? 1n : -1n;
    if (!((step > 0n && start <= stop) || (step < 0n && start >= stop) || (step === 0n && start === stop)))
      throw badSequence(v[0]!, v[1]!, v[2] ?? step);
    const count = step === 0n ? 1n : (stop - start) / step + 1n;
    if (count > BigInt(MAX_GENERATED_LENGTH)) throw tooLong('count', count);
    const out: Value[] = [];
    for (let k = 0n, x = start; k < count; k++, x += step) out.push(big ? x : Number(x));
    return out;
  },
});

const MICROS_PER_DAY = 86_400_000_000n;

function dateSequence(v: Value[]): Value[] {
  const start = v[0] as number;
  const stop = v[1] as number;
  const step = v.length > 2 ? v[2]! : null;
  const out: Value[] = [];
  if (isCalendarInterval(step)) return dateSequenceByCalendar(start, stop, step);
  if (step === null || typeof step === 'bigint') {
    // Day-time step: whole days only for dates.
    let days = start <= stop ? 1 : -1;
    if (step !== null) {
      if (step % MICROS_PER_DAY !== 0n) throw badSequence(start, stop, step);
      days = Number(step / MICROS_PER_DAY);
    }
    if (!((days > 0 && start <= stop) || (days < 0 && start >= stop) || (days === 0 && start === stop)))
      throw badSequence(start, stop, step ?? days);
    const count = days === 0 ? 1 : Math.floor((stop - start) / days) + 1;
    if (count > MAX_GENERATED_LENGTH) throw tooLong('count', count);
    for (let k = 0; k < count; k++) out.push(start + k * days);
    return out;
  }
  const months = step as number;
  if (!((months > 0 && start <= stop) || (months < 0 && start >= stop) || (months === 0 && start === stop)))
    throw badSequence(start, stop, step);
  const s = new Date(start * 86_400_000);
  for (let k = 0; ; k++) {
    if (months === 0 && k > 0) break;
    const y = s.getUTCFullYear();
    const m = s.getUTCMonth() + k * months;
    const lastDay = new Date(Date.UTC(y, m + 1, 0)).getUTCDate();
    const day = Math.min(s.getUTCDate(), lastDay);
    const d = Math.floor(Date.UTC(y, m, day) / 86_400_000);
    if (months > 0 ? d > stop : d < stop) break;
    out.push(d);
    if (out.length > MAX_GENERATED_LENGTH) throw tooLong('count', out.length);
  }
  return out;
}

// ---- split ----------------------------------------------------------------------------------

/**
 * Java's String.split(regex, limit) as Spark calls it (limit ≤ 0 means no limit and trailing
 * empty strings are kept); an empty pattern splits into characters.
 */
export function sparkSplit(s: string, pattern: string, limit: number): string[] {
  if (pattern === '') {
    if (s === '') return [''];
    const cs = Array.from(s);
    const n = limit > 0 && limit < cs.length ? limit : cs.length;
    return [...cs.slice(0, n - 1), cs.slice(n - 1).join('')];
  }
  const re = compileRegex(pattern, 'g');
  const out: string[] = [];
  let last = 0;
  re.lastIndex = 0;
  for (let m = re.exec(s); m !== null; m = re.exec(s)) {
    const at = m.index;
    const end = at + m[0].length;
    if (m[0].length === 0) {
      re.lastIndex = at + (s.codePointAt(at)! > 0xffff ? 2 : 1);
      // A zero-width match at the start never yields a leading empty string (Java 8+).
      if (at === 0) continue;
    }
    if (limit > 0 && out.length === limit - 1) break;
    out.push(s.slice(last, at));
    last = end;
  }
  out.push(s.slice(last));
  return out;
}

const split = rowFunction({
  name: 'split',
  description:
    'split(str, regex[, limit]) - Splits `str` around matches of `regex`; limit > 0 caps the number of parts.',
  resolve(argTypes) {
    checkArity('split', argTypes, 2, 3);
    const types = argTypes.map((t, i) => coerce('split', i, t, i < 2 ? T.string : T.int));
    return sig(types, T.array(T.string, false));
  },
  row: (v) => sparkSplit(v[0] as string, v[1] as string, v.length > 2 ? (v[2] as number) : -1),
});

export const arrayFunctions: readonly ScalarFunctionDef[] = [
  arrayFn,
  arraySort,
  arraySubscript,
  get,
  elementAtFn('element_at', false),
  elementAtFn('try_element_at', true),
  size,
  pgArrayBound('array_lower', () => 1, 'The lower bound'),
  pgArrayBound('array_upper', (n) => n, 'The upper bound'),
  pgArrayBound('array_length', (n) => n, 'The length'),
  arrayContains,
  arrayPosition,
  arrayRemove,
  arraysOverlap,
  sortArray,
  arrayExtreme('array_min', false),
  arrayExtreme('array_max', true),
  arrayDistinct,
  arrayUnion,
  arrayIntersect,
  arrayExcept,
  arrayJoin,
  flatten,
  slice,
  arrayRepeat,
  arrayCompact,
  appendFn('array_append', false),
  appendFn('array_prepend', true),
  sequence,
  split,
];
