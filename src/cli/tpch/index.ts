/** The `kindling tpch` command group: `gen`, `load` and `run`. */
import type { Command } from 'commander';
import { addGenCommand } from './gen-command.ts';
import { addLoadCommand } from './load-command.ts';
import { addRunCommand } from './run-command.ts';

export function addTpchCommand(program: Command): void {
  const tpch = program
    .command('tpch')
    .description('generate, load and run the TPC-H benchmark (gen, load, run)');
  addGenCommand(tpch);
  addLoadCommand(tpch);
  addRunCommand(tpch);
}
