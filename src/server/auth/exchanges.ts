/**
 * The password exchanges of start-up, one per method: the server's Authentication requests and
 * the checks of the client's answers ('p' messages). Each exchange ends `ok` or `fail`; a malformed
 * answer throws 08P01. Nothing here keeps or logs a password.
 */
import { randomBytes } from 'node:crypto';
import { EngineError, SqlState } from '../../common/index.ts';
import { writeAuthenticationRequest } from '../backend-messages.ts';
import { protocolError } from '../frame-reader.ts';
import type { WriteBuffer } from '../write-buffer.ts';
import type { AuthMethod } from './hba.ts';
import type { UserEntry } from './users.ts';
import {
  ScramError,
  ScramExchange,
  checkPasswordScram,
  md5Response,
  mockScramVerifier,
  parseScramVerifier,
  sameText,
  type ScramVerifier,
} from './verifiers.ts';

export type AuthStep = 'continue' | 'ok' | 'fail';

export interface AuthExchange {
  /** Writes the first Authentication request. */
  start(out: WriteBuffer): void;
  /** Handles the body of one 'p' message, writing any next request. */
  receive(body: Buffer, out: WriteBuffer): AuthStep | Promise<AuthStep>;
}

const AUTH_CLEARTEXT = 3;
const AUTH_MD5 = 5;
const AUTH_SASL = 10;
const AUTH_SASL_CONTINUE = 11;
const AUTH_SASL_FINAL = 12;

/** A per-process secret for the salts shown for users that do not exist. */
const MOCK_SECRET = randomBytes(32);

function cstringAt(body: Buffer, at: number): { text: string; next: number } {
  const end = body.indexOf(0, at);
  if (end < 0) throw protocolError('invalid password packet: missing terminator');
  return { text: body.toString('utf8', at, end), next: end + 1 };
}

class CleartextExchange implements AuthExchange {
  private readonly verifier: ScramVerifier;
  private readonly known: boolean;
  /** `verifier`: the user's, or a mock one for a user that does not exist (`known` false). */
  constructor(verifier: ScramVerifier, known: boolean) {
    this.verifier = verifier;
    this.known = known;
  }
  start(out: WriteBuffer): void {
    writeAuthenticationRequest(out, AUTH_CLEARTEXT);
  }
  async receive(body: Buffer): Promise<AuthStep> {
    const { text } = cstringAt(body, 0);
    // An unknown user's password is checked too (against the mock verifier): the answer takes as
    // long as for a user that exists.
    const matches = text !== '' && (await checkPasswordScram(text, this.verifier));
    return matches && this.known ? 'ok' : 'fail';
  }
}

class Md5Exchange implements AuthExchange {
  private readonly verifier: string;
  private readonly salt = randomBytes(4);
  constructor(verifier: string) {
    this.verifier = verifier;
  }
  start(out: WriteBuffer): void {
    writeAuthenticationRequest(out, AUTH_MD5, this.salt);
  }
  receive(body: Buffer): AuthStep {
    const { text } = cstringAt(body, 0);
    return sameText(text, md5Response(this.verifier, this.salt)) ? 'ok' : 'fail';
  }
}

class ScramServerExchange implements AuthExchange {
  private readonly scram: ScramExchange;
  private readonly known: boolean;
  private step = 0;
  constructor(verifier: ScramVerifier, known: boolean) {
    this.scram = new ScramExchange(verifier);
    this.known = known;
  }
  start(out: WriteBuffer): void {
    writeAuthenticationRequest(out, AUTH_SASL, Buffer.from('SCRAM-SHA-256\0\0', 'latin1'));
  }
  receive(body: Buffer, out: WriteBuffer): AuthStep {
    try {
      if (this.step === 0) {
        // SASLInitialResponse: mechanism, then the length-prefixed client-first-message.
        const { text: mechanism, next } = cstringAt(body, 0);
        if (mechanism !== 'SCRAM-SHA-256') {
          throw protocolError(`client selected an invalid SASL authentication mechanism "${mechanism}"`);
        }
        if (next + 4 > body.length) throw protocolError('invalid SASLInitialResponse message');
        const length = body.readInt32BE(next);
        if (length < 0 || next + 4 + length !== body.length)
          throw protocolError('invalid SASLInitialResponse message');
        const serverFirst = this.scram.first(body.toString('utf8', next + 4));
        writeAuthenticationRequest(out, AUTH_SASL_CONTINUE, Buffer.from(serverFirst, 'utf8'));
        this.step = 1;
        return 'continue';
      }
      const serverFinal = this.scram.final(body.toString('utf8'));
      if (serverFinal === null || !this.known) return 'fail';
      writeAuthenticationRequest(out, AUTH_SASL_FINAL, Buffer.from(serverFinal, 'utf8'));
      return 'ok';
    } catch (err) {
      if (err instanceof ScramError) throw protocolError(err.message);
      throw err;
    }
  }
}

/** The exchange a rule's method asks of `user` (whose entry may be missing). */
export function exchangeFor(method: AuthMethod, user: string, entry: UserEntry | undefined): AuthExchange {
  const verifier = entry === undefined ? undefined : parseScramVerifier(entry.scram);
  switch (method) {
    case 'password':
      return new CleartextExchange(verifier ?? mockScramVerifier(user, MOCK_SECRET), verifier !== undefined);
    case 'md5':
    case 'scram-sha-256':
      // As in PostgreSQL, an md5 rule asks a user with only a SCRAM verifier for SCRAM instead.
      if (method === 'md5' && entry?.md5 !== undefined) return new Md5Exchange(entry.md5);
      return new ScramServerExchange(
        verifier ?? mockScramVerifier(user, MOCK_SECRET),
        verifier !== undefined,
      );
    case 'trust':
    case 'reject':
      throw new EngineError(SqlState.internalError, `internal error: ${method} needs no password exchange`);
  }
}
