/**
 * Password verifiers and the checks that use them. A user's password is never stored: only
 *
 * - a SCRAM-SHA-256 verifier in PostgreSQL's format, `SCRAM-SHA-256$<iterations>:<salt>$<StoredKey>:<ServerKey>`
 *   (base64 parts; RFC 5802 / RFC 7677): enough to check a SCRAM exchange or a cleartext password,
 *   not to log in as the user;
 * - optionally an MD5 verifier, `md5` + md5(password + user name) — what PostgreSQL's md5 method
 *   needs. It is password-equivalent for that method, so it is kept only when asked for.
 *
 * SCRAM hashes a password after SASLprep (`saslprep.ts`), as clients do; MD5 hashes it as typed, as
 * PostgreSQL does.
 */
import { createHash, createHmac, pbkdf2, pbkdf2Sync, randomBytes, timingSafeEqual } from 'node:crypto';
import { saslprep } from './saslprep.ts';

export const SCRAM_ITERATIONS = 4096;

export interface ScramVerifier {
  readonly iterations: number;
  readonly salt: Buffer;
  readonly storedKey: Buffer;
  readonly serverKey: Buffer;
}

function hmac(key: Buffer, text: string | Buffer): Buffer {
  return createHmac('sha256', key).update(text).digest();
}

function sha256(data: Buffer): Buffer {
  return createHash('sha256').update(data).digest();
}

/** The keys SCRAM derives from a password with a salt and an iteration count. */
export function scramKeys(
  password: string,
  salt: Buffer,
  iterations: number,
): { clientKey: Buffer; storedKey: Buffer; serverKey: Buffer } {
  const salted = pbkdf2Sync(saslprep(password), salt, iterations, 32, 'sha256');
  const clientKey = hmac(salted, 'Client Key');
  return { clientKey, storedKey: sha256(clientKey), serverKey: hmac(salted, 'Server Key') };
}

/** A new SCRAM-SHA-256 verifier of `password` (random salt), in PostgreSQL's text format. */
export function makeScramVerifier(password: string, iterations = SCRAM_ITERATIONS): string {
  const salt = randomBytes(16);
  const { storedKey, serverKey } = scramKeys(password, salt, iterations);
  return formatScramVerifier({ iterations, salt, storedKey, serverKey });
}

export function formatScramVerifier(v: ScramVerifier): string {
  const b64 = (b: Buffer): string => b.toString('base64');
  return `SCRAM-SHA-256$${v.iterations}:${b64(v.salt)}$${b64(v.storedKey)}:${b64(v.serverKey)}`;
}

/** Parses PostgreSQL's SCRAM verifier text; undefined when it is not one. */
export function parseScramVerifier(text: string): ScramVerifier | undefined {
  const m = /^SCRAM-SHA-256\$(\d+):([A-Za-z0-9+/=]+)\$([A-Za-z0-9+/=]+):([A-Za-z0-9+/=]+)$/.exec(text);
  if (m === null) return undefined;
  const iterations = Number(m[1]);
  const storedKey = Buffer.from(m[3]!, 'base64');
  const serverKey = Buffer.from(m[4]!, 'base64');
  if (
    !Number.isSafeInteger(iterations) ||
    iterations < 1 ||
    storedKey.length !== 32 ||
    serverKey.length !== 32
  )
    return undefined;
  return { iterations, salt: Buffer.from(m[2]!, 'base64'), storedKey, serverKey };
}

/**
 * Whether a cleartext password matches a SCRAM verifier. The key derivation (thousands of HMAC
 * rounds) runs on libuv's thread pool, never on the server's thread.
 */
export async function checkPasswordScram(password: string, verifier: ScramVerifier): Promise<boolean> {
  const salted = await new Promise<Buffer>((resolve, reject) =>
    pbkdf2(saslprep(password), verifier.salt, verifier.iterations, 32, 'sha256', (err, key) =>
      err === null ? resolve(key) : reject(err),
    ),
  );
  return timingSafeEqual(sha256(hmac(salted, 'Client Key')), verifier.storedKey);
}

/** PostgreSQL's stored MD5 verifier: `md5` + hex md5(password + user). */
export function makeMd5Verifier(password: string, user: string): string {
  return `md5${createHash('md5')
    .update(password + user)
    .digest('hex')}`;
}

/** What an md5 client sends for a stored verifier and a 4-byte salt: `md5` + hex md5(hex + salt). */
export function md5Response(verifier: string, salt: Buffer): string {
  return `md5${createHash('md5')
    .update(Buffer.concat([Buffer.from(verifier.slice(3)), salt]))
    .digest('hex')}`;
}

/** Compares two strings in time independent of where they differ. */
export function sameText(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/**
 * A verifier for a user that does not exist: the exchange runs as for a real one (same messages,
 * a salt that is stable per user name) and then fails, so a client cannot tell unknown users from
 * wrong passwords.
 */
export function mockScramVerifier(user: string, secret: Buffer): ScramVerifier {
  const salt = hmac(secret, `salt:${user}`).subarray(0, 16);
  return { iterations: SCRAM_ITERATIONS, salt, storedKey: randomBytes(32), serverKey: randomBytes(32) };
}

/** The server side of one SCRAM-SHA-256 exchange (no channel binding). */
export class ScramExchange {
  private readonly verifier: ScramVerifier;
  private clientFirstBare = '';
  private serverFirst = '';
  private nonce = '';
  private gs2Header = '';
  private readonly serverNonce: string;

  /** `serverNonce`: the server's part of the nonce (random unless a test fixes it). */
  constructor(verifier: ScramVerifier, serverNonce = randomBytes(18).toString('base64')) {
    this.verifier = verifier;
    this.serverNonce = serverNonce;
  }

  /** The client-first-message → the server-first-message; throws `ScramError` when malformed. */
  first(message: string): string {
    // gs2-header: "n,," (no channel binding) or "y,," (client supports it, server does not).
    const m = /^([ny]),(a=[^,]*)?,(.*)$/.exec(message);
    if (m === null) {
      if (message.startsWith('p=')) throw new ScramError('channel binding is not supported');
      throw new ScramError('malformed SCRAM client-first-message');
    }
    this.gs2Header = `${m[1]},${m[2] ?? ''},`;
    this.clientFirstBare = m[3]!;
    const nonce = /(?:^|,)r=([^,]+)/.exec(this.clientFirstBare)?.[1];
    if (nonce === undefined || !/^[\x21-\x2b\x2d-\x7e]+$/.test(nonce))
      throw new ScramError('malformed SCRAM client-first-message');
    this.nonce = nonce + this.serverNonce;
    const v = this.verifier;
    this.serverFirst = `r=${this.nonce},s=${v.salt.toString('base64')},i=${v.iterations}`;
    return this.serverFirst;
  }

  /**
   * The client-final-message → the server-final-message when the proof is right, or null when the
   * password was wrong; throws `ScramError` when malformed.
   */
  final(message: string): string | null {
    const m = /^c=([^,]*),r=([^,]*)((?:,[^,]*)*),p=([A-Za-z0-9+/=]+)$/.exec(message);
    if (m === null) throw new ScramError('malformed SCRAM client-final-message');
    if (Buffer.from(m[1]!, 'base64').toString('latin1') !== this.gs2Header)
      throw new ScramError('SCRAM channel binding check failed');
    if (m[2] !== this.nonce) throw new ScramError('SCRAM nonce mismatch');
    const proof = Buffer.from(m[4]!, 'base64');
    const withoutProof = message.slice(0, message.lastIndexOf(',p='));
    const authMessage = `${this.clientFirstBare},${this.serverFirst},${withoutProof}`;
    const v = this.verifier;
    const signature = hmac(v.storedKey, authMessage);
    if (proof.length !== signature.length) return null;
    const clientKey = Buffer.alloc(proof.length);
    for (let i = 0; i < proof.length; i++) clientKey[i] = proof[i]! ^ signature[i]!;
    if (!timingSafeEqual(sha256(clientKey), v.storedKey)) return null;
    return `v=${hmac(v.serverKey, authMessage).toString('base64')}`;
  }
}

export class ScramError extends Error {}
