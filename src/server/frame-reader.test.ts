import { describe, expect, it } from 'vitest';
import { serialize } from 'pg-protocol';
import { FrameReader, type Frame } from './frame-reader.ts';
import { decodeBind, decodeExecute, decodeParse, decodeQuery, decodeStartup } from './frontend-messages.ts';

function frames(bytes: Buffer, cut: number[]): { frames: Frame[]; error: string | null } {
  const reader = new FrameReader();
  const out: Frame[] = [];
  let last = 0;
  try {
    for (const c of [...cut, bytes.length]) {
      reader.push(bytes.subarray(last, c));
      last = c;
      for (let f = reader.next(); f !== null; f = reader.next()) {
        out.push({ type: f.type, body: Buffer.from(f.body) });
        if (f.type === 0) reader.startupComplete();
      }
    }
  } catch (err) {
    return { frames: out, error: (err as Error).message };
  }
  return { frames: out, error: null };
}

const stream = Buffer.concat([
  serialize.startup({ user: 'u', database: 'd', application_name: 'app' }),
  serialize.query('select 1; select ünïcode'),
  serialize.parse({ name: 's1', text: 'select $1::int', types: [23] }),
  serialize.bind({ statement: 's1', portal: 'p', values: ['42', null, Buffer.from([1, 2])] }),
  serialize.describe({ type: 'P', name: 'p' }),
  serialize.execute({ portal: 'p', rows: 10 }),
  serialize.flush(),
  serialize.sync(),
  serialize.end(),
]);

describe('FrameReader', () => {
  it('parses every frontend message the same when split at any byte boundary', () => {
    const whole = frames(stream, []);
    expect(whole.error).toBeNull();
    expect(whole.frames.map((f) => (f.type === 0 ? 'startup' : String.fromCharCode(f.type)))).toEqual([
      'startup',
      'Q',
      'P',
      'B',
      'D',
      'E',
      'H',
      'S',
      'X',
    ]);
    for (let i = 1; i < stream.length; i++) {
      const split = frames(stream, [i]);
      expect(split.frames).toEqual(whole.frames);
    }
    // One byte at a time.
    const bytewise = frames(
      stream,
      Array.from({ length: stream.length - 1 }, (_, i) => i + 1),
    );
    expect(bytewise.frames).toEqual(whole.frames);
  });

  it('decodes the message bodies', () => {
    const [startup, query, parse, bind, , execute] = frames(stream, []).frames;
    expect(decodeStartup(startup!.body)).toMatchObject({
      kind: 'startup',
      version: 196608,
      parameters: expect.objectContaining({ user: 'u', database: 'd', application_name: 'app' }) as unknown,
    });
    expect(decodeQuery(query!.body)).toBe('select 1; select ünïcode');
    expect(decodeParse(parse!.body)).toEqual({ name: 's1', sql: 'select $1::int', paramOids: [23] });
    const b = decodeBind(bind!.body);
    expect(b.portal).toBe('p');
    expect(b.statement).toBe('s1');
    expect(b.params.map((p) => (p === null ? null : [...p]))).toEqual([[52, 50], null, [1, 2]]);
    expect(decodeExecute(execute!.body)).toEqual({ portal: 'p', maxRows: 10 });
  });

  it('decodes SSLRequest and CancelRequest', () => {
    const ssl = frames(serialize.requestSsl(), []).frames[0]!;
    expect(decodeStartup(ssl.body)).toEqual({ kind: 'ssl' });
    const cancel = frames(serialize.cancel(1234, -5), []).frames[0]!;
    expect(decodeStartup(cancel.body)).toEqual({ kind: 'cancel', processId: 1234, secretKey: -5 });
  });

  it('rejects bad lengths with 08P01-style errors', () => {
    const shortStartup = Buffer.from([0, 0, 0, 2, 0, 0]);
    expect(frames(shortStartup, []).error).toMatch(/invalid length of startup packet/);
    const hugeStartup = Buffer.from([0, 1, 0, 0]);
    expect(frames(hugeStartup, []).error).toMatch(/invalid length of startup packet/);
    const afterStartup = Buffer.concat([serialize.startup({ user: 'u' }), Buffer.from([0x51, 0, 0, 0, 2])]);
    expect(frames(afterStartup, []).error).toMatch(/invalid message length 2/);
    const huge = Buffer.concat([
      serialize.startup({ user: 'u' }),
      Buffer.from([0x51, 0x7f, 0xff, 0xff, 0xff]),
    ]);
    expect(frames(huge, []).error).toMatch(/exceeds the limit/);
  });

  it('rejects malformed bodies', () => {
    expect(() => decodeQuery(Buffer.from('no terminator'))).toThrow(/missing terminator/);
    expect(() => decodeQuery(Buffer.from([0xff, 0xfe, 0]))).toThrow(/invalid byte sequence/);
    expect(() => decodeBind(Buffer.from([0, 0, 0, 0, 0, 1, 0, 0, 0, 9]))).toThrow(
      /shorter than its contents/,
    );
    expect(() => decodeParse(Buffer.from([0, 0x61, 0, 0, 1]))).toThrow(/shorter/);
  });
});
