/**
 * The two ways native decoding stops: `CorruptPageError` (the bytes contradict the format: reported
 * as an EngineError naming the file) and `NativeUnsupportedError` (a valid file using something the
 * native decoder does not handle, found only inside a page: the reader falls back to parquet-wasm).
 */
export class CorruptPageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CorruptPageError';
  }
}

export class NativeUnsupportedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'NativeUnsupportedError';
  }
}
