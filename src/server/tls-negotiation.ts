/**
 * What happens on a new connection before its start-up message: PostgreSQL clients may first send
 * an SSLRequest (answered 'S' and followed by a TLS handshake when the server has a certificate,
 * else 'N') or a GSSENCRequest (always 'N'), then the start-up message itself, in the clear or
 * inside TLS. The result is the socket to speak the protocol on and the bytes already read from it.
 */
import type { Socket } from 'node:net';
import { TLSSocket, type SecureContext } from 'node:tls';

const SSL_REQUEST = 80877103;
const GSSENC_REQUEST = 80877104;
/** A client that opens TLS but does not finish its handshake in this time is dropped. */
const HANDSHAKE_TIMEOUT_MS = 30_000;

export interface Negotiated {
  readonly socket: Socket;
  readonly ssl: boolean;
  /** Bytes of the start-up packet already read (plain connections only). */
  readonly initial: Buffer;
  /** The client ended its side while they were read. */
  readonly ended: boolean;
}

/** Reads until `n` bytes have arrived, or the socket ends (then fewer). */
function readAtLeast(socket: Socket, buffered: Buffer, n: number): Promise<{ data: Buffer; ended: boolean }> {
  if (buffered.length >= n) return Promise.resolve({ data: buffered, ended: false });
  return new Promise((resolve) => {
    let data = buffered;
    const finish = (ended: boolean): void => {
      socket.off('data', onData);
      socket.off('end', onEnd);
      socket.off('close', onEnd);
      socket.pause();
      resolve({ data, ended });
    };
    const onEnd = (): void => finish(true);
    const onData = (chunk: Buffer): void => {
      data = data.length === 0 ? chunk : Buffer.concat([data, chunk]);
      if (data.length >= n) finish(false);
    };
    socket.on('data', onData);
    socket.on('end', onEnd);
    socket.on('close', onEnd);
    socket.resume();
  });
}

/**
 * Answers SSLRequest / GSSENCRequest packets; resolves to the socket the start-up message comes on.
 * Anything else (a start-up or cancel packet, or bytes that are neither) is left to the connection.
 */
export async function negotiate(socket: Socket, tls: SecureContext | null): Promise<Negotiated> {
  let buffered: Buffer = Buffer.alloc(0);
  for (;;) {
    // The length first: only an 8-byte packet can be a request to negotiate.
    let read = await readAtLeast(socket, buffered, 4);
    buffered = read.data;
    if (read.ended || buffered.readInt32BE(0) !== 8)
      return { socket, ssl: false, initial: buffered, ended: read.ended };
    read = await readAtLeast(socket, buffered, 8);
    buffered = read.data;
    if (read.ended) return { socket, ssl: false, initial: buffered, ended: true };
    const code = buffered.readInt32BE(4);
    if (code !== SSL_REQUEST && code !== GSSENC_REQUEST)
      return { socket, ssl: false, initial: buffered, ended: false };
    buffered = buffered.subarray(8);
    if (code === SSL_REQUEST && tls !== null) {
      if (buffered.length > 0) {
        // Bytes after an SSLRequest before our answer: not a client we can trust to follow TLS.
        socket.destroy();
        return { socket, ssl: false, initial: Buffer.alloc(0), ended: true };
      }
      socket.write('S');
      return { socket: await handshake(socket, tls), ssl: true, initial: Buffer.alloc(0), ended: false };
    }
    socket.write('N');
  }
}

function handshake(socket: Socket, context: SecureContext): Promise<Socket> {
  const secure = new TLSSocket(socket, { isServer: true, secureContext: context });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      secure.destroy();
      reject(new Error('TLS handshake timed out'));
    }, HANDSHAKE_TIMEOUT_MS);
    secure.once('secure', () => {
      clearTimeout(timer);
      resolve(secure);
    });
    secure.once('error', (err: Error) => {
      clearTimeout(timer);
      secure.destroy();
      reject(err);
    });
    socket.resume();
  });
}
