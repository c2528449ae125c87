/**
 * Entry point of the `kindling` command (see program.ts for its subcommands). An error that
 * escapes a command (a warehouse that cannot be created, a port in use…) is printed as one
 * `ERROR [SQLSTATE]: message` line with exit code 1, never as a stack trace.
 */
import { toEngineError } from '../common/index.ts';
import { buildProgram } from './program.ts';

try {
  await buildProgram().parseAsync(process.argv);
} catch (err) {
  const e = toEngineError(err);
  console.error(`ERROR [${e.sqlstate}]: ${e.message}`);
  process.exitCode = 1;
}
