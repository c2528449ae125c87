/**
 * JSON ↔ engine values, shared by `USING json` tables and the JSON functions (from_json, to_json):
 * a parsed JSON node read as a value of a Spark type, and a value written as JSON, with Spark's
 * rules (JacksonParser / JacksonGenerator with their default options).
 *
 * Reading: a JSON `null` is NULL for every type; integral types take integer numbers in range;
 * floating types take numbers and the strings `NaN`/`Infinity`/`-Infinity`/`INF`; decimals take
 * numbers (and numeric strings), rounded half-up to the scale, failing past the precision;
 * STRING takes a string's value, and any other JSON value as its compact text; dates and
 * timestamps take strings in Spark's default formats (a timestamp also an integer of seconds);
 * BINARY takes base64 strings; arrays, maps (string keys) and structs (fields by exact name,
 * missing ones NULL, unknown ones ignored) take arrays and objects. Anything else fails the value
 * (`JsonValueError`): the callers decide — NULL (PERMISSIVE) or an error (FAILFAST). A struct
 * keeps the fields that did convert (Spark's partial results) and reports that some did not.
 *
 * Writing: struct fields that are NULL are left out, dates are `yyyy-MM-dd`, timestamps
 * `yyyy-MM-dd'T'HH:mm:ss.SSSXXX` in the session's zone (NTZ without the offset), decimals their
 * plain digits, doubles as Java prints them (non-finite ones as strings), binary as base64.
 */
import { calendarIntervalToString, type CalendarInterval } from './calendar-interval.ts';
import { EngineError, SqlState } from './errors.ts';
import { doubleToString } from './double-text.ts';
import {
  JsonSyntaxError,
  jsonField,
  jsonNodeText,
  jsonQuote,
  parseJson,
  type JsonNode,
} from './json-text.ts';
import { formatTime, parseTime, truncateTime } from './time-of-day.ts';
import { intervalToSql, type DataType, type Field, type Value } from './types.ts';

/** What converting needs of the session and the options: date/time text rules, the time zone. */
export interface JsonValueRules {
  /** Days since the epoch of a date text, or null when it does not parse. */
  parseDate(text: string): number | null;
  /** Microseconds of a timestamp text (local to the session's zone unless it names one; as is for NTZ). */
  parseTimestamp(text: string, ntz: boolean): bigint | null;
  /** The session zone's offset from UTC, in seconds, at an instant. */
  offsetSeconds(utcMicros: bigint): number;
  /** The text of a date or timestamp where a `dateFormat`/`timestampFormat` option sets one. */
  formatDate?(days: number): string;
  formatTimestamp?(micros: bigint, ntz: boolean): string;
  /** Write NULL struct fields as `null` (the `ignoreNullFields` option false); left out by default. */
  readonly writeNullFields?: boolean;
}

/** A value that does not fit its type; `partial` is what could be read of a struct (or null). */
export class JsonValueError extends Error {
  readonly partial: Value;
  constructor(message: string, partial: Value = null) {
    super(message);
    this.partial = partial;
  }
}

const INT_RANGES: Readonly<Record<string, readonly [bigint, bigint]>> = {
  tinyint: [-128n, 127n],
  smallint: [-32768n, 32767n],
  int: [-2147483648n, 2147483647n],
  bigint: [-(1n << 63n), (1n << 63n) - 1n],
};

function mismatch(node: JsonNode, type: DataType): JsonValueError {
  return new JsonValueError(`cannot read ${jsonNodeText(node).slice(0, 100)} as ${type.kind}`);
}

/** A double of a JSON number's text or of Spark's non-numeric words. */
function doubleOf(text: string): number | null {
  switch (text) {
    case 'NaN':
      return NaN;
    case 'Infinity':
    case '+Infinity':
    case 'INF':
    case '+INF':
      return Infinity;
    case '-Infinity':
    case '-INF':
      return -Infinity;
    default: {
      if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(text.trim())) return null;
      return Number(text);
    }
  }
}

/** The unscaled value of a decimal text at `scale`, rounded half up; null when it is not a number. */
export function decimalUnscaled(text: string, scale: number): bigint | null {
  const m = /^([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/.exec(text.trim());
  if (m === null || (m[2] === '' && (m[3] ?? '') === '')) return null;
  const negative = m[1] === '-';
  const frac = m[3] ?? '';
  let digits = (m[2]! + frac).replace(/^0+(?=\d)/, '');
  // value = digits × 10^(exp − frac.length); shift to `scale` fractional digits
  const shift = Number(m[4] ?? 0) - frac.length + scale;
  if (Math.abs(shift) > 400) {
    if (shift < 0) return 0n;
    return null;
  }
  let unscaled: bigint;
  if (shift >= 0) unscaled = BigInt(digits + '0'.repeat(shift));
  else {
    const cut = -shift;
    digits = digits.padStart(cut + 1, '0');
    const kept = BigInt(digits.slice(0, digits.length - cut));
    const first = digits.charCodeAt(digits.length - cut) - 48;
    unscaled = first >= 5 ? kept + 1n : kept;
  }
  return negative ? -unscaled : unscaled;
}

function base64ToBytes(text: string): Uint8Array | null {
  const clean = text.replace(/[\r\n]/g, '');
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(clean) || clean.length % 4 === 1) return null;
  return new Uint8Array(Buffer.from(clean, 'base64'));
}

/** Reads `node` as a value of `type`; throws `JsonValueError` when it does not fit. */
export function jsonToValue(node: JsonNode, type: DataType, rules: JsonValueRules): Value {
  if (node.kind === 'null') return null;
  switch (type.kind) {
    case 'null':
      return null;
    case 'boolean':
      if (node.kind === 'boolean') return node.value;
      throw mismatch(node, type);
    case 'tinyint':
    case 'smallint':
    case 'int':
    case 'bigint': {
      if (node.kind !== 'number' || !node.integral) throw mismatch(node, type);
      const v = BigInt(node.text);
      const [lo, hi] = INT_RANGES[type.kind]!;
      if (v < lo || v > hi) throw mismatch(node, type);
      return type.kind === 'bigint' ? v : Number(v);
    }
    case 'float':
    case 'double': {
      let x: number | null = null;
      if (node.kind === 'number') x = doubleOf(node.text);
      else if (node.kind === 'string') {
        // Only the non-numeric words are read from strings.
        x = /^[+-]?(NaN|Infinity|INF)$/.test(node.value)
          ? doubleOf(node.value.replace(/^\+NaN$/, 'NaN'))
          : null;
      }
      if (x === null) throw mismatch(node, type);
      return type.kind === 'float' ? Math.fround(x) : x;
    }
    case 'decimal': {
      const text = node.kind === 'number' ? node.text : node.kind === 'string' ? node.value : null;
      const v = text === null ? null : decimalUnscaled(text, type.scale);
      if (v === null || (v < 0n ? -v : v) >= 10n ** BigInt(type.precision)) throw mismatch(node, type);
      return v;
    }
    case 'string':
      return node.kind === 'string' ? node.value : jsonNodeText(node);
    case 'binary': {
      const bytes = node.kind === 'string' ? base64ToBytes(node.value) : null;
      if (bytes === null) throw mismatch(node, type);
      return bytes;
    }
    case 'date': {
      const d = node.kind === 'string' ? rules.parseDate(node.value) : null;
      if (d === null) throw mismatch(node, type);
      return d;
    }
    case 'time': {
      const t = node.kind === 'string' ? parseTime(node.value) : undefined;
      if (t === undefined) throw mismatch(node, type);
      return truncateTime(t, type.precision);
    }
    case 'timestamp':
    case 'timestamp_ntz': {
      const ntz = type.kind === 'timestamp_ntz';
      if (node.kind === 'number' && node.integral && !ntz) return BigInt(node.text) * 1_000_000n;
      const t = node.kind === 'string' ? rules.parseTimestamp(node.value, ntz) : null;
      if (t === null) throw mismatch(node, type);
      return t;
    }
    case 'interval_year_month':
    case 'interval_day_time':
    case 'calendar_interval':
      throw mismatch(node, type);
    case 'array': {
      if (node.kind !== 'array') throw mismatch(node, type);
      return node.items.map((item) => jsonToValue(item, type.element, rules));
    }
    case 'map': {
      if (node.kind !== 'object') throw mismatch(node, type);
      const out = new Map<Value, Value>();
      for (const [k, v] of node.entries) out.set(k, jsonToValue(v, type.value, rules));
      return out;
    }
    case 'struct': {
      if (node.kind !== 'object') throw mismatch(node, type);
      return jsonToStruct(node, type.fields, rules);
    }
  }
}

/**
 * An object's fields as a struct of `fields` (but field `skip`, left NULL). A field that does not convert is NULL and the
 * struct is thrown as the `partial` result of a `JsonValueError` once every field was read.
 */
export function jsonToStruct(
  node: JsonNode & { kind: 'object' },
  fields: readonly Field[],
  rules: JsonValueRules,
  skip = -1,
): Value[] {
  const out: Value[] = new Array<Value>(fields.length).fill(null);
  let failure: JsonValueError | null = null;
  fields.forEach((f, i) => {
    const child = i === skip ? undefined : jsonField(node, f.name);
    if (child === undefined) return;
    try {
      out[i] = jsonToValue(child, f.type, rules);
    } catch (err) {
      if (!(err instanceof JsonValueError)) throw err;
      out[i] = err.partial;
      failure ??= err;
    }
  });
  if (failure !== null) throw new JsonValueError((failure as JsonValueError).message, out);
  return out;
}

// ---- writing ---------------------------------------------------------------------------------

function decimalText(unscaled: bigint, scale: number): string {
  const negative = unscaled < 0n;
  let digits = (negative ? -unscaled : unscaled).toString();
  if (scale > 0) {
    digits = digits.padStart(scale + 1, '0');
    digits = `${digits.slice(0, -scale)}.${digits.slice(-scale)}`;
  }
  return negative ? `-${digits}` : digits;
}

function pad(n: number, w: number): string {
  const s = String(Math.abs(n)).padStart(w, '0');
  return n < 0 ? `-${s}` : s;
}

/** Year, month, day of days since 1970-01-01 (proleptic Gregorian). */
function civil(days: number): [number, number, number] {
  const z = days + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor(
    (doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365,
  );
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const d = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const m = mp < 10 ? mp + 3 : mp - 9;
  return [yoe + era * 400 + (m <= 2 ? 1 : 0), m, d];
}

function dateText(days: number): string {
  const [y, m, d] = civil(days);
  return `${pad(y, 4)}-${pad(m, 2)}-${pad(d, 2)}`;
}

const MICROS_PER_DAY = 86_400_000_000n;

/** `yyyy-MM-dd'T'HH:mm:ss.SSS` of local microseconds. */
function localText(micros: bigint): string {
  let days = micros / MICROS_PER_DAY;
  let rem = micros % MICROS_PER_DAY;
  if (rem < 0n) {
    rem += MICROS_PER_DAY;
    days -= 1n;
  }
  const r = Number(rem);
  const h = Math.floor(r / 3600e6);
  const mi = Math.floor((r % 3600e6) / 60e6);
  const s = Math.floor((r % 60e6) / 1e6);
  const ms = Math.floor((r % 1e6) / 1e3);
  return `${dateText(Number(days))}T${pad(h, 2)}:${pad(mi, 2)}:${pad(s, 2)}.${pad(ms, 3)}`;
}

/** `Z` or `±hh:mm` (with `:ss` when the offset has seconds). */
function offsetText(seconds: number): string {
  if (seconds === 0) return 'Z';
  const sign = seconds < 0 ? '-' : '+';
  const a = Math.abs(seconds);
  const text = `${sign}${pad(Math.floor(a / 3600), 2)}:${pad(Math.floor((a % 3600) / 60), 2)}`;
  return a % 60 === 0 ? text : `${text}:${pad(a % 60, 2)}`;
}

/** The text of a map key, which JSON needs as a string (a struct or array key as `[v1,v2]`). */
function keyText(v: Value, type: DataType, rules: JsonValueRules): string {
  if (v === null) return 'null';
  if (type.kind === 'string') return v as string;
  if (type.kind === 'struct') {
    const values = v as readonly Value[];
    return `[${type.fields.map((f, i) => keyText(values[i] ?? null, f.type, rules)).join(',')}]`;
  }
  if (type.kind === 'array') {
    return `[${(v as readonly Value[]).map((x) => keyText(x, type.element, rules)).join(',')}]`;
  }
  const json = valueToJson(v, type, rules);
  return json.startsWith('"') ? (JSON.parse(json) as string) : json;
}

/** A value of `type` as JSON text (never NULL here: the caller writes `null` or leaves it out). */
export function valueToJson(v: Value, type: DataType, rules: JsonValueRules): string {
  if (v === null) return 'null';
  switch (type.kind) {
    case 'null':
      return 'null';
    case 'boolean':
      return v === true ? 'true' : 'false';
    case 'tinyint':
    case 'smallint':
    case 'int':
    case 'bigint':
      return (v as number | bigint).toString();
    case 'float':
    case 'double': {
      const x = v as number;
      const text = doubleToString(x, type.kind === 'float');
      return Number.isFinite(x) ? text : `"${text}"`;
    }
    case 'decimal':
      return decimalText(v as bigint, type.scale);
    case 'string':
      return jsonQuote(v as string);
    case 'binary':
      return `"${Buffer.from(v as Uint8Array).toString('base64')}"`;
    case 'date':
      return jsonQuote(rules.formatDate?.(v as number) ?? dateText(v as number));
    case 'timestamp': {
      const utc = v as bigint;
      if (rules.formatTimestamp !== undefined) return jsonQuote(rules.formatTimestamp(utc, false));
      const offset = rules.offsetSeconds(utc);
      return `"${localText(utc + BigInt(offset) * 1_000_000n)}${offsetText(offset)}"`;
    }
    case 'timestamp_ntz':
      return jsonQuote(rules.formatTimestamp?.(v as bigint, true) ?? localText(v as bigint));
    case 'time':
      return jsonQuote(formatTime(v as bigint));
    case 'interval_year_month':
    case 'interval_day_time':
      return jsonQuote(intervalToSql(v as number | bigint, type));
    case 'calendar_interval':
      return jsonQuote(calendarIntervalToString(v as CalendarInterval));
    case 'array':
      return `[${(v as readonly Value[]).map((x) => valueToJson(x, type.element, rules)).join(',')}]`;
    case 'map': {
      const parts: string[] = [];
      for (const [k, x] of v as ReadonlyMap<Value, Value>) {
        parts.push(`${jsonQuote(keyText(k, type.key, rules))}:${valueToJson(x, type.value, rules)}`);
      }
      return `{${parts.join(',')}}`;
    }
    case 'struct':
      return structToJson(v as readonly Value[], type.fields, rules);
  }
}

/** A struct (or a table row) as a JSON object; NULL fields are left out, as Spark writes them by default. */
export function structToJson(
  values: readonly Value[],
  fields: readonly Field[],
  rules: JsonValueRules,
): string {
  const parts: string[] = [];
  fields.forEach((f, i) => {
    const x = values[i] ?? null;
    if (x !== null || rules.writeNullFields === true) {
      parts.push(`${jsonQuote(f.name)}:${valueToJson(x, f.type, rules)}`);
    }
  });
  return `{${parts.join(',')}}`;
}

/** Types that JSON can hold in both directions (the interval types cannot be read back). */
export function jsonSupportsType(type: DataType): boolean {
  switch (type.kind) {
    case 'interval_day_time':
    case 'interval_year_month':
    case 'calendar_interval':
      return false;
    case 'array':
      return jsonSupportsType(type.element);
    case 'map':
      return type.key.kind === 'string' && jsonSupportsType(type.value);
    case 'struct':
      return type.fields.every((f) => jsonSupportsType(f.type));
    default:
      return true;
  }
}

/** The error of a field that JSON cannot hold, as Spark's data sources report it. */
export function unsupportedJsonType(column: string, typeName: string): EngineError {
  return new EngineError(
    SqlState.featureNotSupported,
    `[UNSUPPORTED_DATA_TYPE_FOR_DATASOURCE] The JSON datasource doesn't support the column \`${column}\` of the type "${typeName}".`,
  );
}

// ---- records ---------------------------------------------------------------------------------

/** Spark's parse modes for malformed records. */
export type JsonParseMode = 'PERMISSIVE' | 'FAILFAST' | 'DROPMALFORMED';

export interface JsonRecordOptions {
  readonly mode: JsonParseMode;
  /** Index among the fields of the STRING field that receives a malformed record's text, or -1. */
  readonly corruptField: number;
  /** Whether a record that is a JSON array gives one row per object in it (tables), or is malformed. */
  readonly arrayOfRows: boolean;
}

/** Spark's `mode` option (case-insensitive); an unknown mode is PERMISSIVE, as Spark takes it. */
export function parseJsonMode(raw: string | undefined): JsonParseMode {
  const mode = (raw ?? '').toUpperCase();
  return mode === 'FAILFAST' || mode === 'DROPMALFORMED' ? mode : 'PERMISSIVE';
}

/** MALFORMED_RECORD_IN_PARSING (22023): a malformed record in FAILFAST mode. */
export function malformedRecordError(record: string): EngineError {
  const shown = record.length > 200 ? `${record.slice(0, 200)}…` : record;
  return new EngineError(
    SqlState.invalidParameterValue,
    `[MALFORMED_RECORD_IN_PARSING.WITHOUT_SUGGESTION] Malformed records are detected in record parsing: ${shown}. ` +
      "Parse Mode: FAILFAST. To process malformed records as null result, try setting the option 'mode' as 'PERMISSIVE'.",
  );
}

/**
 * The rows of one JSON record (a line of a table's file, or from_json's text) read as structs of
 * `fields`: none for blank text, one for an object, one per object of an array when
 * `arrayOfRows`. A malformed record (not JSON, not an object, or a field that does not fit its
 * type) fails in FAILFAST mode, is dropped in DROPMALFORMED mode, and in PERMISSIVE mode gives the
 * fields that did convert, NULL for the others, and the record's text in the corrupt-record field.
 */
export function jsonRecordRows(
  text: string,
  fields: readonly Field[],
  options: JsonRecordOptions,
  rules: JsonValueRules,
): Value[][] {
  const malformed = (partial: Value): Value[][] => {
    if (options.mode === 'FAILFAST') throw malformedRecordError(text);
    if (options.mode === 'DROPMALFORMED') return [];
    const row = Array.isArray(partial)
      ? [...(partial as Value[])]
      : new Array<Value>(fields.length).fill(null);
    if (options.corruptField >= 0) row[options.corruptField] = text;
    return [row];
  };
  let node: JsonNode | null;
  try {
    node = parseJson(text);
  } catch (err) {
    if (err instanceof JsonSyntaxError) return malformed(null);
    throw err;
  }
  if (node === null) return [];
  const objects =
    node.kind === 'object' ? [node] : node.kind === 'array' && options.arrayOfRows ? node.items : null;
  if (objects === null) return malformed(null);
  const rows: Value[][] = [];
  for (const o of objects) {
    if (o.kind !== 'object') return malformed(null);
    try {
      rows.push(jsonToStruct(o, fields, rules, options.corruptField));
    } catch (err) {
      if (err instanceof JsonValueError) return malformed(err.partial);
      throw err;
    }
  }
  return rows;
}
