/**
 * Session settings: the one place where configuration keys are known, defaulted, validated and read.
 *
 * Spark keys (`spark.sql.ansi.enabled`, `spark.sql.session.timeZone`, …), Kindling's own
 * (`kindling.*`), and the PostgreSQL parameters that clients set and read (`application_name`,
 * `TimeZone`, `DateStyle`, …). PostgreSQL names are aliases where a Spark key means the same thing
 * (`TimeZone` ↔ `spark.sql.session.timeZone`). Unknown keys are accepted and stored, as Spark does
 * with `SET`, so that client start-up scripts never fail — except where Spark 4 refuses them: its
 * static SQL configurations and its core (non-SQL) configurations (46110 CANNOT_MODIFY_STATIC_CONFIG /
 * CANNOT_MODIFY_CONFIG). Kindling's own namespace is closed: an unknown `kindling.*` key is a typo,
 * refused naming the keys closest to it, and the settings of the whole process (`kindling serve
 * --conf`) cannot be SET.
 */
import { availableParallelism } from 'node:os';
import { EngineError, SqlState } from '../common/index.ts';
import {
  CLUSTER_SETTING_KEYS,
  UNLIMITED,
  defaultMemoryLimit,
  parseClusterSettings,
  parseMaster,
  type ClusterSettings,
  type Master,
} from '../exec/index.ts';
import { ruleNames } from '../optimizer/index.ts';
import type { ParseOptions } from '../sql/parser/index.ts';
import { parseAllowedPaths } from './allowed-paths.ts';
import { formatMilliseconds, parseMilliseconds } from './duration-setting.ts';

interface SettingDef {
  readonly key: string;
  readonly default: () => string;
  readonly description: string;
  /** Normalizes a value or throws 22023 naming the key. */
  readonly validate?: (value: string) => string;
  /** Reported to PostgreSQL clients in ParameterStatus under this name. */
  readonly pgName?: string;
}

function booleanSetting(key: string, value: string): string {
  const v = value.trim().toLowerCase();
  if (v === 'true' || v === 'on' || v === '1' || v === 'yes') return 'true';
  if (v === 'false' || v === 'off' || v === '0' || v === 'no') return 'false';
  throw new EngineError(
    SqlState.invalidParameterValue,
    `invalid value for boolean setting ${key}: '${value}'`,
  );
}

function positiveInt(key: string, max: number): (value: string) => string {
  return (value) => {
    const n = Number(value.trim());
    if (!Number.isInteger(n) || n < 1 || n > max) {
      throw new EngineError(
        SqlState.invalidParameterValue,
        `invalid value for ${key}: '${value}' (expected an integer from 1 to ${max})`,
      );
    }
    return String(n);
  };
}

const SIZE_UNITS: Readonly<Record<string, number>> = {
  '': 1,
  b: 1,
  k: 1024,
  kb: 1024,
  m: 1024 ** 2,
  mb: 1024 ** 2,
  g: 1024 ** 3,
  gb: 1024 ** 3,
  t: 1024 ** 4,
  tb: 1024 ** 4,
};

/** A byte size as Spark writes them: `1048576`, `512k`, `10MB`, `2g` (binary units); -1 when allowed. */
export function parseByteSize(value: string): number | null {
  const m = /^\s*(-1|\d+(?:\.\d+)?)\s*([a-z]*)\s*$/i.exec(value);
  if (m === null) return null;
  if (m[1] === '-1') return m[2] === '' ? -1 : null;
  const unit = SIZE_UNITS[m[2]!.toLowerCase()];
  if (unit === undefined) return null;
  const n = Math.floor(Number(m[1]) * unit);
  return Number.isSafeInteger(n) ? n : null;
}

function byteSize(key: string, allowNegativeOne: boolean): (value: string) => string {
  return (value) => {
    const n = parseByteSize(value);
    if (n === null || (n < 0 && !allowNegativeOne) || n > UNLIMITED) {
      throw new EngineError(
        SqlState.invalidParameterValue,
        `invalid value for ${key}: '${value}' (expected a size such as '10MB', '512k' or a number of bytes${allowNegativeOne ? ', or -1' : ''})`,
      );
    }
    return String(n);
  };
}

function timeZoneSetting(value: string): string {
  let v = value.trim();
  if (v.toUpperCase() === 'LOCAL' || v.toUpperCase() === 'DEFAULT') v = defaultTimeZone();
  if (/^(z|utc|gmt)$/i.test(v)) return 'UTC';
  const offset = /^([+-])(\d{1,2})(?::?(\d{2}))?$/.exec(v);
  if (offset !== null) {
    const h = Number(offset[2]);
    const m = Number(offset[3] ?? '0');
    if (h > 18 || m > 59)
      throw new EngineError(SqlState.invalidParameterValue, `invalid time zone: '${value}'`);
    return `${offset[1]}${String(h).padStart(2, '0')}:${String(m).padStart(2, '0')}`;
  }
  try {
    return new Intl.DateTimeFormat('en-US', { timeZone: v }).resolvedOptions().timeZone;
  } catch {
    throw new EngineError(SqlState.invalidParameterValue, `invalid time zone: '${value}'`, {
      hint: "use a region name such as 'Europe/Paris', 'UTC', or an offset such as '+02:00'",
    });
  }
}

/** The last answer of `defaultTimeZone`, for the `TZ` it was computed under. */
let knownDefaultZone: { readonly tz: string | undefined; readonly zone: string } | null = null;

/**
 * The process's time zone: `TZ`'s, else the system's. Remembered for as long as `TZ` does not
 * change (resolving it through Intl is costly, and every statement asks for it).
 */
export function defaultTimeZone(): string {
  const tz = process.env.TZ;
  if (knownDefaultZone !== null && knownDefaultZone.tz === tz) return knownDefaultZone.zone;
  let zone: string;
  if (tz !== undefined && tz !== '') {
    try {
      zone = new Intl.DateTimeFormat('en-US', { timeZone: tz }).resolvedOptions().timeZone;
    } catch {
      zone = 'UTC';
    }
  } else {
    zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  }
  knownDefaultZone = { tz, zone };
  return zone;
}

const DEFS: readonly SettingDef[] = [
  {
    key: 'spark.sql.ansi.enabled',
    default: () => 'true',
    description: 'ANSI mode: errors instead of NULLs on overflow, invalid casts and division by zero.',
    validate: (v) => booleanSetting('spark.sql.ansi.enabled', v),
  },
  {
    key: 'spark.sql.ansi.doubleQuotedIdentifiers',
    default: () => 'false',
    description:
      'Whether "…" quotes an identifier (as in PostgreSQL) rather than a string literal. The PostgreSQL wire server turns it on for its sessions.',
    validate: (v) => booleanSetting('spark.sql.ansi.doubleQuotedIdentifiers', v),
  },
  {
    key: 'spark.sql.session.timeZone',
    default: defaultTimeZone,
    description: 'The session time zone for TIMESTAMP values.',
    validate: timeZoneSetting,
    pgName: 'TimeZone',
  },
  {
    key: 'spark.sql.caseSensitive',
    default: () => 'false',
    description: 'Whether identifiers are case-sensitive (only false is supported).',
    validate: (v) => {
      const b = booleanSetting('spark.sql.caseSensitive', v);
      if (b === 'true')
        throw new EngineError(SqlState.featureNotSupported, 'spark.sql.caseSensitive=true is not supported');
      return b;
    },
  },
  {
    key: 'spark.sql.groupByOrdinal',
    default: () => 'true',
    description: 'Whether an integer in GROUP BY is the position of a select item (else a constant).',
    validate: (v) => booleanSetting('spark.sql.groupByOrdinal', v),
  },
  {
    key: 'spark.sql.legacy.interval.enabled',
    default: () => 'false',
    description:
      'Whether interval literals are calendar intervals (months, days and microseconds, units of both kinds mixed) rather than ANSI year-month or day-time intervals.',
    validate: (v) => booleanSetting('spark.sql.legacy.interval.enabled', v),
  },
  {
    key: 'spark.sql.groupByAliases',
    default: () => 'true',
    description: "Whether GROUP BY may name the select list's aliases.",
    validate: (v) => booleanSetting('spark.sql.groupByAliases', v),
  },
  {
    key: 'spark.sql.orderByOrdinal',
    default: () => 'true',
    description: 'Whether an integer in ORDER BY is the position of a select item (else a constant).',
    validate: (v) => booleanSetting('spark.sql.orderByOrdinal', v),
  },
  {
    key: 'spark.sql.shuffle.partitions',
    default: () => String(availableParallelism()),
    description: 'The number of partitions of shuffles (joins, aggregations).',
    validate: positiveInt('spark.sql.shuffle.partitions', 4096),
  },
  {
    key: 'spark.sql.cteRecursionLevelLimit',
    default: () => '100',
    description: 'How many iterations a WITH RECURSIVE query may run before it fails.',
    validate: positiveInt('spark.sql.cteRecursionLevelLimit', 1_000_000),
  },
  {
    key: 'kindling.execution.batch_size',
    default: () => '16384',
    description: 'Target rows per record batch.',
    validate: positiveInt('kindling.execution.batch_size', 1 << 20),
  },
  {
    key: 'kindling.execution.target_partitions',
    default: () => String(availableParallelism()),
    description: 'How many partitions scans aim for (one per core by default).',
    validate: positiveInt('kindling.execution.target_partitions', 4096),
  },
  {
    key: 'kindling.memory.query_limit',
    default: () => String(defaultMemoryLimit()),
    description:
      "Bytes one query may hold in hash tables, sort buffers, aggregate states and exchange buffers ('256MB', '2GB'); over it, operators that can spill write to kindling.local.dir, and what cannot spill fails with 53200.",
    validate: byteSize('kindling.memory.query_limit', false),
  },
  {
    key: 'spark.sql.autoBroadcastJoinThreshold',
    default: () => String(10 * 1024 * 1024),
    description:
      "A join side estimated at most this size is broadcast to every task ('10MB'); -1 never broadcasts.",
    validate: byteSize('spark.sql.autoBroadcastJoinThreshold', true),
  },
  {
    key: 'kindling.execution.inline_tiny_queries',
    default: () => 'true',
    description:
      "Whether queries over a few literal rows (the catalogs included) run in the session's thread instead of on the executors; a table's files are always read on the executors.",
    validate: (v) => booleanSetting('kindling.execution.inline_tiny_queries', v),
  },
  {
    key: 'kindling.execution.runtime_key_filter',
    default: () => 'true',
    description:
      "Whether the probe side of a partitioned hash join far larger than its build side is read only for the build side's keys, after the build side is computed.",
    validate: (v) => booleanSetting('kindling.execution.runtime_key_filter', v),
  },
  {
    key: 'spark.task.maxFailures',
    default: () => '4',
    description: 'Attempts of a task whose executor was lost before the query fails.',
    validate: positiveInt('spark.task.maxFailures', 100),
  },
  {
    key: 'kindling.optimizer.disabled_rules',
    default: () => '',
    description: 'Comma-separated optimizer rule names to skip (see EXPLAIN VERBOSE).',
    validate: (value) => {
      const names = value
        .split(',')
        .map((s) => s.trim().toLowerCase())
        .filter((s) => s !== '');
      const unknown = names.filter((n) => !ruleNames.includes(n));
      if (unknown.length > 0) {
        throw new EngineError(
          SqlState.invalidParameterValue,
          `unknown optimizer rule ${unknown.map((n) => `'${n}'`).join(', ')} in kindling.optimizer.disabled_rules`,
          { hint: `the rules are: ${ruleNames.join(', ')}` },
        );
      }
      return names.join(',');
    },
  },
  {
    key: 'kindling.optimizer.max_passes',
    default: () => '20',
    description: 'The optimizer stops after this many passes over its rules.',
    validate: positiveInt('kindling.optimizer.max_passes', 1000),
  },
  {
    key: 'application_name',
    default: () => '',
    description: 'The client application name.',
    pgName: 'application_name',
  },
  {
    key: 'DateStyle',
    default: () => 'ISO, MDY',
    description: 'PostgreSQL date output style.',
    pgName: 'DateStyle',
  },
  {
    key: 'IntervalStyle',
    default: () => 'postgres',
    description: 'PostgreSQL interval output style.',
    pgName: 'IntervalStyle',
  },
  {
    key: 'client_encoding',
    default: () => 'UTF8',
    description: 'Client encoding (UTF8 only).',
    pgName: 'client_encoding',
  },
  { key: 'search_path', default: () => '"$user", public', description: 'PostgreSQL schema search path.' },
  { key: 'extra_float_digits', default: () => '1', description: 'PostgreSQL float output precision.' },
  {
    key: 'statement_timeout',
    default: () => '0',
    description:
      "Cancels a statement that runs longer than this (milliseconds, or with a unit: '5s', '1min'; 0 = no limit).",
    validate: (v) => formatMilliseconds(parseMilliseconds('statement_timeout', v)),
  },
  {
    key: 'transaction_isolation',
    default: () => 'read committed',
    description: 'Reported transaction isolation.',
  },
  {
    key: 'standard_conforming_strings',
    default: () => 'on',
    description: 'PostgreSQL string literal escaping.',
  },
  { key: 'max_identifier_length', default: () => '63', description: 'PostgreSQL identifier length limit.' },
  {
    key: 'server_version',
    default: () => '16.4',
    description: 'The PostgreSQL version reported to clients.',
  },
  { key: 'server_version_num', default: () => '160004', description: 'The PostgreSQL version number.' },
];

const BY_KEY = new Map<string, SettingDef>();
for (const d of DEFS) {
  BY_KEY.set(d.key.toLowerCase(), d);
  if (d.pgName !== undefined) BY_KEY.set(d.pgName.toLowerCase(), d);
}
BY_KEY.set('timezone', BY_KEY.get('spark.sql.session.timezone')!);

/**
 * Spark's static SQL configurations: fixed when its session starts, refused by SET with
 * CANNOT_MODIFY_STATIC_CONFIG.
 */
const STATIC_SPARK_CONFIGS: ReadonlySet<string> = new Set(
  [
    'spark.sql.warehouse.dir',
    'spark.sql.catalogImplementation',
    'spark.sql.extensions',
    'spark.sql.globalTempDatabase',
    'spark.sql.queryExecutionListeners',
    'spark.sql.streaming.streamingQueryListeners',
    'spark.sql.streaming.ui.enabled',
    'spark.sql.ui.retainedExecutions',
    'spark.sql.event.truncate.length',
    'spark.sql.cache.serializer',
    'spark.sql.codegen.cache.maxEntries',
    'spark.sql.filesourceTableRelationCacheSize',
    'spark.sql.sources.schemaStringLengthThreshold',
    'spark.sql.broadcastExchange.maxThreadThreshold',
    'spark.sql.subquery.maxThreadThreshold',
    'spark.sql.metadataCacheTTLSeconds',
    'spark.sql.hive.metastore.version',
    'spark.sql.hive.metastore.jars',
    'spark.sql.hive.metastore.jars.path',
    'spark.sql.hive.metastore.sharedPrefixes',
    'spark.sql.hive.metastore.barrierPrefixes',
    'spark.sql.hive.thriftServer.singleSession',
    'spark.sql.legacy.sessionInitWithConfigDefaults',
    'spark.sql.defaultUrlStreamHandlerFactory.enabled',
  ].map((k) => k.toLowerCase()),
);

/**
 * Configurations of Spark's core rather than its SQL engine, which Spark's SET refuses with
 * CANNOT_MODIFY_CONFIG (`spark.sql.legacy.setCommandRejectsSparkCoreConfs`). `spark.task.maxFailures`
 * is one too, but Kindling lets a session set it.
 */
const SPARK_CORE_CONFIGS: ReadonlySet<string> = new Set(
  [
    'spark.master',
    'spark.submit.deployMode',
    'spark.app.name',
    'spark.driver.memory',
    'spark.driver.cores',
    'spark.driver.maxResultSize',
    'spark.driver.host',
    'spark.driver.port',
    'spark.executor.memory',
    'spark.executor.cores',
    'spark.executor.instances',
    'spark.executor.memoryOverhead',
    'spark.memory.fraction',
    'spark.memory.storageFraction',
    'spark.memory.offHeap.enabled',
    'spark.memory.offHeap.size',
    'spark.default.parallelism',
    'spark.local.dir',
    'spark.serializer',
    'spark.dynamicAllocation.enabled',
    'spark.eventLog.enabled',
    'spark.eventLog.dir',
    'spark.ui.enabled',
    'spark.ui.port',
  ].map((k) => k.toLowerCase()),
);

/** Kindling's settings of the whole process (`kindling serve --conf`, see `splitProcessSettings`). */
const PROCESS_KEYS: readonly string[] = [
  'kindling.executor.threads',
  'kindling.master',
  'kindling.nats.url',
  'kindling.memory.limit',
  'kindling.local.dir',
  'kindling.sql.allowed_paths',
  'kindling.log.min_duration_statement',
  ...CLUSTER_SETTING_KEYS,
];

/** Edit distance between two keys (insertions, deletions, substitutions). */
function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      cur.push(Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1)));
    }
    prev = cur;
  }
  return prev[b.length]!;
}

/**
 * Kindling's keys close to `key` — up to three within a few edits of it (or of its last part) —
 * or all of them when none is.
 */
function closestKindlingKeys(key: string): { readonly near: boolean; readonly keys: string[] } {
  const known = [...DEFS.map((d) => d.key).filter((k) => k.startsWith('kindling.')), ...PROCESS_KEYS];
  const lower = key.toLowerCase();
  const last = lower.slice(lower.lastIndexOf('.') + 1);
  const ranked = known
    .map((k) => ({
      k,
      d: Math.min(editDistance(lower, k), editDistance(last, k.slice(k.lastIndexOf('.') + 1)) + 3),
    }))
    .sort((a, b) => a.d - b.d || (a.k < b.k ? -1 : 1));
  const near = ranked.filter((x) => x.d <= Math.max(3, Math.floor(lower.length / 4))).slice(0, 3);
  if (near.length > 0) return { near: true, keys: near.map((x) => x.k) };
  return { near: false, keys: ranked.map((x) => x.k).sort() };
}

/**
 * Refuses a SET of `key`, which no setting defines, where Spark refuses it or where Kindling does
 * (its own namespace); other keys are stored as they are.
 */
function checkUnknownKey(key: string): void {
  const lower = key.toLowerCase();
  if (STATIC_SPARK_CONFIGS.has(lower) || PROCESS_KEYS.includes(lower)) {
    throw new EngineError(
      SqlState.cannotModifyConfig,
      `[CANNOT_MODIFY_STATIC_CONFIG] Cannot modify the value of the static Spark config: "${key}".`,
      PROCESS_KEYS.includes(lower)
        ? { hint: 'It is fixed when the server starts: kindling serve --conf key=value.' }
        : {},
    );
  }
  if (SPARK_CORE_CONFIGS.has(lower)) {
    throw new EngineError(
      SqlState.cannotModifyConfig,
      `[CANNOT_MODIFY_CONFIG] Cannot modify the value of the Spark config: "${key}".\n` +
        "See also 'https://spark.apache.org/docs/latest/sql-migration-guide.html#ddl-statements'.",
    );
  }
  if (lower.startsWith('kindling.')) {
    const close = closestKindlingKeys(key);
    throw new EngineError(
      SqlState.sqlConfNotFound,
      `[SQL_CONF_NOT_FOUND] The SQL config "${key}" cannot be found. Please verify that the config exists. ` +
        `${close.near ? 'Did you mean' : "Kindling's settings are"} ${close.keys.join(', ')}${close.near ? '?' : '.'}`,
    );
  }
}

export interface SettingChange {
  readonly key: string;
  readonly value: string;
  /** The PostgreSQL parameter name to report, when the setting is one. */
  readonly pgName: string | undefined;
}

/**
 * Checks server-wide defaults for new sessions (`kindling serve --conf key=value`): unlike SET, every
 * key must be a known setting. Returns the values normalized, by canonical key.
 */
/**
 * Settings of the whole process, fixed when it starts (`kindling serve --conf key=value`), which
 * no session can change: the executor threads and the memory all queries share.
 */
export interface ProcessSettings {
  readonly executorThreads?: number;
  readonly memoryLimit?: number;
  readonly allowedPaths?: readonly string[];
  /** `kindling.local.dir`: where operators spill. */
  readonly localDir?: string;
  /** `kindling.master`: where the executors are (local[N], process[N], k8s://…, nats://…). */
  readonly master?: Master;
  /** `kindling.nats.url`: the NATS server of process[N]'s control plane. */
  readonly natsUrl?: string;
  /** `kindling.executor.*` and `kindling.kubernetes.*`: the executors and their pods. */
  readonly cluster?: ClusterSettings;
}

/** Settings of the server process (`kindling serve --conf`) that the engine does not read. */
export interface ServerProcessSettings {
  /**
   * `kindling.log.min_duration_statement` (alias `log_min_duration_statement`), as PostgreSQL's: the
   * server logs statements that ran at least this many milliseconds; 0 all, -1 none.
   */
  readonly logMinDurationStatementMs?: number;
}

/**
 * A `log_min_duration_statement` value: -1 (off), or a duration as `statement_timeout` takes them
 * (`250`, `'250ms'`, `'1s'`).
 */
function logMinDuration(key: string, value: string): number {
  if (value.trim() === '-1') return -1;
  if (value.trim().startsWith('-')) {
    throw new EngineError(
      SqlState.invalidParameterValue,
      `invalid value for parameter "${key}": "${value}"`,
      {
        hint: 'Use -1 to log no durations, 0 to log every statement, or a duration such as 250ms.',
      },
    );
  }
  return parseMilliseconds(key, value);
}

/**
 * Splits `--conf` values into the process's settings, the server's and session defaults (validated
 * by `validateSettingDefaults` when the engine starts): `kindling.executor.threads` (1–256),
 * `kindling.memory.limit` (a size), `kindling.local.dir` (a folder) and `kindling.sql.allowed_paths`
 * (folders, comma-separated) go to the process, `kindling.log.min_duration_statement` to the server.
 */
export function splitProcessSettings(conf: Readonly<Record<string, string>>): {
  process: ProcessSettings;
  server: ServerProcessSettings;
  sessionDefaults: Record<string, string>;
} {
  const sessionDefaults: Record<string, string> = {};
  let executorThreads: number | undefined;
  let memoryLimit: number | undefined;
  let allowedPaths: string[] | undefined;
  let localDir: string | undefined;
  let master: Master | undefined;
  let natsUrl: string | undefined;
  const clusterConf: Record<string, string> = {};
  let logMinDurationStatementMs: number | undefined;
  for (const [key, value] of Object.entries(conf)) {
    const k = key.toLowerCase();
    if (k === 'kindling.log.min_duration_statement' || k === 'log_min_duration_statement') {
      logMinDurationStatementMs = logMinDuration(key, value);
    } else if (k === 'kindling.sql.allowed_paths') {
      allowedPaths = parseAllowedPaths(value);
    } else if (k === 'kindling.executor.threads') {
      executorThreads = Number(positiveInt('kindling.executor.threads', 256)(value));
    } else if (CLUSTER_SETTING_KEYS.includes(k)) {
      clusterConf[key] = value;
    } else if (k === 'kindling.master') {
      master = parseMaster(value);
    } else if (k === 'kindling.nats.url') {
      const m = parseMaster(value);
      if (m.kind !== 'nats') {
        throw new EngineError(SqlState.invalidParameterValue, 'kindling.nats.url must be nats://host:port');
      }
      natsUrl = m.servers;
    } else if (k === 'kindling.memory.limit') {
      memoryLimit = Number(byteSize('kindling.memory.limit', false)(value));
    } else if (k === 'kindling.local.dir') {
      if (value.trim() === '') {
        throw new EngineError(SqlState.invalidParameterValue, 'kindling.local.dir must name a folder');
      }
      localDir = value.trim();
    } else {
      sessionDefaults[key] = value;
    }
  }
  return {
    process: {
      ...(executorThreads === undefined ? {} : { executorThreads }),
      ...(memoryLimit === undefined ? {} : { memoryLimit }),
      ...(allowedPaths === undefined ? {} : { allowedPaths }),
      ...(localDir === undefined ? {} : { localDir }),
      ...(master === undefined ? {} : { master }),
      ...(natsUrl === undefined ? {} : { natsUrl }),
      ...(Object.keys(clusterConf).length === 0
        ? {}
        : { cluster: parseClusterSettings(clusterConf, parseByteSize) }),
    },
    server: logMinDurationStatementMs === undefined ? {} : { logMinDurationStatementMs },
    sessionDefaults,
  };
}

export function validateSettingDefaults(values: Readonly<Record<string, string>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(values)) {
    const def = BY_KEY.get(key.toLowerCase());
    if (def === undefined) {
      throw new EngineError(SqlState.undefinedObject, `unrecognized configuration parameter "${key}"`);
    }
    out[def.key] = def.validate === undefined ? value : def.validate(value);
  }
  return out;
}

export class Settings {
  /**
   * What the session started with and RESET returns to (server-wide defaults and start-up options),
   * over the built-in defaults; `values` and `unknown` hold what SET changed since.
   */
  private readonly baseline = new Map<string, string>();
  private readonly baselineUnknown = new Map<string, { key: string; value: string }>();
  private readonly values = new Map<string, string>();
  private readonly unknown = new Map<string, { key: string; value: string }>();

  /** `initial` values are validated like SET and become the session's baseline. */
  constructor(initial: Readonly<Record<string, string>> = {}) {
    for (const [k, v] of Object.entries(initial)) this.set(k, v);
    for (const [k, v] of this.values) this.baseline.set(k, v);
    for (const [k, v] of this.unknown) this.baselineUnknown.set(k, v);
    this.values.clear();
    this.unknown.clear();
  }

  /** Sets a value (validated), returning the change for ParameterStatus reporting. */
  set(key: string, value: string): SettingChange {
    const def = BY_KEY.get(key.toLowerCase());
    if (def === undefined) {
      checkUnknownKey(key);
      this.unknown.set(key.toLowerCase(), { key, value });
      return { key, value, pgName: undefined };
    }
    const v = def.validate === undefined ? value : def.validate(value);
    this.values.set(def.key, v);
    return { key: def.key, value: v, pgName: def.pgName };
  }

  /** Restores the value the session started with (RESET key). */
  reset(key: string): SettingChange {
    const def = BY_KEY.get(key.toLowerCase());
    if (def === undefined) {
      this.unknown.delete(key.toLowerCase());
      return { key, value: this.baselineUnknown.get(key.toLowerCase())?.value ?? '', pgName: undefined };
    }
    this.values.delete(def.key);
    return { key: def.key, value: this.base(def), pgName: def.pgName };
  }

  resetAll(): void {
    this.values.clear();
    this.unknown.clear();
  }

  /** The value of a known or previously set key; undefined when neither. */
  get(key: string): string | undefined {
    const def = BY_KEY.get(key.toLowerCase());
    if (def !== undefined) return this.values.get(def.key) ?? this.base(def);
    const k = key.toLowerCase();
    return (this.unknown.get(k) ?? this.baselineUnknown.get(k))?.value;
  }

  /** Every known setting plus the unknown ones that were set: (key, value, description). */
  list(): { key: string; value: string; description: string }[] {
    const out = DEFS.map((d) => ({
      key: d.key,
      value: this.values.get(d.key) ?? this.base(d),
      description: d.description,
    }));
    const unknown = new Map([...this.baselineUnknown, ...this.unknown]);
    for (const { key, value } of unknown.values()) out.push({ key, value, description: '' });
    return out.sort((a, b) => a.key.localeCompare(b.key));
  }

  /** PostgreSQL parameters to report at start-up. */
  reported(): { name: string; value: string }[] {
    return DEFS.filter((d) => d.pgName !== undefined).map((d) => ({
      name: d.pgName!,
      value: this.values.get(d.key) ?? this.base(d),
    }));
  }

  private base(def: SettingDef): string {
    return this.baseline.get(def.key) ?? def.default();
  }

  get ansi(): boolean {
    return this.get('spark.sql.ansi.enabled') === 'true';
  }
  /** How statements of this session are read (`spark.sql.ansi.doubleQuotedIdentifiers`). */
  get parseOptions(): ParseOptions {
    return { doubleQuotedIdentifiers: this.get('spark.sql.ansi.doubleQuotedIdentifiers') === 'true' };
  }
  get timeZone(): string {
    return this.get('spark.sql.session.timeZone')!;
  }
  get batchSize(): number {
    return Number(this.get('kindling.execution.batch_size'));
  }
  get targetPartitions(): number {
    return Number(this.get('kindling.execution.target_partitions'));
  }
  get shufflePartitions(): number {
    return Number(this.get('spark.sql.shuffle.partitions'));
  }
  get queryMemoryLimit(): number {
    return Number(this.get('kindling.memory.query_limit'));
  }
  get broadcastThreshold(): number {
    return Number(this.get('spark.sql.autoBroadcastJoinThreshold'));
  }
  get inlineTinyQueries(): boolean {
    return this.get('kindling.execution.inline_tiny_queries') === 'true';
  }
  get runtimeKeyFilter(): boolean {
    return this.get('kindling.execution.runtime_key_filter') === 'true';
  }
  get maxTaskFailures(): number {
    return Number(this.get('spark.task.maxFailures'));
  }
  /** `statement_timeout` in milliseconds; 0 = no limit. */
  get statementTimeoutMs(): number {
    return parseMilliseconds('statement_timeout', this.get('statement_timeout')!);
  }
  get cteRecursionLevelLimit(): number {
    return Number(this.get('spark.sql.cteRecursionLevelLimit'));
  }
  get maxOptimizerPasses(): number {
    return Number(this.get('kindling.optimizer.max_passes'));
  }
  get disabledRules(): ReadonlySet<string> {
    const raw = this.get('kindling.optimizer.disabled_rules') ?? '';
    return new Set(
      raw
        .split(',')
        .map((s) => s.trim().toLowerCase())
        .filter((s) => s !== ''),
    );
  }
}

/** The property of a persistent view that records how its text was read when it was created. */
const VIEW_DOUBLE_QUOTED = 'view.sqlConfig.spark.sql.ansi.doubleQuotedIdentifiers';

/** Properties a new view keeps so that its text is read later as it was written. */
export function viewParseProperties(options: ParseOptions): Record<string, string> {
  return { [VIEW_DOUBLE_QUOTED]: String(options.doubleQuotedIdentifiers === true) };
}

/** How to read a stored view's text (views written before the setting existed quoted identifiers). */
export function viewParseOptions(properties: Readonly<Record<string, string>>): ParseOptions {
  return { doubleQuotedIdentifiers: (properties[VIEW_DOUBLE_QUOTED] ?? 'true') === 'true' };
}
