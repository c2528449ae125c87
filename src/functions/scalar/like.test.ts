import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { columnFromValues, valueAt, type DataType } from '../../common/index.ts';
import type { ScalarFunctionDef } from '../registry.ts';
import { compileLike } from './like.ts';
import { registry, testContext } from './test-helpers.ts';

const S: DataType = { kind: 'string' };
const B: DataType = { kind: 'boolean' };

/** `like(column, 'pattern')` on the byte path, one result per string. */
function likeColumn(values: readonly string[], pattern: string): boolean[] {
  const def = registry.lookup('like') as ScalarFunctionDef;
  const r = def.evaluate(
    [
      { kind: 'array', data: columnFromValues(S, values) },
      { kind: 'scalar', value: pattern, type: S },
    ],
    values.length,
    B,
    testContext,
  );
  if (r.kind === 'scalar') throw new Error('expected a column');
  return values.map((_, i) => valueAt(r.data, B, i) as boolean);
}

describe('like on UTF-8 bytes', () => {
  it('agrees with the pattern as a regular expression, for any pieces between %s', () => {
    const text = fc.string({ unit: fc.constantFrom('a', 'b', 'é', '%'), maxLength: 10 });
    const pattern = fc.string({ unit: fc.constantFrom('a', 'b', 'é', '%', '\\%'), maxLength: 7 });
    fc.assert(
      fc.property(fc.array(text, { maxLength: 40 }), pattern, (values, p) => {
        const regex = compileLike(p, '\\', false).regex;
        expect(likeColumn(values, p)).toEqual(values.map((v) => regex.test(v)));
      }),
      { numRuns: 400 },
    );
  });

  it('matches TPC-H shapes: %special%requests%, PROMO%, %green%, anchored pieces', () => {
    expect(compileLike('%special%requests%', '\\', false).kind).toBe('pieces');
    expect(
      likeColumn(['a special x requests b', 'requests special', 'specialrequests'], '%special%requests%'),
    ).toEqual([true, false, true]);
    expect(likeColumn(['ab', 'aXb', 'aXbY', 'b'], 'a%b')).toEqual([true, true, false, false]);
    expect(likeColumn(['aba', 'aa', 'a'], 'a%a')).toEqual([true, true, false]);
  });
});
