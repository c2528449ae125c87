/**
 * SQL-level cursors (`DECLARE c CURSOR FOR …`, `FETCH`, `MOVE`, `CLOSE`), as psycopg's named
 * cursors use them. A cursor's query runs lazily: each FETCH pulls only the batches it needs from
 * the executors, so a large result is never held whole. Cursors scan forward only (PostgreSQL's
 * NO SCROLL); one without HOLD closes when its transaction ends.
 */
import type * as arrow from 'apache-arrow';
import { EngineError, type Schema } from '../common/index.ts';
import type { StatementResult } from './types.ts';

/** How far a FETCH or MOVE goes: a count of rows forward, all of them, or to an absolute row. */
export type CursorStep =
  | { readonly kind: 'forward'; readonly count: number | 'all' }
  | { readonly kind: 'absolute'; readonly row: number }
  | { readonly kind: 'relative'; readonly offset: number };

interface OpenCursor {
  readonly schema: Schema;
  readonly iterator: AsyncIterator<arrow.RecordBatch>;
  readonly controller: AbortController;
  readonly hold: boolean;
  readonly binary: boolean;
  /** Rows of the current batch not yet fetched start at `offset`. */
  batch: arrow.RecordBatch | null;
  offset: number;
  /** Rows fetched or moved over so far (PostgreSQL's cursor position). */
  position: number;
  done: boolean;
}

function cursorMissing(name: string): EngineError {
  return new EngineError('34000', `cursor "${name}" does not exist`);
}

function scanForwardOnly(): EngineError {
  return new EngineError('55000', 'cursor can only scan forward', {
    hint: 'Kindling cursors are NO SCROLL: fetch forward only.',
  });
}

/** RELATIVE n as the absolute row it reaches. */
function absolute(cursor: OpenCursor, step: CursorStep): Exclude<CursorStep, { kind: 'relative' }> {
  return step.kind === 'relative' ? { kind: 'absolute', row: cursor.position + step.offset } : step;
}

export class Cursors {
  private readonly open = new Map<string, OpenCursor>();

  /**
   * Opens cursor `name` over the rows of `result`, whose query follows `controller` (aborted when
   * the cursor closes).
   */
  declare(
    name: string,
    result: Extract<StatementResult, { kind: 'rows' }>,
    controller: AbortController,
    options: { readonly hold: boolean; readonly binary: boolean },
  ): void {
    if (this.open.has(name)) {
      controller.abort();
      throw new EngineError('42P03', `cursor "${name}" already exists`);
    }
    this.open.set(name, {
      schema: result.schema,
      iterator: result.batches[Symbol.asyncIterator](),
      controller,
      hold: options.hold,
      binary: options.binary,
      batch: null,
      offset: 0,
      position: 0,
      done: false,
    });
  }

  /**
   * What Describe of portal `name` reports for a cursor (PostgreSQL's SQL cursors are portals:
   * psycopg describes its named cursors so): its columns and whether FETCH sends them in binary.
   * Null when there is no such cursor.
   */
  describe(name: string): { readonly schema: Schema; readonly binary: boolean } | null {
    const cursor = this.open.get(name);
    return cursor === undefined ? null : { schema: cursor.schema, binary: cursor.binary };
  }

  /** The columns FETCH from `name` returns, or null when there is no such cursor. */
  schemaOf(name: string): Schema | null {
    return this.open.get(name)?.schema ?? null;
  }

  /** FETCH: the next rows as a result (tag FETCH, binary cells for a BINARY cursor). */
  fetch(name: string, given: CursorStep): Extract<StatementResult, { kind: 'rows' }> {
    const cursor = this.cursor(name);
    const step = absolute(cursor, given);
    const count = this.count(cursor, step);
    return {
      kind: 'rows',
      schema: cursor.schema,
      batches: this.pull(cursor, count, step.kind === 'absolute' ? step.row - cursor.position - 1 : 0),
      tag: 'FETCH',
      ...(cursor.binary ? { binary: true } : {}),
    };
  }

  /** MOVE: skips rows as FETCH would return them; the number skipped. */
  async move(name: string, given: CursorStep): Promise<number> {
    const cursor = this.cursor(name);
    const step = absolute(cursor, given);
    const count = this.count(cursor, step);
    const skip = step.kind === 'absolute' ? step.row - cursor.position : count;
    let moved = 0;
    for await (const batch of this.pull(cursor, skip, 0)) moved += batch.numRows;
    return step.kind === 'absolute' ? Math.min(moved, 1) : moved;
  }

  /** CLOSE name, or every cursor with null (CLOSE ALL). */
  async close(name: string | null): Promise<void> {
    if (name === null) {
      for (const n of [...this.open.keys()]) await this.close(n);
      return;
    }
    const cursor = this.open.get(name);
    if (cursor === undefined) throw cursorMissing(name);
    this.open.delete(name);
    cursor.controller.abort();
    try {
      await cursor.iterator.return?.();
    } catch {
      // The query is being abandoned.
    }
  }

  /** A transaction ended: cursors without HOLD close. */
  async endTransaction(): Promise<void> {
    for (const [name, c] of [...this.open]) if (!c.hold) await this.close(name);
  }

  private cursor(name: string): OpenCursor {
    const cursor = this.open.get(name);
    if (cursor === undefined) throw cursorMissing(name);
    return cursor;
  }

  private count(cursor: OpenCursor, step: Exclude<CursorStep, { kind: 'relative' }>): number {
    if (step.kind === 'absolute') {
      if (step.row <= cursor.position) throw scanForwardOnly();
      return 1;
    }
    if (step.count === 'all') return Number.POSITIVE_INFINITY;
    if (step.count < 0) throw scanForwardOnly();
    return step.count;
  }

  /** Up to `count` rows from the cursor, after skipping `skip` rows. */
  private async *pull(cursor: OpenCursor, count: number, skip: number): AsyncGenerator<arrow.RecordBatch> {
    let toSkip = Math.max(0, skip);
    let left = count;
    while ((left > 0 || toSkip > 0) && !cursor.done) {
      if (cursor.batch === null || cursor.offset >= cursor.batch.numRows) {
        const next = await cursor.iterator.next();
        if (next.done === true) {
          cursor.done = true;
          break;
        }
        cursor.batch = next.value;
        cursor.offset = 0;
        continue;
      }
      const available = cursor.batch.numRows - cursor.offset;
      if (toSkip > 0) {
        const n = Math.min(toSkip, available);
        toSkip -= n;
        cursor.offset += n;
        cursor.position += n;
        continue;
      }
      const n = Math.min(left, available);
      const slice = cursor.batch.slice(cursor.offset, cursor.offset + n);
      cursor.offset += n;
      cursor.position += n;
      left -= n;
      yield slice;
    }
  }
}
