/**
 * The settings a client asks for in its StartupMessage, read as PostgreSQL reads them:
 *
 *   user=alice database=tpch application_name=psql TimeZone=UTC options='-c statement_timeout=5s'
 *                            └──────── settings ───────────┘            └──── settings ────┘
 *
 * Every parameter other than `user`, `database`, `replication`, `options` and protocol options
 * (`_pq_.…`) names a setting, except the output formats this server fixes (UTF8, ISO dates,
 * postgres intervals), which it keeps reporting whatever a client asks for. `options` holds
 * command-line switches separated by spaces (a backslash keeps the next character, spaces
 * included): `-c name=value`, `-cname=value` or `--name=value`, with `-` in a name read as `_`.
 * Values are validated later, by the session.
 */
import { EngineError, SqlState } from '../common/index.ts';

const NOT_SETTINGS = new Set([
  'user',
  'database',
  'replication',
  'options',
  'client_encoding',
  'datestyle',
  'intervalstyle',
]);

/** `options` split as PostgreSQL's `pg_split_opts` does. */
function splitOptions(options: string): string[] {
  const out: string[] = [];
  let i = 0;
  while (i < options.length) {
    while (i < options.length && /\s/.test(options[i]!)) i++;
    if (i >= options.length) break;
    let word = '';
    let escaped = false;
    for (; i < options.length; i++) {
      const c = options[i]!;
      if (!escaped && /\s/.test(c)) break;
      if (!escaped && c === '\\') escaped = true;
      else {
        escaped = false;
        word += c;
      }
    }
    out.push(word);
  }
  return out;
}

function invalidSwitch(arg: string): EngineError {
  return new EngineError(SqlState.syntaxError, `invalid command-line argument for server process: ${arg}`);
}

/** `name=value` of a `-c` or `--` switch. */
function nameValue(text: string, flag: '-c' | '--'): [string, string] {
  const eq = text.indexOf('=');
  if (eq < 0) {
    throw new EngineError(
      SqlState.syntaxError,
      flag === '--' ? `--${text} requires a value` : `-c ${text} requires a value`,
    );
  }
  return [text.slice(0, eq).replaceAll('-', '_'), text.slice(eq + 1)];
}

/**
 * Settings every wire session starts with: PostgreSQL's clients quote identifiers with `"…"`
 * (`"public"."orders"`), which Spark reads as strings unless this is on. A client may still turn it
 * off, in its start-up options or with SET.
 */
const WIRE_DEFAULTS: Readonly<Record<string, string>> = { 'spark.sql.ansi.doubleQuotedIdentifiers': 'true' };

/**
 * The settings of a StartupMessage's parameters, after the wire's defaults, in the order the
 * client gave them.
 */
export function startupSettings(parameters: Readonly<Record<string, string>>): Record<string, string> {
  const settings: Record<string, string> = { ...WIRE_DEFAULTS };
  for (const [name, value] of Object.entries(parameters)) {
    if (NOT_SETTINGS.has(name.toLowerCase()) || name.startsWith('_pq_.')) continue;
    settings[name] = value;
  }
  const args = splitOptions(parameters['options'] ?? '');
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg.startsWith('--')) {
      const [name, value] = nameValue(arg.slice(2), '--');
      settings[name] = value;
    } else if (arg.startsWith('-c')) {
      let text = arg.slice(2);
      if (text === '') {
        const next = args[++i];
        if (next === undefined)
          throw new EngineError(SqlState.syntaxError, 'option requires an argument -- c');
        text = next;
      }
      const [name, value] = nameValue(text, '-c');
      settings[name] = value;
    } else {
      throw invalidSwitch(arg);
    }
  }
  return settings;
}
