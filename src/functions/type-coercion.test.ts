/**
 * Wider types: findWiderType (ANSI, strings read as the other type) against
 * findWiderTypeWithoutStringPromotion (UNPIVOT's values), and findWiderTypeOfAll with either.
 */
import { describe, expect, it } from 'vitest';
import { T, type DataType } from '../common/index.ts';
import { findWiderType, findWiderTypeOfAll, findWiderTypeWithoutStringPromotion } from './type-coercion.ts';

const dec = (precision: number, scale: number): DataType => ({ kind: 'decimal', precision, scale });

describe('findWiderType', () => {
  it('widens numbers, decimals against integrals and floating point', () => {
    expect(findWiderType(T.int, T.bigint)).toEqual(T.bigint);
    expect(findWiderType(T.int, dec(2, 1))).toEqual(dec(11, 1));
    expect(findWiderType(dec(5, 2), T.double)).toEqual(T.double);
  });

  it('reads a string as the other type under ANSI rules', () => {
    expect(findWiderType(T.string, T.int)).toEqual(T.bigint);
    expect(findWiderType(T.date, T.string)).toEqual(T.date);
  });
});

describe('findWiderTypeWithoutStringPromotion', () => {
  it('widens numbers as findWiderType does', () => {
    expect(findWiderTypeWithoutStringPromotion(T.tinyint, T.bigint)).toEqual(T.bigint);
    expect(findWiderTypeWithoutStringPromotion(T.int, dec(2, 1))).toEqual(dec(11, 1));
    expect(findWiderTypeWithoutStringPromotion(T.float, dec(3, 0))).toEqual(T.double);
    expect(findWiderTypeWithoutStringPromotion(T.null, T.string)).toEqual(T.string);
  });

  it('finds no type for a string and anything but a string', () => {
    expect(findWiderTypeWithoutStringPromotion(T.string, T.int)).toBeUndefined();
    expect(findWiderTypeWithoutStringPromotion(T.date, T.string)).toBeUndefined();
    const arrays = (e: DataType): DataType => ({ kind: 'array', element: e, containsNull: true });
    expect(findWiderTypeWithoutStringPromotion(arrays(T.string), arrays(T.int))).toBeUndefined();
    expect(findWiderTypeWithoutStringPromotion(arrays(T.int), arrays(T.bigint))).toEqual(arrays(T.bigint));
  });

  it('folds many types left to right', () => {
    expect(findWiderTypeOfAll([T.int, T.string], findWiderTypeWithoutStringPromotion)).toBeUndefined();
    expect(findWiderTypeOfAll([T.int, T.string])).toEqual(T.bigint);
    expect(findWiderTypeOfAll([T.smallint, T.null, T.bigint], findWiderTypeWithoutStringPromotion)).toEqual(
      T.bigint,
    );
  });
});
