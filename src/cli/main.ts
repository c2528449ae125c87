/**
 * Entry point of the `kindling` command (see program.ts for its subcommands).
 */
import { buildProgram } from './program.ts';

await buildProgram().parseAsync(process.argv);
