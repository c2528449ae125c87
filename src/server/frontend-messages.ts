/**
 * Decodes frontend message bodies into plain objects. Every read is bounds-checked: a body that is
 * shorter than its fields claim, or a string without its terminator, is a protocol violation (08P01).
 */
import { EngineError } from '../common/index.ts';
import { protocolError } from './frame-reader.ts';

export const PROTOCOL_3_0 = 196608;
export const SSL_REQUEST_CODE = 80877103;
export const GSSENC_REQUEST_CODE = 80877104;
export const CANCEL_REQUEST_CODE = 80877102;

export type StartupPacket =
  | { readonly kind: 'ssl' }
  | { readonly kind: 'gssenc' }
  | { readonly kind: 'cancel'; readonly processId: number; readonly secretKey: number }
  | { readonly kind: 'startup'; readonly version: number; readonly parameters: Record<string, string> };

export interface ParseMessage {
  readonly name: string;
  readonly sql: string;
  readonly paramOids: readonly number[];
}

export interface BindMessage {
  readonly portal: string;
  readonly statement: string;
  readonly paramFormats: readonly number[];
  readonly params: readonly (Buffer | null)[];
  readonly resultFormats: readonly number[];
}

export interface DescribeMessage {
  /** `S` statement or `P` portal. */
  readonly target: 'S' | 'P';
  readonly name: string;
}

export interface ExecuteMessage {
  readonly portal: string;
  readonly maxRows: number;
}

const utf8Strict = new TextDecoder('utf-8', { fatal: true });

/** Decodes UTF-8, rejecting invalid sequences with 22021 as PostgreSQL does. */
export function decodeUtf8(bytes: Uint8Array): string {
  try {
    return utf8Strict.decode(bytes);
  } catch {
    throw new EngineError('22021', 'invalid byte sequence for encoding "UTF8"');
  }
}

/** A bounds-checked cursor over one message body. */
export class BodyReader {
  private pos = 0;
  private readonly body: Buffer;

  constructor(body: Buffer) {
    this.body = body;
  }

  private need(n: number): void {
    if (this.pos + n > this.body.length) throw protocolError('message is shorter than its contents');
  }

  int16(): number {
    this.need(2);
    const v = this.body.readInt16BE(this.pos);
    this.pos += 2;
    return v;
  }

  int32(): number {
    this.need(4);
    const v = this.body.readInt32BE(this.pos);
    this.pos += 4;
    return v;
  }

  uint32(): number {
    this.need(4);
    const v = this.body.readUInt32BE(this.pos);
    this.pos += 4;
    return v;
  }

  byte(): number {
    this.need(1);
    return this.body[this.pos++]!;
  }

  cstring(): string {
    const end = this.body.indexOf(0, this.pos);
    if (end < 0) throw protocolError('invalid string in message: missing terminator');
    const s = decodeUtf8(this.body.subarray(this.pos, end));
    this.pos = end + 1;
    return s;
  }

  bytes(n: number): Buffer {
    this.need(n);
    const b = this.body.subarray(this.pos, this.pos + n);
    this.pos += n;
    return b;
  }

  get remaining(): number {
    return this.body.length - this.pos;
  }

  /** The message must end here. */
  end(): void {
    if (this.pos !== this.body.length)
      throw protocolError('invalid message format: unexpected trailing bytes');
  }
}

export function decodeStartup(body: Buffer): StartupPacket {
  const r = new BodyReader(body);
  const code = r.int32();
  if (code === SSL_REQUEST_CODE) return { kind: 'ssl' };
  if (code === GSSENC_REQUEST_CODE) return { kind: 'gssenc' };
  if (code === CANCEL_REQUEST_CODE) {
    const processId = r.int32();
    const secretKey = r.int32();
    return { kind: 'cancel', processId, secretKey };
  }
  const parameters: Record<string, string> = {};
  if (code >>> 16 === 3) {
    for (;;) {
      if (r.remaining === 0)
        throw protocolError('invalid startup packet layout: expected terminator as last byte');
      const name = r.cstring();
      if (name === '') break;
      parameters[name] = r.cstring();
    }
    r.end();
  }
  return { kind: 'startup', version: code, parameters };
}

export function decodeQuery(body: Buffer): string {
  const r = new BodyReader(body);
  const sql = r.cstring();
  r.end();
  return sql;
}

export function decodeParse(body: Buffer): ParseMessage {
  const r = new BodyReader(body);
  const name = r.cstring();
  const sql = r.cstring();
  const count = r.int16();
  if (count < 0) throw protocolError('invalid number of parameter types');
  const paramOids: number[] = [];
  for (let i = 0; i < count; i++) paramOids.push(r.uint32());
  r.end();
  return { name, sql, paramOids };
}

function formatCodes(r: BodyReader, what: string): number[] {
  const count = r.int16();
  if (count < 0) throw protocolError(`invalid number of ${what} format codes`);
  const codes: number[] = [];
  for (let i = 0; i < count; i++) {
    const code = r.int16();
    if (code !== 0 && code !== 1) throw protocolError(`unsupported format code: ${code}`);
    codes.push(code);
  }
  return codes;
}

export function decodeBind(body: Buffer): BindMessage {
  const r = new BodyReader(body);
  const portal = r.cstring();
  const statement = r.cstring();
  const paramFormats = formatCodes(r, 'parameter');
  const count = r.int16();
  if (count < 0) throw protocolError('invalid number of parameters');
  const params: (Buffer | null)[] = [];
  for (let i = 0; i < count; i++) {
    const len = r.int32();
    if (len === -1) params.push(null);
    else if (len < 0) throw protocolError(`invalid parameter length ${len}`);
    else params.push(r.bytes(len));
  }
  const resultFormats = formatCodes(r, 'result');
  r.end();
  return { portal, statement, paramFormats, params, resultFormats };
}

export function decodeDescribeOrClose(body: Buffer): DescribeMessage {
  const r = new BodyReader(body);
  const target = r.byte();
  if (target !== 83 && target !== 80) throw protocolError(`invalid DESCRIBE/CLOSE message subtype ${target}`);
  const name = r.cstring();
  r.end();
  return { target: target === 83 ? 'S' : 'P', name };
}

export function decodeExecute(body: Buffer): ExecuteMessage {
  const r = new BodyReader(body);
  const portal = r.cstring();
  const maxRows = r.int32();
  r.end();
  return { portal, maxRows: maxRows < 0 ? 0 : maxRows };
}
