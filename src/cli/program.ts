/**
 * The `kindling` command's definition: `serve` (PostgreSQL wire server), `sql` (run SQL from -e or -f and
 * print the results) and `tpch` (gen, load, run; see tpch/).
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { Command, InvalidArgumentError, Option } from 'commander';
import { EngineError, SqlState, batchRows, toEngineError } from '../common/index.ts';
import { DEFAULT_WAREHOUSE, Engine, splitProcessSettings } from '../session/index.ts';
import {
  DEFAULT_HBA,
  engineSessions,
  LOG_FORMATS,
  isLoopbackHost,
  parseHba,
  readUsers,
  remoteTrustRules,
  startServer,
  type HbaRule,
  type LogFormat,
} from '../server/index.ts';
import { formatTable, formatValue } from './format.ts';
import { registerSampleDatabase, warehouseIsEmpty } from './sample.ts';
import { addTpchCommand } from './tpch/index.ts';
import { addExecutorCommand } from './executor.ts';
import { addUserCommand } from './user.ts';

function parsePort(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535)
    throw new InvalidArgumentError('a port is an integer from 0 to 65535');
  return n;
}

/** One `--conf key=value`, added to those before it (as Spark's spark-submit takes them). */
function collectConf(value: string, previous: Record<string, string> | undefined): Record<string, string> {
  const eq = value.indexOf('=');
  if (eq <= 0) throw new InvalidArgumentError('expected key=value, for example statement_timeout=30s');
  return { ...previous, [value.slice(0, eq).trim()]: value.slice(eq + 1).trim() };
}

interface ServeOptions {
  readonly host: string;
  readonly port: number;
  readonly warehouse: string;
  readonly sample?: boolean;
  /** Default settings of every session; the Engine validates them. */
  readonly conf?: Record<string, string>;
  /** The authentication rules file (default: trust on loopback only). */
  readonly hba?: string;
  /** Allow trust rules for addresses beyond loopback on a server listening beyond it. */
  readonly trustRemote?: boolean;
  readonly tlsCert?: string;
  readonly tlsKey?: string;
  readonly tlsRequired?: boolean;
  readonly logFormat: LogFormat;
  /** `kindling.master`, as --conf would set it. */
  readonly master?: string;
}

/** The server's TLS certificate and key from `--tls-cert` / `--tls-key`, or undefined. */
function serverTls(opts: ServeOptions): { cert: Buffer; key: Buffer; required: boolean } | undefined {
  if (opts.tlsCert === undefined && opts.tlsKey === undefined) {
    if (opts.tlsRequired === true) {
      throw new EngineError(SqlState.invalidParameterValue, '--tls-required needs --tls-cert and --tls-key');
    }
    return undefined;
  }
  if (opts.tlsCert === undefined || opts.tlsKey === undefined) {
    throw new EngineError(SqlState.invalidParameterValue, '--tls-cert and --tls-key go together');
  }
  const read = (file: string): Buffer => {
    try {
      return readFileSync(file);
    } catch (err) {
      throw new EngineError(SqlState.ioError, `cannot read ${file}: ${(err as Error).message}`);
    }
  };
  return { cert: read(opts.tlsCert), key: read(opts.tlsKey), required: opts.tlsRequired === true };
}

/**
 * The authentication rules a server starts with: the `--hba` file's, or trust on loopback. Refuses
 * (throws) a server listening beyond loopback whose rules trust addresses beyond it, unless
 * `--trust-remote` says so.
 */
export function serverRules(opts: Pick<ServeOptions, 'host' | 'hba' | 'trustRemote'>): HbaRule[] {
  let rules: HbaRule[];
  if (opts.hba === undefined) rules = parseHba(DEFAULT_HBA, 'default rules');
  else {
    let text: string;
    try {
      text = readFileSync(opts.hba, 'utf8');
    } catch (err) {
      throw new EngineError(
        SqlState.ioError,
        `cannot read the hba file ${opts.hba}: ${(err as Error).message}`,
      );
    }
    rules = parseHba(text, opts.hba);
  }
  const open = remoteTrustRules(rules);
  if (!isLoopbackHost(opts.host) && open.length > 0 && opts.trustRemote !== true) {
    throw new EngineError(
      SqlState.invalidParameterValue,
      `refusing to listen on ${opts.host}: the rule on line ${open[0]!.line} of ${opts.hba ?? 'the rules'} trusts ` +
        `connections from ${open[0]!.addressText} without a password (use password rules, or --trust-remote)`,
    );
  }
  return rules;
}

/** `ERROR [42601] line 1, column 8: syntax error …` with the SQL line and a caret. */
export function describeError(err: EngineError, sql: string | undefined): string {
  let where = '';
  let pointer = '';
  if (err.position !== undefined && sql !== undefined) {
    const before = sql.slice(0, err.position - 1);
    const line = before.split('\n').length;
    const column = err.position - before.lastIndexOf('\n') - 1;
    where = ` (line ${line}, column ${column})`;
    const text = sql.split('\n')[line - 1] ?? '';
    pointer = `\n  ${text}\n  ${' '.repeat(Math.max(0, column - 1))}^`;
  }
  const hint = err.hint === undefined ? '' : `\nHINT: ${err.hint}`;
  return `ERROR [${err.sqlstate}]${where}: ${err.message}${pointer}${hint}`;
}

async function runSql(sql: string, warehouse: string, conf: Record<string, string>): Promise<number> {
  let engine: Engine;
  try {
    const { process: processSettings, sessionDefaults } = splitProcessSettings(conf);
    engine = new Engine({ warehouse, sessionDefaults, ...processSettings });
  } catch (err) {
    console.error(describeError(toEngineError(err), undefined));
    return 1;
  }
  try {
    // Executor processes (kindling.master=process[N]) register before the first statement.
    if (engine.execution.distributed) await engine.execution.start();
  } catch (err) {
    console.error(describeError(toEngineError(err), undefined));
    await engine.close();
    return 1;
  }
  const session = engine.createSession();
  try {
    for await (const result of session.execute(sql)) {
      if (result.kind === 'command') {
        console.log(result.tag);
        continue;
      }
      if (result.kind === 'copy_in') {
        // No client is sending data: give the statement an empty stream, which fails it cleanly.
        throw new EngineError(
          SqlState.featureNotSupported,
          'COPY … FROM STDIN needs a client that sends the data (psql, a PostgreSQL driver)',
        );
      }
      const types = result.schema.fields.map((f) => f.type);
      const rows: string[][] = [];
      for await (const batch of result.batches) {
        for (const r of batchRows(batch, types))
          rows.push(r.map((v, i) => formatValue(v, types[i]!, session.settings.timeZone)));
      }
      console.log(
        formatTable(
          result.schema.fields.map((f) => f.name),
          types,
          rows,
        ),
      );
    }
    return 0;
  } catch (err) {
    console.error(describeError(toEngineError(err), sql));
    return 1;
  } finally {
    session.close();
  }
}

export function buildProgram(): Command {
  const program = new Command();
  program
    .name('kindling')
    .description('A Spark-SQL query engine for Node, served over the PostgreSQL wire protocol.');

  program
    .command('serve')
    .description('serve the warehouse over the PostgreSQL wire protocol')
    .option('--host <host>', 'address to listen on', '127.0.0.1')
    .option('--port <port>', 'port to listen on', parsePort, 15432)
    .option('--warehouse <dir>', 'warehouse directory', DEFAULT_WAREHOUSE)
    .option('--sample', 'register the TPC-H SF0.01 sample database when the warehouse is empty')
    .option(
      '--conf <key=value>',
      'a setting: the default of every session (statement_timeout=30s) or of the process (kindling.executor.threads=4, kindling.memory.limit=8GB); repeatable',
      collectConf,
    )
    .option('--master <master>', 'where the executors are: local[N] (default), process[N], nats://host:port')
    .option('--hba <file>', 'authentication rules (pg_hba.conf-like); default: trust on loopback only')
    .option('--trust-remote', 'allow trust rules for addresses beyond loopback when listening beyond it')
    .option('--tls-cert <file>', 'TLS certificate (PEM): clients asking for SSL get TLS')
    .option('--tls-key <file>', 'TLS private key (PEM)')
    .option('--tls-required', 'refuse connections that do not use TLS')
    .addOption(
      new Option('--log-format <format>', 'server log lines on stderr: text or one JSON object each')
        .choices(LOG_FORMATS)
        .default('text'),
    )
    .action(async (opts: ServeOptions) => {
      let rules: HbaRule[];
      let tls: ReturnType<typeof serverTls>;
      try {
        rules = serverRules(opts);
        tls = serverTls(opts);
      } catch (err) {
        console.error(`ERROR: ${toEngineError(err).message}`);
        process.exitCode = 1;
        return;
      }
      const {
        process: processSettings,
        server: serverSettings,
        sessionDefaults,
      } = splitProcessSettings({
        ...opts.conf,
        ...(opts.master === undefined ? {} : { 'kindling.master': opts.master }),
      });
      const engine = new Engine({ warehouse: opts.warehouse, sessionDefaults, ...processSettings });
      // Start the executors now, so the first query does not wait for them.
      try {
        await engine.execution.start();
      } catch (err) {
        console.error(`ERROR: ${toEngineError(err).message}`);
        process.exitCode = 1;
        await engine.close();
        return;
      }
      if (opts.sample === true) {
        const session = engine.createSession();
        if (warehouseIsEmpty(session) && (await registerSampleDatabase(session))) {
          console.log(
            `Registered the TPC-H sample database 'tpch' (scale factor 0.01) in ${resolve(opts.warehouse)}`,
          );
        }
        session.close();
      }
      const warehouse = opts.warehouse;
      let server: Awaited<ReturnType<typeof startServer>>;
      try {
        server = await startServer({
          host: opts.host,
          port: opts.port,
          auth: { rules, user: (name) => readUsers(warehouse).get(name) },
          ...(tls === undefined ? {} : { tls }),
          // The log has stderr to itself: stdout keeps the banner, which scripts read.
          log: (line) => process.stderr.write(`${line}\n`),
          logFormat: opts.logFormat,
          ...serverSettings,
          createSession: engineSessions(engine),
        });
      } catch (err) {
        console.error(`ERROR: ${toEngineError(err).message}`);
        process.exitCode = 1;
        await engine.close();
        return;
      }
      console.log(`Kindling is serving ${resolve(opts.warehouse)} on ${server.host}:${server.port}`);
      // A database that exists (an unknown one is refused with 3D000, as in PostgreSQL).
      const database = engine.metastore.getDatabase('tpch') !== undefined ? 'tpch' : 'default';
      console.log(`Connect with: psql -h ${server.host} -p ${server.port} -d ${database}`);
      const stop = (): void => {
        void server.close().then(() => process.exit(0));
      };
      process.on('SIGINT', stop);
      process.on('SIGTERM', stop);
    });

  program
    .command('sql')
    .description('run SQL statements and print their results')
    .option('-e, --execute <sql>', 'SQL text to run')
    .option('-f, --file <file>', 'file of SQL statements to run')
    .option('--warehouse <dir>', 'warehouse directory', DEFAULT_WAREHOUSE)
    .option(
      '--conf <key=value>',
      'a setting, as for serve (kindling.sql.allowed_paths=DIR,… lets SQL name folders outside the warehouse); repeatable',
      collectConf,
    )
    .action(
      async (opts: { execute?: string; file?: string; warehouse: string; conf?: Record<string, string> }) => {
        let sql: string;
        if (opts.execute !== undefined) sql = opts.execute;
        else if (opts.file !== undefined) {
          try {
            sql = readFileSync(opts.file, 'utf8');
          } catch (err) {
            console.error(`ERROR: cannot read ${opts.file}: ${(err as Error).message}`);
            process.exitCode = 1;
            return;
          }
        } else {
          sql = readFileSync(0, 'utf8');
        }
        process.exitCode = await runSql(sql, opts.warehouse, opts.conf ?? {});
      },
    );

  addTpchCommand(program);
  addUserCommand(program);
  addExecutorCommand(program);
  return program;
}
