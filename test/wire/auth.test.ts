/**
 * Authentication and TLS with real clients (psql / libpq and node `pg`): SCRAM-SHA-256, md5 and
 * cleartext password rules, reject and unmatched rules, unknown users, TLS with `sslmode=require`
 * and `verify-full` (a throw-away certificate made with openssl), and a TLS-only server.
 */
import { execFile } from 'node:child_process';
import { connect } from 'node:net';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseHba, readUsers, startServer, type ServerHandle } from '../../src/server/index.ts';
import { RULES, startAuthServers, type AuthServers } from './auth-fixture.ts';
import { FakeSession } from './fake-session.ts';

let servers: AuthServers;
let server: ServerHandle;
let tlsOnly: ServerHandle;
let cert: string;
let dir: string;

beforeAll(async () => {
  servers = await startAuthServers();
  ({ server, tlsOnly, cert, dir } = servers);
});

afterAll(async () => {
  await servers.close();
});

function psql(
  conninfo: string,
  password: string,
  port = server.port,
): Promise<{ stdout: string; stderr: string; code: number }> {
  return new Promise((resolve) => {
    execFile(
      '/usr/bin/psql',
      [`host=127.0.0.1 port=${port} dbname=test ${conninfo}`, '-X', '-A', '-t', '-c', 'select 7'],
      { env: { ...process.env, PGPASSWORD: password, PGCONNECT_TIMEOUT: '5' }, timeout: 20_000 },
      (error, stdout, stderr) => {
        const code = error === null ? 0 : typeof error.code === 'number' ? error.code : 1;
        resolve({ stdout, stderr, code });
      },
    );
  });
}

async function pgConnect(config: pg.ClientConfig): Promise<string | number> {
  const client = new pg.Client({ host: '127.0.0.1', port: server.port, database: 'test', ...config });
  try {
    await client.connect();
    const r = await client.query('select 7');
    return (r.rows[0] as Record<string, number>)['?column?']!;
  } catch (err) {
    return String((err as { code?: string }).code ?? (err as Error).message);
  } finally {
    await client.end().catch(() => undefined);
  }
}

describe('password authentication', () => {
  it('SCRAM-SHA-256: the right password gets in, a wrong one gets 28P01 (psql and pg)', async () => {
    expect((await psql('user=alice sslmode=disable', 'correct horse')).stdout).toBe('7\n');
    const wrong = await psql('user=alice sslmode=disable', 'correct horsE');
    expect(wrong.code).not.toBe(0);
    expect(wrong.stderr).toContain('password authentication failed for user "alice"');
    expect(await pgConnect({ user: 'alice', password: 'correct horse' })).toBe(7);
    expect(await pgConnect({ user: 'alice', password: 'nope' })).toBe('28P01');
  });

  it('md5: a user with an MD5 verifier logs in with md5', async () => {
    expect(await pgConnect({ user: 'bob', password: 'b0b-md5' })).toBe(7);
    expect(await pgConnect({ user: 'bob', password: 'b0b-MD5' })).toBe('28P01');
    expect((await psql('user=bob sslmode=disable', 'b0b-md5')).stdout).toBe('7\n');
  });

  it('an unknown user fails like a wrong password, after the same exchange', async () => {
    expect(await pgConnect({ user: 'mallory', password: 'guess' })).toBe('28P01');
    const r = await psql('user=mallory sslmode=disable', 'guess');
    expect(r.stderr).toContain('password authentication failed for user "mallory"');
  });

  it('reject rules and connections no rule matches get 28000', async () => {
    const rejected = await psql('user=dave sslmode=disable', 'x');
    expect(rejected.stderr).toContain('rejects connection for host "127.0.0.1", user "dave"');
    expect(await pgConnect({ user: 'dave', password: 'x' })).toBe('28000');
    // carol's password rule is hostssl; in the clear the hostnossl rule rejects her.
    const plain = await psql('user=carol sslmode=disable', 'clear as day');
    expect(plain.stderr).toContain('rejects connection for host "127.0.0.1", user "carol", database "test"');
    const unmatched = await psql('user=frank dbname=other sslmode=disable', 'x');
    expect(unmatched.stderr).toContain(
      'no hba rule for host "127.0.0.1", user "frank", database "other", no encryption',
    );
    expect((await psql('user=trusty sslmode=disable', '')).stdout).toBe('7\n');
  });
});

describe('TLS', () => {
  it('psql connects with sslmode=require and verify-full; cleartext passwords over TLS', async () => {
    expect((await psql('user=carol sslmode=require', 'clear as day')).stdout).toBe('7\n');
    expect((await psql('user=carol sslmode=require', 'wrong')).stderr).toContain(
      'password authentication failed for user "carol"',
    );
    const full = await psql(`user=alice sslmode=verify-full sslrootcert=${cert}`, 'correct horse');
    expect(full.stderr).toBe('');
    expect(full.stdout).toBe('7\n');
  });

  it('node pg connects over TLS and verifies the certificate', async () => {
    const ca = readFileSync(cert, 'utf8');
    expect(
      await pgConnect({ user: 'carol', password: 'clear as day', ssl: { ca, servername: 'localhost' } }),
    ).toBe(7);
    // A client that trusts another CA fails the handshake.
    const other = await pgConnect({ user: 'carol', password: 'clear as day', ssl: { ca: [] } });
    expect(other).not.toBe(7);
  });

  it('a TLS-only server refuses plain connections with 28000 and serves TLS ones', async () => {
    const plain = await psql('user=alice sslmode=disable', 'correct horse', tlsOnly.port);
    expect(plain.stderr).toContain('accepts TLS connections only');
    expect((await psql('user=alice sslmode=require', 'correct horse', tlsOnly.port)).stdout).toBe('7\n');
  });
});

describe('start-up time limit', () => {
  it('closes a connection that does not finish start-up and authentication in time', async () => {
    const quick = await startServer({
      host: '127.0.0.1',
      port: 0,
      createSession: () => new FakeSession(''),
      auth: { rules: parseHba(RULES), user: (name: string) => readUsers(dir).get(name) },
      authenticationTimeoutMs: 300,
    });
    try {
      const t0 = Date.now();
      // One says nothing; one stops in the middle of SCRAM (after its start-up message).
      const silent = connect(quick.port, '127.0.0.1');
      const stalled = connect(quick.port, '127.0.0.1', () => {
        const body = Buffer.from('\0\0\0\0user\0alice\0database\0test\0\0', 'latin1');
        body.writeInt32BE(196608, 0);
        const len = Buffer.alloc(4);
        len.writeInt32BE(body.length + 4);
        stalled.write(Buffer.concat([len, body]));
      });
      const closed = (s: ReturnType<typeof connect>): Promise<number> =>
        new Promise((done) => {
          s.on('error', () => undefined);
          s.on('close', () => done(Date.now() - t0));
          s.resume();
        });
      const times = await Promise.all([closed(silent), closed(stalled)]);
      for (const t of times) expect(t).toBeLessThan(5_000);
    } finally {
      await quick.close();
    }
  });
});

describe('a users file that cannot be read', () => {
  it('fails the login with its error, and the server goes on', async () => {
    const broken = await startServer({
      host: '127.0.0.1',
      port: 0,
      createSession: () => new FakeSession(''),
      auth: {
        rules: parseHba('host all all 127.0.0.1/32 scram-sha-256\nhost all trusty 127.0.0.1/32 trust'),
        // A file where the warehouse folder should be: its users file cannot be read.
        user: (name: string) => readUsers(join(dir, 'server.crt')).get(name),
      },
    });
    try {
      const r = await psql('user=alice sslmode=disable', 'x', broken.port);
      expect(r.stderr).toContain('could not read the users file');
      expect(broken.connections()).toBe(0);
    } finally {
      await broken.close();
    }
  });
});
