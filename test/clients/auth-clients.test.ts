/**
 * Authentication and TLS with the PostgreSQL JDBC driver (source-file mode of Java 17) and psycopg2:
 * SCRAM-SHA-256, md5, a wrong password, cleartext over TLS, `verify-full` against the throw-away
 * certificate, and a TLS-only server refusing a plain connection. `.ci/run` installs both clients
 * (Debian's openjdk-17-jdk-headless, libpostgresql-jdbc-java, python3-psycopg2).
 */
import { execFile, execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PASSWORDS, startAuthServers, type AuthServers } from '../wire/auth-fixture.ts';

const HERE = dirname(fileURLToPath(import.meta.url));
const JDBC_JAR = '/usr/share/java/postgresql.jar';
const PYTHON = '/usr/bin/python3';

let servers: AuthServers;
beforeAll(async () => {
  servers = await startAuthServers();
});
afterAll(async () => {
  await servers.close();
});

function run(file: string, args: readonly string[]): Promise<string[]> {
  return new Promise((resolve, reject) => {
    execFile(file, args, { timeout: 120_000 }, (error, stdout, stderr) => {
      if (error !== null) reject(new Error(`${file} failed: ${stderr || error.message}`));
      else resolve(stdout.trimEnd().split('\n'));
    });
  });
}

function hasPsycopg(): boolean {
  if (!existsSync(PYTHON)) return false;
  try {
    execFileSync(PYTHON, ['-c', 'import psycopg2'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

describe.skipIf(!existsSync(JDBC_JAR) || !existsSync('/usr/bin/java'))('JDBC', () => {
  it('SCRAM, md5, wrong password, TLS with verify-full, and a TLS-only server', async () => {
    const { server, tlsOnly, cert } = servers;
    const url = (port: number, params = ''): string =>
      `jdbc:postgresql://localhost:${port}/test?sslmode=disable${params}`;
    const tls = (port: number, mode: string): string =>
      `jdbc:postgresql://localhost:${port}/test?sslmode=${mode}&sslrootcert=${cert}`;
    const lines = await run('/usr/bin/java', [
      '-cp',
      JDBC_JAR,
      join(HERE, 'AuthClient.java'),
      ...[url(server.port), 'alice', PASSWORDS.alice],
      ...[url(server.port), 'alice', 'wrong'],
      ...[url(server.port), 'bob', PASSWORDS.bob],
      ...[url(server.port), 'mallory', 'x'],
      ...[tls(server.port, 'verify-full'), 'carol', PASSWORDS.carol],
      ...[tls(tlsOnly.port, 'require'), 'alice', PASSWORDS.alice],
      ...[url(tlsOnly.port), 'alice', PASSWORDS.alice],
    ]);
    expect(lines).toEqual(['ok 7', 'error 28P01', 'ok 7', 'error 28P01', 'ok 7', 'ok 7', 'error 28000']);
  });
});

describe.skipIf(!hasPsycopg())('psycopg2', () => {
  it('SCRAM, md5, wrong password, TLS with verify-full, and a TLS-only server', async () => {
    const { server, tlsOnly, cert } = servers;
    const info = (port: number, user: string, ssl = 'sslmode=disable'): string =>
      `host=localhost port=${port} dbname=test user=${user} ${ssl}`;
    const lines = await run(PYTHON, [
      join(HERE, 'auth_client.py'),
      ...[info(server.port, 'alice'), PASSWORDS.alice],
      ...[info(server.port, 'alice'), 'wrong'],
      ...[info(server.port, 'bob'), PASSWORDS.bob],
      ...[info(server.port, 'carol', `sslmode=verify-full sslrootcert=${cert}`), PASSWORDS.carol],
      ...[info(tlsOnly.port, 'alice', 'sslmode=require'), PASSWORDS.alice],
      ...[info(tlsOnly.port, 'alice'), PASSWORDS.alice],
    ]);
    expect(lines[0]).toBe('ok 7');
    expect(lines[1]).toContain('password authentication failed for user "alice"');
    expect(lines[2]).toBe('ok 7');
    expect(lines[3]).toBe('ok 7');
    expect(lines[4]).toBe('ok 7');
    expect(lines[5]).toContain('accepts TLS connections only');
  });
});
