/**
 * Spreads a table's files over scan partitions. An uncompressed file larger than the split size is
 * cut into byte ranges (a range's reader skips to the line after its start and reads through the line
 * that crosses its end, so every line is read exactly once); `.gz` files and multi-line CSV are read
 * whole. Pieces go to the least-loaded partition, largest first.
 */
import type { DataFile } from '../file-listing.ts';

export interface FilePiece {
  readonly file: DataFile;
  readonly start: number;
  /** Lines starting at or after this offset belong to the next piece (Infinity = end of file). */
  readonly end: number;
  readonly compressed: boolean;
}

export const DEFAULT_MIN_SPLIT_BYTES = 4 * 1024 * 1024;

export function isGzipPath(file: string): boolean {
  return file.toLowerCase().endsWith('.gz');
}

export function planPieces(
  files: readonly DataFile[],
  targetPartitions: number,
  minSplitBytes: number,
  splittable: boolean,
  compression: 'gzip' | 'none' | null,
): FilePiece[][] {
  const target = Math.max(1, Math.floor(targetPartitions));
  const total = files.reduce((sum, f) => sum + f.size, 0);
  const splitSize = Math.max(1, minSplitBytes, Math.ceil(total / target));
  const pieces: FilePiece[] = [];
  for (const file of files) {
    const compressed = compression === 'gzip' || (compression === null && isGzipPath(file.path));
    if (compressed || !splittable || file.size <= splitSize) {
      pieces.push({ file, start: 0, end: Infinity, compressed });
      continue;
    }
    const count = Math.ceil(file.size / splitSize);
    const step = Math.ceil(file.size / count);
    for (let k = 0; k < count; k++) {
      const start = k * step;
      if (start >= file.size) break;
      const end = k === count - 1 ? Infinity : Math.min(file.size, (k + 1) * step);
      pieces.push({ file, start, end, compressed: false });
    }
  }
  if (pieces.length <= target) return pieces.length === 0 ? [[]] : pieces.map((p) => [p]);
  const sizeOf = (p: FilePiece): number => (p.end === Infinity ? p.file.size : p.end) - p.start;
  const order = pieces.map((_, i) => i).sort((a, b) => sizeOf(pieces[b]!) - sizeOf(pieces[a]!) || a - b);
  const load = new Array<number>(target).fill(0);
  const assigned: number[][] = Array.from({ length: target }, () => []);
  for (const i of order) {
    let best = 0;
    for (let k = 1; k < target; k++) if (load[k]! < load[best]!) best = k;
    load[best]! += sizeOf(pieces[i]!);
    assigned[best]!.push(i);
  }
  return assigned.map((idx) => idx.sort((a, b) => a - b).map((i) => pieces[i]!));
}
