/**
 * CSV reader options, named as Spark names them (keys are case-insensitive): `sep`/`delimiter`,
 * `header`, `nullValue`, `emptyValue`, `quote`, `escape`, `dateFormat`, `timestampFormat`, `mode`,
 * `encoding`, `compression`, `multiLine`, `nanValue`, `positiveInf`, `negativeInf`.
 */
import { EngineError, SqlState } from '../../common/index.ts';
import { utf8 } from '../../common/index.ts';

export type ParseMode = 'PERMISSIVE' | 'DROPMALFORMED' | 'FAILFAST';

export interface CsvOptions {
  /** Field separator byte. */
  readonly sep: number;
  readonly header: boolean;
  /** A field whose text equals this is NULL (an empty unquoted field is NULL regardless). */
  readonly nullValue: Uint8Array;
  /** The value of a quoted empty field (`""`) for string columns. */
  readonly emptyValue: Uint8Array;
  /** Quote byte, or -1 for none. */
  readonly quote: number;
  /** Escape byte inside quoted fields, or -1 for none. */
  readonly escape: number;
  readonly mode: ParseMode;
  readonly dateFormat: string | null;
  readonly timestampFormat: string | null;
  /** Records may span lines (quoted newlines): files are then never split into byte ranges. */
  readonly multiLine: boolean;
  readonly nanValue: string;
  readonly positiveInf: string;
  readonly negativeInf: string;
  /** `gzip` forces decompression; null infers it from the `.gz` extension. */
  readonly compression: 'gzip' | 'none' | null;
}

function bad(message: string): EngineError {
  return new EngineError(SqlState.invalidParameterValue, message);
}

function singleByte(name: string, value: string, allowEmpty: boolean): number {
  if (value === '') {
    if (allowEmpty) return -1;
    throw bad(`CSV option "${name}" must not be empty`);
  }
  let v = value;
  if (v === '\\t') v = '\t';
  const bytes = utf8.encoder.encode(v);
  if (bytes.length !== 1) throw bad(`CSV option "${name}" must be a single ASCII character, got "${value}"`);
  return bytes[0]!;
}

function bool(name: string, value: string | undefined, dflt: boolean): boolean {
  if (value === undefined) return dflt;
  const v = value.toLowerCase();
  if (v === 'true') return true;
  if (v === 'false') return false;
  throw bad(`CSV option "${name}" must be true or false, got "${value}"`);
}

export function parseCsvOptions(raw: Readonly<Record<string, string>>): CsvOptions {
  const o = new Map<string, string>();
  for (const [k, v] of Object.entries(raw)) o.set(k.toLowerCase(), v);
  const sepText = o.get('sep') ?? o.get('delimiter') ?? o.get('field.delim') ?? ',';
  const modeText = (o.get('mode') ?? 'PERMISSIVE').toUpperCase();
  if (modeText !== 'PERMISSIVE' && modeText !== 'DROPMALFORMED' && modeText !== 'FAILFAST') {
    throw bad(`CSV option "mode" must be PERMISSIVE, DROPMALFORMED or FAILFAST, got "${o.get('mode')}"`);
  }
  const encoding = (o.get('encoding') ?? o.get('charset') ?? 'utf-8').toLowerCase();
  if (encoding !== 'utf-8' && encoding !== 'utf8') {
    throw new EngineError(
      SqlState.featureNotSupported,
      `CSV encoding "${encoding}" is not supported (only UTF-8)`,
    );
  }
  const compressionText = (o.get('compression') ?? o.get('codec') ?? '').toLowerCase();
  let compression: CsvOptions['compression'];
  if (compressionText === '') compression = null;
  else if (compressionText === 'gzip' || compressionText === 'gz') compression = 'gzip';
  else if (compressionText === 'none' || compressionText === 'uncompressed') compression = 'none';
  else
    throw new EngineError(
      SqlState.featureNotSupported,
      `CSV compression "${compressionText}" is not supported`,
    );
  return {
    sep: singleByte('sep', sepText, false),
    header: bool('header', o.get('header'), false),
    nullValue: utf8.encoder.encode(o.get('nullvalue') ?? ''),
    emptyValue: utf8.encoder.encode(o.get('emptyvalue') ?? ''),
    quote: singleByte('quote', o.get('quote') ?? '"', true),
    escape: singleByte('escape', o.get('escape') ?? '\\', true),
    mode: modeText,
    dateFormat: o.get('dateformat') ?? null,
    timestampFormat: o.get('timestampformat') ?? null,
    multiLine: bool('multiLine', o.get('multiline'), false),
    nanValue: o.get('nanvalue') ?? 'NaN',
    positiveInf: o.get('positiveinf') ?? 'Inf',
    negativeInf: o.get('negativeinf') ?? '-Inf',
    compression,
  };
}
