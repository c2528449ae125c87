import { statSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { WriteBuffer } from '../write-buffer.ts';
import { exchangeFor } from './exchanges.ts';
import { isLoopbackHost, matchRule, parseHba, remoteTrustRules } from './hba.ts';
import { USERS_FILE, readUsers, removeUser, setUserPassword } from './users.ts';
import {
  ScramExchange,
  checkPasswordScram,
  formatScramVerifier,
  makeMd5Verifier,
  makeScramVerifier,
  md5Response,
  parseScramVerifier,
  scramKeys,
} from './verifiers.ts';

const dir = mkdtempSync(join(tmpdir(), 'kindling-auth-unit-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('hba rules', () => {
  const rules = parseHba(`
    # comment
    hostssl   tpch,sales  alice      10.0.0.0/8     scram-sha-256
    hostnossl all         alice      10.0.0.0/8     reject
    host      all         all        ::1/128        trust
    host      all         bob,carol  192.168.1.7    md5   # trailing comment
    host      all         all        all            password
  `);

  it('matches the first rule by type, database, user and address', () => {
    const m = (address: string, ssl: boolean, database: string, user: string) =>
      matchRule(rules, { address, ssl, database, user })?.line;
    expect(m('10.1.2.3', true, 'tpch', 'alice')).toBe(3);
    expect(m('10.1.2.3', false, 'tpch', 'alice')).toBe(4);
    expect(m('10.1.2.3', true, 'other', 'alice')).toBe(7);
    expect(m('::1', false, 'x', 'zed')).toBe(5);
    expect(m('::ffff:192.168.1.7', false, 'x', 'carol')).toBe(6);
    expect(m('192.168.1.7', false, 'x', 'bob')).toBe(6);
    expect(m('192.168.1.8', false, 'x', 'bob')).toBe(7);
  });

  it('names the line of a bad rule', () => {
    expect(() => parseHba('host all all 127.0.0.1/32 trust\nlocal all all trust', 'f.conf')).toThrow(
      /f\.conf, line 2: expected TYPE DATABASE USER ADDRESS METHOD/,
    );
    expect(() => parseHba('hosts all all all trust')).toThrow(/line 1: unknown connection type "hosts"/);
    expect(() => parseHba('host all all all ident')).toThrow(/unknown method "ident"/);
    expect(() => parseHba('host all all 10.0.0.0/33 md5')).toThrow(/invalid CIDR mask/);
    expect(() => parseHba('host all all 10.0.0.300 md5')).toThrow(/invalid IP address/);
  });

  it('finds trust rules that reach beyond loopback', () => {
    const open = parseHba(
      'host all all 127.0.0.1/32 trust\nhost all all ::1 trust\nhost all all 0.0.0.0/0 trust',
    );
    expect(remoteTrustRules(open).map((r) => r.line)).toEqual([3]);
    expect(remoteTrustRules(parseHba('host all all all trust')).length).toBe(1);
    expect(remoteTrustRules(parseHba('host all all all scram-sha-256')).length).toBe(0);
    expect(['127.0.0.1', '127.9.9.9', '::1', 'localhost'].every(isLoopbackHost)).toBe(true);
    expect(['0.0.0.0', '10.0.0.1', '::'].some(isLoopbackHost)).toBe(false);
  });
});

describe('verifiers', () => {
  it('SCRAM-SHA-256: RFC 7677 test vector', () => {
    const salt = Buffer.from('W22ZaJ0SNY7soEsUEjb6gQ==', 'base64');
    const keys = scramKeys('pencil', salt, 4096);
    const verifier = { iterations: 4096, salt, storedKey: keys.storedKey, serverKey: keys.serverKey };
    const exchange = new ScramExchange(verifier, '%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0');
    expect(exchange.first('n,,n=user,r=rOprNGfwEbeRWgbNEkqO')).toBe(
      'r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096',
    );
    const final = 'c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0';
    expect(exchange.final(`${final},p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=`)).toBe(
      'v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=',
    );
    const wrong = new ScramExchange(verifier, '%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0');
    wrong.first('n,,n=user,r=rOprNGfwEbeRWgbNEkqO');
    expect(wrong.final(`${final},p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVA=`)).toBeNull();
    expect(() => wrong.final('c=biws,r=other,p=AAAA')).toThrow(/nonce/);
  });

  it('stores verifiers in PostgreSQL’s formats, and checks cleartext passwords against them', async () => {
    const text = makeScramVerifier('s3cret', 4096);
    expect(text).toMatch(/^SCRAM-SHA-256\$4096:[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+:[A-Za-z0-9+/=]+$/);
    const v = parseScramVerifier(text)!;
    expect(formatScramVerifier(v)).toBe(text);
    expect(await checkPasswordScram('s3cret', v)).toBe(true);
    expect(await checkPasswordScram('s3cret ', v)).toBe(false);
    expect(parseScramVerifier('md5abc')).toBeUndefined();
    // PostgreSQL's md5: md5(password + user), then md5(hex + salt) on the wire.
    expect(makeMd5Verifier('pw', 'u')).toBe('md5b350798a23d7544eb353a6f8dca231c2');
    expect(md5Response('md5b350798a23d7544eb353a6f8dca231c2', Buffer.from([1, 2, 3, 4]))).toBe(
      'md50803a98a0618b75c8f9a50f280cad373',
    );
  });

  it('md5 rules challenge with md5 only users that have an MD5 verifier, others with SCRAM', () => {
    const first = (ex: ReturnType<typeof exchangeFor>): number => {
      const out = new WriteBuffer();
      ex.start(out);
      return out.take().readInt32BE(5);
    };
    const scram = makeScramVerifier('x');
    expect(first(exchangeFor('md5', 'bob', { scram, md5: makeMd5Verifier('x', 'bob') }))).toBe(5);
    expect(first(exchangeFor('md5', 'bob', { scram }))).toBe(10);
    expect(first(exchangeFor('scram-sha-256', 'nobody', undefined))).toBe(10);
    expect(first(exchangeFor('password', 'bob', { scram }))).toBe(3);
  });

  it('password rules check the cleartext off the server thread; an unknown user always fails', async () => {
    const scram = makeScramVerifier('right one');
    const answer = (text: string): Buffer => Buffer.from(`${text}\0`, 'utf8');
    const receive = (ex: ReturnType<typeof exchangeFor>, text: string): Promise<string> =>
      Promise.resolve(ex.receive(answer(text), new WriteBuffer()));
    expect(await receive(exchangeFor('password', 'bob', { scram }), 'right one')).toBe('ok');
    expect(await receive(exchangeFor('password', 'bob', { scram }), 'wrong')).toBe('fail');
    expect(await receive(exchangeFor('password', 'bob', { scram }), '')).toBe('fail');
    expect(await receive(exchangeFor('password', 'nobody', undefined), 'right one')).toBe('fail');
  });
});

describe('users file', () => {
  it('keeps verifiers only, readable by its owner, and removes users', () => {
    setUserPassword(dir, 'ann', 'hunter2-long-password');
    setUserPassword(dir, 'ben', 'other pass', true);
    const file = join(dir, USERS_FILE);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const text = readFileSync(file, 'utf8');
    expect(text).not.toContain('hunter2');
    expect(text).not.toContain('other pass');
    expect([...readUsers(dir).keys()]).toEqual(['ann', 'ben']);
    expect(readUsers(dir).get('ben')!.md5).toMatch(/^md5[0-9a-f]{32}$/);
    expect(removeUser(dir, 'ann')).toBe(true);
    expect(removeUser(dir, 'ann')).toBe(false);
    expect([...readUsers(dir).keys()]).toEqual(['ben']);
    expect(() => setUserPassword(dir, '', 'x')).toThrow(/invalid user name/);
    expect(() => setUserPassword(dir, 'cat', '')).toThrow(/empty/);
  });

  it('a damaged users file is an error naming it, never an empty list', () => {
    const other = mkdtempSync(join(tmpdir(), 'kindling-auth-bad-'));
    writeFileSync(join(other, USERS_FILE), '{"users": {"x": {"scram": "plain"}}}');
    expect(() => readUsers(other)).toThrow(/no valid SCRAM verifier/);
    writeFileSync(join(other, USERS_FILE), '{not json');
    expect(() => readUsers(other)).toThrow(/could not read the users file/);
    rmSync(other, { recursive: true, force: true });
    expect(readUsers(other).size).toBe(0);
  });
});
