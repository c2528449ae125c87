/**
 * `kindling user add|remove|list`: the users who may log in with a password (the warehouse's users
 * file keeps SCRAM verifiers, never passwords). `add` reads the password from the terminal without
 * echo (twice), or from the first line of standard input when it is not a terminal.
 */
import { createInterface } from 'node:readline';
import { Writable } from 'node:stream';
import type { Command } from 'commander';
import { toEngineError } from '../common/index.ts';
import { DEFAULT_WAREHOUSE } from '../session/index.ts';
import { readUsers, removeUser, setUserPassword } from '../server/index.ts';

/** Reads one line from the terminal without echoing it. */
function promptHidden(question: string): Promise<string> {
  process.stderr.write(question);
  const muted = new Writable({ write: (_chunk, _encoding, done) => done() });
  const rl = createInterface({ input: process.stdin, output: muted, terminal: true });
  return new Promise((resolve) => {
    rl.question('', (answer) => {
      rl.close();
      process.stderr.write('\n');
      resolve(answer);
    });
  });
}

async function readPassword(): Promise<string> {
  if (process.stdin.isTTY === true) {
    const first = await promptHidden('Password: ');
    const again = await promptHidden('Password again: ');
    if (first !== again) throw new Error('the passwords do not match');
    return first;
  }
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8').split(/\r?\n/)[0] ?? '';
}

function fail(err: unknown): void {
  const e = toEngineError(err);
  console.error(`ERROR [${e.sqlstate}]: ${e.message}`);
  process.exitCode = 1;
}

export function addUserCommand(program: Command): void {
  const user = program.command('user').description('manage the users who log in with a password');
  user
    .command('add <name>')
    .description('add a user, or set a user’s password (read from the terminal or standard input)')
    .option('--warehouse <dir>', 'warehouse directory', DEFAULT_WAREHOUSE)
    .option('--md5', 'also keep an MD5 verifier, for clients of md5 rules that cannot do SCRAM')
    .action(async (name: string, opts: { warehouse: string; md5?: boolean }) => {
      try {
        setUserPassword(opts.warehouse, name, await readPassword(), opts.md5 === true);
        console.log(`user "${name}" saved`);
      } catch (err) {
        fail(err);
      }
    });
  user
    .command('remove <name>')
    .description('remove a user')
    .option('--warehouse <dir>', 'warehouse directory', DEFAULT_WAREHOUSE)
    .action((name: string, opts: { warehouse: string }) => {
      try {
        if (removeUser(opts.warehouse, name)) console.log(`user "${name}" removed`);
        else {
          console.error(`ERROR: no user "${name}"`);
          process.exitCode = 1;
        }
      } catch (err) {
        fail(err);
      }
    });
  user
    .command('list')
    .description('list the users and the verifiers each has')
    .option('--warehouse <dir>', 'warehouse directory', DEFAULT_WAREHOUSE)
    .action((opts: { warehouse: string }) => {
      try {
        for (const [name, entry] of readUsers(opts.warehouse))
          console.log(`${name}\t${entry.md5 === undefined ? 'scram-sha-256' : 'scram-sha-256, md5'}`);
      } catch (err) {
        fail(err);
      }
    });
}
