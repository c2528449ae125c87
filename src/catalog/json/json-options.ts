/**
 * JSON table options, named as Spark names them (keys are case-insensitive): `mode` (PERMISSIVE,
 * DROPMALFORMED, FAILFAST), `multiLine` (each file is one JSON value — an object or an array of
 * objects — instead of one object per line), `columnNameOfCorruptRecord` (the STRING column that
 * receives a malformed record's text, `_corrupt_record` by default), `compression` (`gzip` when
 * reading, inferred from `.gz` otherwise; files are written uncompressed) and `encoding` (UTF-8).
 * `dateFormat`/`timestampFormat` may only name the ISO forms the reader reads anyway (as for CSV).
 */
import { EngineError, SqlState, parseJsonMode, type JsonParseMode } from '../../common/index.ts';
import { checkDatetimeFormats } from '../csv/csv-datetime-parsers.ts';

export interface JsonOptions {
  readonly mode: JsonParseMode;
  readonly multiLine: boolean;
  readonly corruptColumn: string;
  /** `gzip` forces decompression; null infers it from the `.gz` extension. */
  readonly compression: 'gzip' | 'none' | null;
}

/** Spark's JSON timestamp formats (its default, and what it writes), which the reader reads. */
const JSON_TIMESTAMP_FORMATS: ReadonlySet<string> = new Set([
  "yyyy-MM-dd'T'HH:mm:ss[.SSS][XXX]",
  "yyyy-MM-dd'T'HH:mm:ss.SSSXXX",
]);

function bad(message: string): EngineError {
  return new EngineError(SqlState.invalidParameterValue, message);
}

export function parseJsonOptions(raw: Readonly<Record<string, string>>): JsonOptions {
  const o = new Map<string, string>();
  for (const [k, v] of Object.entries(raw)) o.set(k.toLowerCase(), v);
  const modeText = o.get('mode');
  if (modeText !== undefined && !/^(permissive|dropmalformed|failfast)$/i.test(modeText)) {
    throw bad(`JSON option "mode" must be PERMISSIVE, DROPMALFORMED or FAILFAST, got "${modeText}"`);
  }
  const multiLineText = (o.get('multiline') ?? 'false').toLowerCase();
  if (multiLineText !== 'true' && multiLineText !== 'false') {
    throw bad(`JSON option "multiLine" must be true or false, got "${o.get('multiline')}"`);
  }
  const encoding = (o.get('encoding') ?? o.get('charset') ?? 'utf-8').toLowerCase();
  if (encoding !== 'utf-8' && encoding !== 'utf8') {
    throw new EngineError(
      SqlState.featureNotSupported,
      `JSON encoding "${encoding}" is not supported (only UTF-8)`,
    );
  }
  const compressionText = (o.get('compression') ?? o.get('codec') ?? '').toLowerCase();
  let compression: JsonOptions['compression'];
  if (compressionText === '') compression = null;
  else if (compressionText === 'gzip' || compressionText === 'gz') compression = 'gzip';
  else if (compressionText === 'none' || compressionText === 'uncompressed') compression = 'none';
  else
    throw new EngineError(
      SqlState.featureNotSupported,
      `JSON compression "${compressionText}" is not supported`,
    );
  const timestampFormat = o.get('timestampformat') ?? null;
  try {
    checkDatetimeFormats(
      o.get('dateformat') ?? null,
      timestampFormat !== null && JSON_TIMESTAMP_FORMATS.has(timestampFormat) ? null : timestampFormat,
    );
  } catch (err) {
    if (err instanceof EngineError)
      throw new EngineError(err.sqlstate, err.message.replace(/^CSV /, 'JSON '));
    throw err;
  }
  return {
    mode: parseJsonMode(modeText),
    multiLine: multiLineText === 'true',
    corruptColumn: o.get('columnnameofcorruptrecord') ?? '_corrupt_record',
    compression,
  };
}
