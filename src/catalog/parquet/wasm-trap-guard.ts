/**
 * Catching parquet-wasm panics. The decoder is built with `panic = abort`: a panic on corrupt data
 * becomes a WebAssembly `RuntimeError` trap. In the async reader the trap fires inside a promise
 * callback (a microtask) of wasm-bindgen's glue, so the promise `ParquetFile.read()` returned never
 * settles and the trap surfaces as an uncaught exception (which would end the process).
 *
 * `guardWasm(filePath, promise)` races the read against such traps: while guarded reads are pending,
 * process listeners claim uncaught exceptions and unhandled rejections that are wasm traps and fail
 * the pending reads with an EngineError naming the file. The listeners are attached only while reads
 * are pending; anything else they see is rethrown when no other listener exists, so the process keeps
 * Node's default behaviour (exit on an uncaught error).
 */
import { EngineError, SqlState } from '../../common/index.ts';

interface Pending {
  readonly filePath: string;
  readonly reject: (err: EngineError) => void;
}

const pending = new Set<Pending>();
let installed = false;

function isWasmTrap(reason: unknown): boolean {
  return (
    reason instanceof Error &&
    reason.name === 'RuntimeError' &&
    /wasm|unreachable/i.test(`${reason.message} ${reason.stack ?? ''}`)
  );
}

function onUncaught(reason: unknown, event: 'uncaughtException' | 'unhandledRejection'): void {
  if (isWasmTrap(reason) && pending.size > 0) {
    for (const p of [...pending]) {
      p.reject(
        new EngineError(
          SqlState.ioError,
          `could not read Parquet file "${p.filePath}": the decoder failed (${(reason as Error).message}); the file is probably corrupt`,
          { cause: reason },
        ),
      );
    }
    pending.clear();
    queueMicrotask(uninstall);
    return;
  }
  // Not ours: behave as if this listener did not exist.
  if (process.listenerCount(event) === 1) throw reason;
}

const onException = (err: unknown): void => onUncaught(err, 'uncaughtException');
const onRejection = (reason: unknown): void => onUncaught(reason, 'unhandledRejection');

function install(): void {
  if (installed) return;
  installed = true;
  process.on('uncaughtException', onException);
  process.on('unhandledRejection', onRejection);
}

function uninstall(): void {
  if (!installed || pending.size > 0) return;
  installed = false;
  process.off('uncaughtException', onException);
  process.off('unhandledRejection', onRejection);
}

/** `promise`, or an EngineError if the decoder traps while it is pending. */
export async function guardWasm<T>(filePath: string, promise: Promise<T>): Promise<T> {
  install();
  let entry: Pending | undefined;
  const trapped = new Promise<never>((_, reject) => {
    entry = { filePath, reject };
    pending.add(entry);
  });
  try {
    return await Promise.race([promise, trapped]);
  } finally {
    if (entry !== undefined) pending.delete(entry);
    uninstall();
  }
}
