import { availableParallelism } from 'node:os';
import { describe, expect, it } from 'vitest';
import { EngineError } from '../../common/index.ts';
import { parseMaster } from './master.ts';

describe('kindling.master', () => {
  it('reads each kind of master', () => {
    expect(parseMaster('local')).toEqual({ kind: 'local', threads: availableParallelism() });
    expect(parseMaster('local[4]')).toEqual({ kind: 'local', threads: 4 });
    expect(parseMaster(' local[*] ')).toEqual({ kind: 'local', threads: availableParallelism() });
    expect(parseMaster('process[3]')).toEqual({ kind: 'process', executors: 3 });
    expect(parseMaster('k8s://https://10.0.0.1:6443')).toEqual({
      kind: 'k8s',
      apiServer: 'https://10.0.0.1:6443',
    });
    expect(parseMaster('nats://127.0.0.1:4222')).toEqual({ kind: 'nats', servers: 'nats://127.0.0.1:4222' });
  });

  it.each([
    '',
    'yarn',
    'local[0]',
    'local[x]',
    'process[]',
    'process[257]',
    'k8s://',
    'k8s://host',
    'nats://',
    'nats://h:p/x',
  ])('refuses %j with 22023', (text) => {
    let error: unknown;
    try {
      parseMaster(text);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(EngineError);
    expect((error as EngineError).sqlstate).toBe('22023');
    expect((error as EngineError).message).toContain('kindling.master');
  });
});
