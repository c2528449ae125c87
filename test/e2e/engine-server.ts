/**
 * An engine over a fresh warehouse, served in the test's own process on a free loopback port with
 * the sessions a real server gives its connections (`engineSessions`): the fixture of wire and
 * client tests. Tests whose server may be kept busy, or killed, use child-server.ts instead.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Engine, engineSessions, startServer, type Session } from '../../src/index.ts';
import type { ServerHandle } from '../../src/server/index.ts';

export interface EngineServer {
  readonly engine: Engine;
  /** The folder the test owns: the warehouse is `warehouse` inside it. */
  readonly dir: string;
  readonly warehouse: string;
  readonly server: ServerHandle;
  readonly port: number;
  /** Closes the server and the engine and removes the folder. */
  close(): Promise<void>;
}

export interface EngineServerOptions {
  /** Runs before the server starts, in a session of the engine (tables the test reads). */
  readonly setup?: (session: Session) => Promise<void>;
  /** Executor threads of the engine (default 1). */
  readonly executorThreads?: number;
  /** Where the server's log lines go (default: dropped). */
  readonly log?: (line: string) => void;
}

export async function startEngineServer(
  name: string,
  options: EngineServerOptions = {},
): Promise<EngineServer> {
  const dir = mkdtempSync(join(tmpdir(), `kindling-${name}-`));
  const warehouse = join(dir, 'warehouse');
  const engine = new Engine({ warehouse, executorThreads: options.executorThreads ?? 1 });
  let server: ServerHandle | undefined;
  const close = async (): Promise<void> => {
    await server?.close();
    await engine.close();
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    if (options.setup !== undefined) {
      const session = engine.createSession();
      try {
        await options.setup(session);
      } finally {
        session.close();
      }
    }
    server = await startServer({
      host: '127.0.0.1',
      port: 0,
      createSession: engineSessions(engine),
      log: options.log ?? (() => {}),
    });
  } catch (err) {
    await close();
    throw err;
  }
  return { engine, dir, warehouse, server, port: server.port, close };
}
