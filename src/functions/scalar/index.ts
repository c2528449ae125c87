/**
 * Every scalar function definition, by family.
 */
import type { ScalarFunctionDef } from '../registry.ts';
import { arrayAwareReverse, arrayFunctions } from './array.ts';
import { binaryFormatFunctions } from './binary-format.ts';
import { bitwiseFunctions } from './bitwise.ts';
import { conditionalFunctions } from './conditional.ts';
import { datetimeFunctions } from './datetime.ts';
import { datetimeUnitFunctions } from './datetime-units.ts';
import { epochFunctions } from './epoch.ts';
import { intervalFunctions } from './interval.ts';
import { calendarIntervalFunctions } from './calendar-interval.ts';
import { jsonBuildObject } from './json.ts';
import { sparkJsonFunctions } from './spark-json.ts';
import { likeFunctions } from './like.ts';
import { mapFunctions, withMapForms } from './map.ts';
import { mathFunctions } from './math.ts';
import { miscFunctions } from './misc.ts';
import { numberFormatFunctions } from './number-format.ts';
import { pgFormatFunctions } from './pg-format.ts';
import { stringFunctions } from './string.ts';
import { structFunctions } from './struct.ts';
import { textExtraFunctions } from './text-extra.ts';
import { timeFunctions, withTimeForms } from './time.ts';

export const scalarFunctions: readonly ScalarFunctionDef[] = [
  ...stringFunctions.filter((f) => f.name !== 'reverse'),
  ...stringFunctions.filter((f) => f.name === 'reverse').map(arrayAwareReverse),
  ...arrayFunctions.map(withMapForms),
  ...mapFunctions,
  ...likeFunctions,
  ...mathFunctions,
  ...datetimeFunctions.map(withTimeForms),
  ...timeFunctions,
  ...datetimeUnitFunctions,
  ...epochFunctions,
  ...intervalFunctions,
  ...calendarIntervalFunctions,
  ...conditionalFunctions,
  ...miscFunctions,
  ...pgFormatFunctions,
  ...bitwiseFunctions,
  jsonBuildObject,
  ...sparkJsonFunctions,
  ...structFunctions,
  ...binaryFormatFunctions,
  ...numberFormatFunctions,
  ...textExtraFunctions,
];

export { sparkSubstring, formatString, compileRegex } from './string.ts';
export { compileLike } from './like.ts';
export {
  canonicalText,
  sparkHash,
  murmurInt,
  murmurLong,
  murmurBytes,
  sizePretty,
  KINDLING_VERSION,
} from './misc.ts';
export { arityError, typeMismatch, checkArity, coerce } from './define.ts';
export { nullMapKey, duplicatedMapKey } from './map.ts';
export { timestampAddCalendarInterval, dateAddCalendarInterval } from './calendar-interval.ts';
export { valueKey } from './array-values.ts';
