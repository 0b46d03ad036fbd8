import { describe, expect, it } from 'vitest';
import {
  compileFilterCriteria,
  FilterSyntaxError,
  matchesFilterCriteria,
} from '../../../emulators/esm/filter.ts';

const value = (data: unknown): Buffer => Buffer.from(typeof data === 'string' ? data : JSON.stringify(data));
const matches = (patterns: unknown[], data: unknown): boolean =>
  matchesFilterCriteria(compileFilterCriteria(patterns), value(data));

describe('Kafka filter criteria', () => {
  it('matches equality on JSON fields, nested fields and array elements', () => {
    // Prepare
    const patterns = [{ value: { type: ['purchase', 'add_to_cart'], page: { path: ['/cart'] } } }];

    // Act / Assert
    expect(matches(patterns, { type: 'purchase', page: { path: '/cart' } })).toBe(true);
    expect(matches(patterns, { type: ['view', 'purchase'], page: { path: '/cart' } })).toBe(true);
    expect(matches(patterns, { type: 'view', page: { path: '/cart' } })).toBe(false);
    expect(matches(patterns, { type: 'purchase', page: { path: '/home' } })).toBe(false);
    expect(matches(patterns, { type: 'purchase' })).toBe(false);
  });

  it('supports prefix, suffix, equals-ignore-case and anything-but', () => {
    // Prepare
    const prefix = [{ value: { device_ID: [{ prefix: 'AB' }] } }];
    const suffix = [{ value: { file: [{ suffix: '.png' }] } }];
    const ignoreCase = [{ value: { name: [{ 'equals-ignore-case': 'alice' }] } }];
    const anythingBut = [{ value: { state: [{ 'anything-but': ['error', 'failed'] }] } }];

    // Act / Assert
    expect(matches(prefix, { device_ID: 'AB1234' })).toBe(true);
    expect(matches(prefix, { device_ID: 'XAB' })).toBe(false);
    expect(matches(suffix, { file: 'a.png' })).toBe(true);
    expect(matches(ignoreCase, { name: 'ALICE' })).toBe(true);
    expect(matches(anythingBut, { state: 'ok' })).toBe(true);
    expect(matches(anythingBut, { state: 'error' })).toBe(false);
    expect(matches(anythingBut, {})).toBe(false);
  });

  it('supports numeric ranges and exists', () => {
    // Prepare
    const range = [{ value: { price: [{ numeric: ['>', 0, '<=', 100] }] } }];
    const exists = [{ value: { product: [{ exists: true }] } }];
    const absent = [{ value: { product: [{ exists: false }] } }];

    // Act / Assert
    expect(matches(range, { price: 100 })).toBe(true);
    expect(matches(range, { price: 0 })).toBe(false);
    expect(matches(range, { price: '50' })).toBe(false);
    expect(matches(exists, { product: null })).toBe(true);
    expect(matches(exists, {})).toBe(false);
    expect(matches(absent, {})).toBe(true);
    expect(matches(absent, { product: 1 })).toBe(false);
  });

  it('matches when any filter matches, and within one filter any $or branch', () => {
    // Prepare
    const patterns = [
      { value: { type: ['search'] } },
      { value: { $or: [{ price: [{ numeric: ['>=', 1000] }] }, { vip: [true] }] } },
    ];

    // Act / Assert
    expect(matches(patterns, { type: 'search' })).toBe(true);
    expect(matches(patterns, { type: 'view', price: 5000 })).toBe(true);
    expect(matches(patterns, { type: 'view', vip: true })).toBe(true);
    expect(matches(patterns, { type: 'view', price: 1 })).toBe(false);
  });

  it('filters plain-string values with plain-string patterns', () => {
    // Prepare
    const patterns = [{ value: [{ 'anything-but': ['error'] }] }];

    // Act / Assert
    expect(matches(patterns, 'all good')).toBe(true);
    expect(matches(patterns, 'error')).toBe(false);
  });

  it('applies no value criterion when the formats differ, as the AWS table documents', () => {
    // Prepare
    const jsonPattern = [{ value: { type: ['purchase'] } }];
    const stringPattern = [{ value: ['error'] }];

    // Act / Assert
    expect(matches(jsonPattern, 'not json')).toBe(true);
    expect(matches(stringPattern, { type: 'purchase' })).toBe(true);
    expect(matchesFilterCriteria(compileFilterCriteria(jsonPattern), Buffer.from([0xff, 0xfe]))).toBe(true);
  });

  it('delivers everything when there are no criteria', () => {
    expect(matchesFilterCriteria(undefined, value({ any: 1 }))).toBe(true);
    expect(matchesFilterCriteria(compileFilterCriteria([]), null)).toBe(true);
  });

  it('rejects keys other than value and malformed matchers, as AWS validation does', () => {
    expect(() => compileFilterCriteria([{ key: ['x'] }])).toThrow(FilterSyntaxError);
    expect(() => compileFilterCriteria([{ value: { a: [{ numeric: ['>>', 1] }] } }])).toThrow(/numeric/);
    expect(() => compileFilterCriteria([{ value: { a: [{ wildcard: '*' }] } }])).toThrow(/not supported/);
    expect(() => compileFilterCriteria([{ value: { a: [] } }])).toThrow(/empty list/);
    expect(() => compileFilterCriteria(['{"value":{}}'])).toThrow(/JSON object/);
  });
});
