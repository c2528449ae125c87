/**
 * Batch utilities: typed-array loops over Arrow columns shared by the operators.
 */
export { ColumnView, layoutOf, type Layout } from './column-view.ts';
export { take } from './take.ts';
export { filterColumn, filterBatch } from './filter.ts';
export { sliceColumn, sliceBatch } from './slice.ts';
export { concatColumns, concatBatches } from './concat.ts';
export { selectionFromMask, selectionFromBytes, maskFromBoolean, nullMaskOf } from './selection.ts';
export { hashRows } from './row-hash.ts';
export { valuesEqual, rowsEqual, rowsWithNullKey } from './key-equality.ts';
export { KeyStore } from './key-store.ts';
export { GroupHashTable } from './group-hash-table.ts';
export {
  sortIndices,
  rowComparator,
  compareValues,
  compareAcross,
  prepareSortKeys,
  type PreparedSortKeys,
  type SortColumn,
} from './sort-indices.ts';
export { hashPartitions, spillPartitions, splitBatch, SPILL_LEVELS } from './partition.ts';
