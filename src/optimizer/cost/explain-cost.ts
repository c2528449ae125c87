/**
 * EXPLAIN COST: the optimized logical plan with each node's estimate after its line, in Spark's
 * `Statistics.simpleString` form:
 *
 *   Filter: id > Int32(1), Statistics(sizeInBytes=64.0 B, rowCount=2)
 *     Values: output=[id, tag], rows=[…], Statistics(sizeInBytes=96.0 B, rowCount=3)
 *
 * Sizes print as Spark's `Utils.bytesToString` (one decimal, binary units from twice the unit up),
 * row counts with three significant digits as Java's `BigDecimal` prints them (`2.05E+3`).
 */
import { explainLogical, type LogicalPlan } from '../../plan/index.ts';
import { estimatePlan, type PlanEstimate } from './estimate.ts';

const UNITS: readonly [string, number][] = [
  ['EiB', 2 ** 60],
  ['PiB', 2 ** 50],
  ['TiB', 2 ** 40],
  ['GiB', 2 ** 30],
  ['MiB', 2 ** 20],
  ['KiB', 2 ** 10],
];

/** Java's `new BigDecimal(n, new MathContext(3, HALF_UP)).toString()` of a whole number n ≥ 0. */
export function threeDigits(n: number | bigint): string {
  const digits = (typeof n === 'bigint' ? n : BigInt(Math.round(Math.max(0, n)))).toString();
  if (digits.length <= 3) return digits;
  let unscaled = Number(digits.slice(0, 3)) + (Number(digits[3]) >= 5 ? 1 : 0);
  let exponent = digits.length - 1;
  if (unscaled === 1000) {
    unscaled = 100;
    exponent++;
  }
  const text = String(unscaled);
  return `${text[0]}.${text.slice(1)}E+${exponent}`;
}

/** Spark's `Utils.bytesToString`: `100.0 B`, `2.0 KiB`, `3.2 MiB`. */
export function bytesToString(size: number | bigint): string {
  if (BigInt(size) >= 2n ** 11n * 2n ** 60n) return `${threeDigits(size)} B`;
  const n = Number(size);
  for (const [unit, bytes] of UNITS) {
    if (n >= 2 * bytes) return `${(n / bytes).toFixed(1)} ${unit}`;
  }
  return `${n.toFixed(1)} B`;
}

/** `Statistics(sizeInBytes=96.0 B, rowCount=3)`. */
export function statisticsString(est: PlanEstimate): string {
  return `Statistics(sizeInBytes=${bytesToString(est.sizeInBytes)}, rowCount=${threeDigits(est.rowCount)})`;
}

/** The plan's EXPLAIN text with every node's estimate appended to its line. */
export function explainCost(plan: LogicalPlan): string {
  return explainLogical(plan, (node) => `, ${statisticsString(estimatePlan(node))}`);
}
