import { describe, expect, it } from 'vitest';
import {
  changeLabel,
  clockLabel,
  formatCount,
  formatMoney,
  formatMoneyShort,
  formatRate,
  formatSeconds,
  formatUsd,
  minuteLabel,
  shortenPath,
} from '../../../dashboard/web/format.ts';

describe('the page’s formats', () => {
  it.each([
    [12345, '12,345'],
    [0, '0'],
    [null, '–'],
  ])('writes the count %o as %s', (value, text) => {
    expect(formatCount(value)).toBe(text);
  });

  it.each([
    [0.1234, '12.3%'],
    [1.25, '125%'],
    [0.0004, '<0.1%'],
    [0, '0%'],
    [null, '–'],
  ])('writes the rate %o as %s', (ratio, text) => {
    expect(formatRate(ratio)).toBe(text);
  });

  it('writes money with cents, and short on a key-figure card', () => {
    expect(formatMoney('1234.50', 'USD')).toBe('$1,234.50');
    expect(formatMoney('1234.50', 'EUR')).toBe('€1,234.50');
    expect(formatMoneyShort('9999.99', 'USD')).toBe('$9,999.99');
    expect(formatMoneyShort('26863.70', 'USD')).toBe('$26.9K');
    expect(formatMoney('999999.07', 'USD')).toBe('$999,999.07');
    expect(formatUsd(0.0123)).toBe('$0.0123');
    expect(formatUsd(12.5)).toBe('$12.50');
    expect(formatSeconds(0.44)).toBe('0.4 s');
    expect(formatSeconds(75)).toBe('1 min 15 s');
  });

  it('writes minute buckets and instants in UTC', () => {
    expect(minuteLabel('2026-11-25T10:42Z')).toBe('10:42');
    expect(clockLabel(Date.parse('2026-11-25T10:42:07.900Z'))).toBe('10:42:07');
  });

  it('shortens long paths from the start, keeping their specific end', () => {
    const path = '/category/outdoors/tents/ultralight/two-person';

    expect(shortenPath(path, 20)).toBe('…tralight/two-person');
    expect(shortenPath(path, 20)).toHaveLength(20);
    expect(shortenPath('/cart')).toBe('/cart');
  });

  it('describes a change against the previous minute, and nothing without a base', () => {
    expect(changeLabel(150, 100, '10:41')).toBe('+50% vs 10:41');
    expect(changeLabel(50, 100, '10:41')).toBe('−50% vs 10:41');
    expect(changeLabel(5, 0, '10:41')).toBe('');
  });
});
