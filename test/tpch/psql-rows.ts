/**
 * Runs a SQL file through psql against a Kindling server on loopback and returns the rows as
 * psql prints them unaligned (`|` between values, NULL as `NULL`): how the TPC-H answers are
 * compared through the wire.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

export async function psqlRows(port: number, database: string, file: string): Promise<string[][]> {
  const { stdout } = await run(
    'psql',
    [
      '-h',
      '127.0.0.1',
      '-p',
      String(port),
      '-U',
      'tpch',
      '-d',
      database,
      '-X',
      '-A',
      '-t',
      '-F',
      '|',
      '-P',
      'null=NULL',
      '-v',
      'ON_ERROR_STOP=1',
      '-f',
      file,
    ],
    { maxBuffer: 64 << 20 },
  );
  return stdout
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => l.split('|'));
}
