/**
 * `kindling executor`: an executor process for a driver elsewhere (`kindling.master` process[N]
 * starts these itself; for nats://host:port they are started by hand, or by a pod template). It
 * connects to the driver's NATS server, registers, runs the tasks it is given and serves its
 * outputs over Arrow Flight on `--host`, until SIGTERM/SIGINT (or, with --exit-with-stdin, until
 * the process that started it is gone). While the NATS server is away it keeps trying to reach
 * it. The NATS token, if any, comes from the environment (KINDLING_NATS_TOKEN).
 */
import { hostname } from 'node:os';
import type { Command } from 'commander';
import { EngineError, SqlState, toEngineError } from '../common/index.ts';
import {
  NATS_TOKEN_ENV,
  connectExecutorPlane,
  defaultMemoryLimit,
  parseByteSize,
  parseMaster,
  startExecutorProcess,
} from '../session/index.ts';

interface ExecutorCommandOptions {
  readonly master: string;
  readonly cluster: string;
  readonly id?: string;
  readonly cores: string;
  readonly memory?: string;
  readonly localDir: string;
  readonly host: string;
  readonly exitWithStdin?: boolean;
}

function options(opts: ExecutorCommandOptions): {
  servers: string;
  id: string;
  cores: number;
  memory: number;
} {
  const master = parseMaster(opts.master);
  if (master.kind !== 'nats') {
    throw new EngineError(SqlState.invalidParameterValue, 'an executor takes --master nats://host:port');
  }
  if (!/^[A-Za-z0-9_-]{1,64}$/.test(opts.cluster)) {
    throw new EngineError(SqlState.invalidParameterValue, `invalid --cluster "${opts.cluster}"`);
  }
  const id = opts.id ?? `${opts.cluster}-${hostname().replace(/[^A-Za-z0-9_-]/g, '_')}-${process.pid}`;
  if (!/^[A-Za-z0-9_-]{1,128}$/.test(id)) {
    throw new EngineError(
      SqlState.invalidParameterValue,
      `invalid --id "${id}": letters, digits, _ and - only`,
    );
  }
  const cores = Number(opts.cores);
  if (!Number.isInteger(cores) || cores < 1 || cores > 256) {
    throw new EngineError(SqlState.invalidParameterValue, `invalid --cores "${opts.cores}": 1 to 256`);
  }
  const memory = opts.memory === undefined ? defaultMemoryLimit() : parseByteSize(opts.memory);
  if (memory === null || memory <= 0) {
    throw new EngineError(
      SqlState.invalidParameterValue,
      `invalid --memory "${opts.memory}": a size such as 4GB`,
    );
  }
  return { servers: master.servers, id, cores, memory };
}

export function addExecutorCommand(program: Command): void {
  program
    .command('executor')
    .description('run tasks for a driver: register with its NATS server and serve outputs over Arrow Flight')
    .requiredOption('--master <url>', "the driver's NATS server, nats://host:port")
    .option('--cluster <id>', "the driver's cluster id (names its streams on that server)", 'kindling')
    .option('--id <id>', "this executor's id (default: <cluster>-<host>-<pid>)")
    .option('--cores <n>', 'tasks it runs at once', '1')
    .option('--memory <size>', 'memory its tasks may reserve (default 60% of RAM)')
    .option('--local-dir <dir>', 'where tasks spill and map outputs are written', '/tmp/kindling')
    .option('--host <address>', 'the address its Flight server binds and announces', '127.0.0.1')
    .option('--exit-with-stdin', 'exit when standard input closes (the process that started it is gone)')
    .action(async (opts: ExecutorCommandOptions) => {
      const { servers, id, cores, memory } = options(opts);
      const token = process.env[NATS_TOKEN_ENV];
      const plane = await connectExecutorPlane({
        servers,
        cluster: opts.cluster,
        ...(token === undefined || token === '' ? {} : { token }),
      });
      const executor = await startExecutorProcess({
        plane,
        id,
        cores,
        memory,
        host: opts.host,
        localDir: opts.localDir,
        ...(token === undefined || token === '' ? {} : { token }),
      });
      console.log(`executor ${id} serves Flight on ${executor.flightAddress}`);
      let stopping = false;
      const stop = (code: number): void => {
        if (stopping) return;
        stopping = true;
        executor
          .close()
          .catch((err: unknown) => console.error(`ERROR: ${toEngineError(err).message}`))
          .finally(() => process.exit(code));
      };
      process.on('SIGTERM', () => stop(0));
      process.on('SIGINT', () => stop(0));
      if (opts.exitWithStdin === true) {
        process.stdin.on('end', () => stop(1));
        process.stdin.on('error', () => stop(1));
        process.stdin.resume();
      }
    });
}
