/**
 * The users who may log in with a password: `_kindling_users.json` in the warehouse, readable by
 * its owner only (mode 0600), holding for each user a SCRAM-SHA-256 verifier and, when asked for,
 * an MD5 verifier — never a password (see verifiers.ts). Written atomically (a temp file, fsynced,
 * renamed into place), so a crash leaves the old file or the new one. `kindling user add|remove|list`
 * manages it; the server reads it at each login, so changes apply without a restart.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { randomBytes } from 'node:crypto';
import { EngineError, SqlState } from '../../common/index.ts';
import { makeMd5Verifier, makeScramVerifier, parseScramVerifier } from './verifiers.ts';

export const USERS_FILE = '_kindling_users.json';

export interface UserEntry {
  readonly scram: string;
  readonly md5?: string;
}

interface UsersFile {
  readonly version: 1;
  readonly users: Record<string, UserEntry>;
}

function usersPath(warehouse: string): string {
  return path.join(warehouse, USERS_FILE);
}

function badFile(file: string, why: string): EngineError {
  return new EngineError(SqlState.ioError, `could not read the users file "${file}": ${why}`);
}

/** The users of a warehouse (none when it has no users file). */
export function readUsers(warehouse: string): Map<string, UserEntry> {
  const file = usersPath(warehouse);
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return new Map();
    throw badFile(file, (err as Error).message);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw badFile(file, (err as Error).message);
  }
  const users = (parsed as Partial<UsersFile> | null)?.users;
  if (typeof users !== 'object' || users === null) throw badFile(file, 'no "users" object');
  const out = new Map<string, UserEntry>();
  for (const [name, entry] of Object.entries(users)) {
    const e = entry as Partial<UserEntry> | null;
    if (typeof e?.scram !== 'string' || parseScramVerifier(e.scram) === undefined)
      throw badFile(file, `user "${name}" has no valid SCRAM verifier`);
    out.set(name, typeof e.md5 === 'string' ? { scram: e.scram, md5: e.md5 } : { scram: e.scram });
  }
  return out;
}

function writeUsers(warehouse: string, users: ReadonlyMap<string, UserEntry>): void {
  const file = usersPath(warehouse);
  const content: UsersFile = { version: 1, users: Object.fromEntries([...users].sort()) };
  const temp = path.join(warehouse, `.${USERS_FILE}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`);
  try {
    fs.mkdirSync(warehouse, { recursive: true });
    const fd = fs.openSync(temp, 'wx', 0o600);
    try {
      fs.writeSync(fd, `${JSON.stringify(content, null, 2)}\n`);
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    fs.renameSync(temp, file);
  } catch (err) {
    fs.rmSync(temp, { force: true });
    throw new EngineError(
      SqlState.ioError,
      `could not write the users file "${file}": ${(err as Error).message}`,
    );
  }
}

function checkName(name: string): void {
  if (name === '' || name.length > 63 || /[\x00-\x1f]/.test(name)) {
    throw new EngineError(SqlState.invalidParameterValue, `invalid user name "${name}"`);
  }
}

/** Adds a user or sets a user's password; `md5` also keeps an MD5 verifier for md5 rules. */
export function setUserPassword(warehouse: string, name: string, password: string, md5 = false): void {
  checkName(name);
  if (password === '') throw new EngineError(SqlState.invalidParameterValue, 'the password is empty');
  const users = readUsers(warehouse);
  const scram = makeScramVerifier(password);
  users.set(name, md5 ? { scram, md5: makeMd5Verifier(password, name) } : { scram });
  writeUsers(warehouse, users);
}

/** Removes a user; false when there was none of that name. */
export function removeUser(warehouse: string, name: string): boolean {
  const users = readUsers(warehouse);
  if (!users.delete(name)) return false;
  writeUsers(warehouse, users);
  return true;
}
