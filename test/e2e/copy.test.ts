/**
 * `COPY … TO STDOUT` and `COPY … FROM STDIN` through psql (and its `\copy`) and the bare wire
 * protocol, in PostgreSQL's text and CSV formats: the escapes and quoting below are those
 * PostgreSQL's documentation of COPY gives. A COPY FROM that fails writes nothing.
 */
import { execFile } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serialize } from 'pg-protocol';
import { RawWireClient, errorOf } from './raw-wire-client.ts';
import { startEngineServer, type EngineServer } from './engine-server.ts';

let fixture: EngineServer | undefined;

beforeAll(async () => {
  fixture = await startEngineServer('copy', {
    setup: async (s) => {
      await s.sql(
        `CREATE TABLE t USING parquet AS SELECT * FROM VALUES
         (1, 'a\tb', CAST(NULL AS STRING)), (2, 'x,"y"', ''), (3, 'back\\\\slash', 'line\nbreak') AS v(id, s, u)`,
      );
      await s.sql('CREATE TABLE target (id INT, s STRING, d DATE) USING parquet');
    },
  });
});

afterAll(async () => {
  await fixture?.close();
});

function psql(command: string): Promise<{ stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      '/usr/bin/psql',
      ['-h', '127.0.0.1', '-p', String(fixture!.port), '-U', 'alice', '-d', 'default', '-X', '-c', command],
      { timeout: 30_000 },
      (_error, stdout, stderr) => resolve({ stdout, stderr }),
    );
  });
}

describe.skipIf(!existsSync('/usr/bin/psql'))('COPY … TO STDOUT', () => {
  it('writes the text format: tab-separated, \\N for NULL, backslash escapes', async () => {
    const r = await psql('COPY (SELECT * FROM t ORDER BY id) TO STDOUT');
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe('1\ta\\tb\t\\N\n2\tx,"y"\t\n3\tback\\\\slash\tline\\nbreak\n');
  });

  it('writes CSV with a header: quoted where needed, NULL empty and the empty string ""', async () => {
    const r = await psql('COPY (SELECT * FROM t ORDER BY id) TO STDOUT WITH (FORMAT csv, HEADER)');
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe('id,s,u\n1,a\tb,\n2,"x,""y""",""\n3,back\\slash,"line\nbreak"\n');
  });

  it('takes a table with a column list, and the older option spelling', async () => {
    const r = await psql("COPY t (u, id) TO STDOUT DELIMITER '|' NULL 'null'");
    expect(r.stderr).toBe('');
    expect(r.stdout.split('\n').sort()).toEqual(['', '|2', 'line\\nbreak|3', 'null|1'].sort());
  });

  it("serves psql's \\copy to a file", async () => {
    const file = join(fixture!.dir, 'ids.csv');
    const r = await psql(`\\copy (SELECT id, s FROM t WHERE id < 3 ORDER BY id) TO '${file}' CSV`);
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe('COPY 2\n');
    expect(readFileSync(file, 'utf8')).toBe('1,a\tb\n2,"x,""y"""\n');
  });

  it('refuses what it does not do with 0A000, and bad options with 42601', async () => {
    expect((await psql("COPY t TO '/tmp/x'")).stderr).toContain('COPY TO a file is not supported');
    expect((await psql('COPY t TO STDOUT (FORMAT binary)')).stderr).toContain(
      'COPY FORMAT binary is not supported',
    );
    expect((await psql('COPY t TO STDOUT (COLOUR red)')).stderr).toContain('option "COLOUR" not recognized');
  });
});

describe.skipIf(!existsSync('/usr/bin/psql'))('COPY … FROM STDIN', () => {
  async function count(): Promise<string> {
    return (await psql('SELECT count(*) FROM target')).stdout.split('\n')[2]!.trim();
  }

  it("appends psql's \\copy from text and CSV files, escapes and NULLs read as PostgreSQL writes them", async () => {
    const text = join(fixture!.dir, 'in.txt');
    writeFileSync(text, '1\ta\\tb\t2024-01-02\n2\t\\N\t\\N\n');
    expect((await psql(`\\copy target from '${text}'`)).stdout).toBe('COPY 2\n');
    const csv = join(fixture!.dir, 'in.csv');
    writeFileSync(csv, 'id,s,d\n3,"x,""y""",2024-03-04\n4,,\n5,"",\n');
    expect((await psql(`\\copy target from '${csv}' with (format csv, header)`)).stdout).toBe('COPY 3\n');
    const r = await psql('COPY (SELECT id, s, d, s IS NULL FROM target ORDER BY id) TO STDOUT (FORMAT csv)');
    expect(r.stdout).toBe('1,a\tb,2024-01-02,f\n2,,,t\n3,"x,""y""",2024-03-04,f\n4,,,t\n5,"",,f\n');
  });

  it('writes nothing when a value does not convert, and the session goes on', async () => {
    const before = await count();
    const bad = join(fixture!.dir, 'bad.txt');
    writeFileSync(bad, '6\tok\t2024-01-01\n7\tbad\tnot-a-date\n');
    const r = await psql(`\\copy target from '${bad}'`);
    expect(r.stderr).toContain('CAST_INVALID_INPUT');
    expect(await count()).toBe(before);
  });

  it('reads data split anywhere across CopyData; CopyFail and bad lines write nothing', async () => {
    const client = await RawWireClient.connect(fixture!.port);
    try {
      client.send(serialize.query('COPY target (id, s) FROM STDIN'));
      expect((await client.next()).name).toBe('copyInResponse');
      client.send(
        serialize.copyData(Buffer.from('10\tsp')),
        serialize.copyData(Buffer.from('lit\n11\tx\n')),
        serialize.copyDone(),
      );
      let messages = await client.readUntil('readyForQuery');
      expect(messages.find((m) => m.name === 'commandComplete')?.['text']).toBe('COPY 2');

      client.send(serialize.query('COPY target FROM STDIN'));
      expect((await client.next()).name).toBe('copyInResponse');
      client.send(
        serialize.copyData(Buffer.from('12\tx\t2024-01-01\n')),
        serialize.copyFail('client gave up'),
      );
      messages = await client.readUntil('readyForQuery');
      expect(errorOf(messages)).toMatchObject({
        code: '57014',
        message: 'COPY from stdin failed: client gave up',
      });

      client.send(serialize.query('COPY target FROM STDIN'));
      expect((await client.next()).name).toBe('copyInResponse');
      client.send(serialize.copyData(Buffer.from('13\tx\t2024-01-01\n14\tx\n')), serialize.copyDone());
      messages = await client.readUntil('readyForQuery');
      expect(errorOf(messages)).toMatchObject({
        code: '22P04',
        message: 'missing data for column 3 (COPY, line 2)',
      });

      client.send(serialize.query('SELECT count(*) FROM target WHERE id >= 10'));
      messages = await client.readUntil('readyForQuery');
      expect(messages.find((m) => m.name === 'commandComplete')?.['text']).toBe('SELECT 1');
    } finally {
      await client.end();
    }
    expect((await psql('SELECT id, s FROM target WHERE id >= 10 ORDER BY id')).stdout).toContain(
      '10 | split',
    );
  });
});
