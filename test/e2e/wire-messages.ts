/**
 * Byte-level PostgreSQL protocol pieces for the wire fuzz test: encoders of frontend messages that
 * can also be wrong on purpose (any type byte, any length field, any field values), and a strict
 * decoder of backend messages that refuses anything not exactly as protocol 3.0 lays it out — a
 * short or long body, a string without its terminator, an unknown message type, a bad format code.
 */

/** A frontend message: `type` byte, int32 length (its own 4 bytes + body), body. */
export function frame(type: number, body: Buffer, length = body.length + 4): Buffer {
  const header = Buffer.alloc(5);
  header[0] = type;
  header.writeInt32BE(length | 0, 1);
  return Buffer.concat([header, body]);
}

export function cstr(text: string): Buffer {
  return Buffer.concat([Buffer.from(text, 'utf8'), Buffer.from([0])]);
}

export function int16(n: number): Buffer {
  const b = Buffer.alloc(2);
  b.writeInt16BE((n << 16) >> 16);
  return b;
}

export function int32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeInt32BE(n | 0);
  return b;
}

export function uint32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n >>> 0);
  return b;
}

const ch = (c: string): number => c.charCodeAt(0);

export function startupMessage(parameters: Record<string, string>): Buffer {
  const body = Buffer.concat([
    int32(196608),
    ...Object.entries(parameters).flatMap(([k, v]) => [cstr(k), cstr(v)]),
    Buffer.from([0]),
  ]);
  return Buffer.concat([int32(body.length + 4), body]);
}

export const query = (sql: string): Buffer => frame(ch('Q'), cstr(sql));
export const sync = (): Buffer => frame(ch('S'), Buffer.alloc(0));
export const flush = (): Buffer => frame(ch('H'), Buffer.alloc(0));
export const terminate = (): Buffer => frame(ch('X'), Buffer.alloc(0));
export const copyData = (data: Buffer): Buffer => frame(ch('d'), data);
export const copyDone = (): Buffer => frame(ch('c'), Buffer.alloc(0));
export const copyFail = (reason: string): Buffer => frame(ch('f'), cstr(reason));

export function parse(name: string, sql: string, oids: readonly number[]): Buffer {
  return frame(ch('P'), Buffer.concat([cstr(name), cstr(sql), int16(oids.length), ...oids.map(uint32)]));
}

export function bind(
  portal: string,
  statement: string,
  paramFormats: readonly number[],
  params: readonly (Buffer | null)[],
  resultFormats: readonly number[],
): Buffer {
  return frame(
    ch('B'),
    Buffer.concat([
      cstr(portal),
      cstr(statement),
      int16(paramFormats.length),
      ...paramFormats.map(int16),
      int16(params.length),
      ...params.flatMap((p) => (p === null ? [int32(-1)] : [int32(p.length), p])),
      int16(resultFormats.length),
      ...resultFormats.map(int16),
    ]),
  );
}

/** Describe (`D`) or Close (`C`) of a statement (`S`), a portal (`P`), or any other byte. */
export function describeOrClose(type: 'D' | 'C', target: number, name: string): Buffer {
  return frame(ch(type), Buffer.concat([Buffer.from([target]), cstr(name)]));
}

export function execute(portal: string, maxRows: number): Buffer {
  return frame(ch('E'), Buffer.concat([cstr(portal), int32(maxRows)]));
}

export function functionCall(
  oid: number,
  argFormats: readonly number[],
  args: readonly (Buffer | null)[],
  resultFormat: number,
): Buffer {
  return frame(
    ch('F'),
    Buffer.concat([
      uint32(oid),
      int16(argFormats.length),
      ...argFormats.map(int16),
      int16(args.length),
      ...args.flatMap((a) => (a === null ? [int32(-1)] : [int32(a.length), a])),
      int16(resultFormat),
    ]),
  );
}

export interface BackendMessage {
  /** The type byte as a character: `Z`, `E`, `D`, … */
  readonly type: string;
  readonly body: Buffer;
  /** ErrorResponse / NoticeResponse fields by their code (`C` SQLSTATE, `S` severity, `M` message). */
  readonly fields?: Readonly<Record<string, string>>;
  /** ReadyForQuery's transaction status. */
  readonly status?: string;
  /** A DataRow's values (null for NULL), CommandComplete's tag as one value. */
  readonly values?: readonly (Buffer | null)[];
}

/** A backend message that breaks the protocol's layout. */
export class MalformedMessage extends Error {}

class Cursor {
  private pos = 0;
  private readonly body: Buffer;
  private readonly type: string;

  constructor(type: string, body: Buffer) {
    this.type = type;
    this.body = body;
  }

  fail(what: string): never {
    throw new MalformedMessage(`${this.type} message ${this.body.toString('hex')}: ${what}`);
  }

  take(n: number): Buffer {
    if (n < 0 || this.pos + n > this.body.length) this.fail(`needs ${n} more bytes at ${this.pos}`);
    const out = this.body.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }

  i16(): number {
    return this.take(2).readInt16BE(0);
  }

  i32(): number {
    return this.take(4).readInt32BE(0);
  }

  cstring(): string {
    const end = this.body.indexOf(0, this.pos);
    if (end < 0) this.fail('string without terminator');
    const bytes = this.body.subarray(this.pos, end);
    this.pos = end + 1;
    const text = bytes.toString('utf8');
    if (!Buffer.from(text, 'utf8').equals(bytes)) this.fail('string is not valid UTF-8');
    return text;
  }

  end(): void {
    if (this.pos !== this.body.length) this.fail(`${this.body.length - this.pos} bytes past its fields`);
  }
}

/** Checks one backend message's body against its type's layout; returns it with its parts. */
export function decodeBackend(type: string, body: Buffer): BackendMessage {
  const c = new Cursor(type, body);
  switch (type) {
    case 'E':
    case 'N': {
      const fields: Record<string, string> = {};
      for (;;) {
        const code = c.take(1)[0]!;
        if (code === 0) break;
        fields[String.fromCharCode(code)] = c.cstring();
      }
      c.end();
      return { type, body, fields };
    }
    case 'Z': {
      const status = String.fromCharCode(c.take(1)[0]!);
      c.end();
      if (!'ITE'.includes(status)) c.fail(`transaction status ${status}`);
      return { type, body, status };
    }
    case '1':
    case '2':
    case '3':
    case 'n':
    case 's':
    case 'I':
    case 'c':
      c.end();
      return { type, body };
    case 'C': {
      const tag = c.cstring();
      c.end();
      return { type, body, values: [Buffer.from(tag)] };
    }
    case 'T': {
      const n = c.i16();
      if (n < 0) c.fail('negative column count');
      for (let i = 0; i < n; i++) {
        c.cstring();
        c.take(4 + 2 + 4 + 2 + 4);
        const format = c.i16();
        if (format !== 0 && format !== 1) c.fail(`format code ${format}`);
      }
      c.end();
      return { type, body };
    }
    case 'D': {
      const n = c.i16();
      if (n < 0) c.fail('negative column count');
      const values: (Buffer | null)[] = [];
      for (let i = 0; i < n; i++) {
        const len = c.i32();
        if (len < -1) c.fail(`value length ${len}`);
        values.push(len === -1 ? null : c.take(len));
      }
      c.end();
      return { type, body, values };
    }
    case 't': {
      const n = c.i16();
      if (n < 0) c.fail('negative parameter count');
      c.take(4 * n);
      c.end();
      return { type, body };
    }
    case 'S':
      c.cstring();
      c.cstring();
      c.end();
      return { type, body };
    case 'K':
      c.take(8);
      c.end();
      return { type, body };
    case 'R': {
      const kind = c.i32();
      if (kind !== 0) c.fail(`authentication request ${kind} on a trusted connection`);
      c.end();
      return { type, body };
    }
    case 'G':
    case 'H':
    case 'W': {
      const overall = c.take(1)[0]!;
      if (overall > 1) c.fail(`overall format ${overall}`);
      const n = c.i16();
      if (n < 0) c.fail('negative column count');
      for (let i = 0; i < n; i++) {
        const f = c.i16();
        if (f !== 0 && f !== 1) c.fail(`format code ${f}`);
      }
      c.end();
      return { type, body };
    }
    case 'd':
      return { type, body };
    case 'V': {
      const len = c.i32();
      if (len < -1) c.fail(`result length ${len}`);
      if (len > 0) c.take(len);
      c.end();
      return { type, body };
    }
    default:
      return c.fail('unknown backend message type');
  }
}

/** Splits received bytes into checked backend messages; keeps an unfinished tail for later. */
export class BackendReader {
  private pending: Buffer = Buffer.alloc(0);
  readonly messages: BackendMessage[] = [];

  push(chunk: Buffer): void {
    this.pending = this.pending.length === 0 ? chunk : Buffer.concat([this.pending, chunk]);
    while (this.pending.length >= 5) {
      const type = String.fromCharCode(this.pending[0]!);
      const length = this.pending.readInt32BE(1);
      if (length < 4) throw new MalformedMessage(`${type} message with length ${length}`);
      if (this.pending.length < 1 + length) return;
      this.messages.push(decodeBackend(type, this.pending.subarray(5, 1 + length)));
      this.pending = this.pending.subarray(1 + length);
    }
  }

  /** Bytes of a message not yet complete. */
  get leftover(): number {
    return this.pending.length;
  }
}
