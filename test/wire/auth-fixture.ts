/**
 * Servers for the authentication tests (psql, pg, JDBC, psycopg): the wire server over the fake
 * session, with rules of every kind, three users, and a throw-away certificate made with openssl —
 * one server that offers TLS and one that requires it.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  parseHba,
  readUsers,
  setUserPassword,
  startServer,
  type ServerHandle,
} from '../../src/server/index.ts';
import { FakeSession } from './fake-session.ts';

export const RULES = `
# every rule kind the tests need
host      all  alice  127.0.0.1/32  scram-sha-256
host      all  bob    127.0.0.1/32  md5
hostssl   all  carol  127.0.0.1/32  password
hostnossl all  carol  127.0.0.1/32  reject
host      all  dave   127.0.0.1/32  reject
host      all  trusty 127.0.0.1/32  trust
host      test all    127.0.0.1/32  scram-sha-256
`;

/** alice: SCRAM only; bob: SCRAM and MD5 verifiers; carol: a password rule over TLS only. */
export const PASSWORDS = { alice: 'correct horse', bob: 'b0b-md5', carol: 'clear as day' } as const;

export interface AuthServers {
  /** Holds the users file and the certificate. */
  readonly dir: string;
  readonly server: ServerHandle;
  readonly tlsOnly: ServerHandle;
  /** The certificate (its own CA), for verify-full. */
  readonly cert: string;
  close(): Promise<void>;
}

export async function startAuthServers(): Promise<AuthServers> {
  const dir = mkdtempSync(join(tmpdir(), 'kindling-auth-'));
  const key = join(dir, 'server.key');
  const cert = join(dir, 'server.crt');
  execFileSync(
    'openssl',
    ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-days', '1'].concat([
      '-subj',
      '/CN=localhost',
      '-addext',
      'subjectAltName=DNS:localhost,IP:127.0.0.1',
    ]),
    { stdio: 'ignore' },
  );
  setUserPassword(dir, 'alice', PASSWORDS.alice);
  setUserPassword(dir, 'bob', PASSWORDS.bob, true);
  setUserPassword(dir, 'carol', PASSWORDS.carol);
  const options = {
    host: '127.0.0.1',
    port: 0,
    createSession: () => new FakeSession(''),
    auth: { rules: parseHba(RULES), user: (name: string) => readUsers(dir).get(name) },
    tls: { cert: readFileSync(cert), key: readFileSync(key) },
  };
  const server = await startServer(options);
  const tlsOnly = await startServer({ ...options, tls: { ...options.tls, required: true } });
  return {
    dir,
    server,
    tlsOnly,
    cert,
    close: async () => {
      await server.close();
      await tlsOnly.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
