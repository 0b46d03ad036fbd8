import { describe, expect, it } from 'vitest';
import { DemoUsageError, demoEvents, demoRateProfile, parseDemoArgs } from '../../../local/demo/args.ts';

describe('parseDemoArgs', () => {
  it('refuses a run that would produce nothing to check', () => {
    const parse = () => parseDemoArgs(['--duration', '0.001']);

    expect(parse).toThrow(DemoUsageError);
    expect(parse).toThrow(/at least 1 event/);
  });

  it('takes the smallest run that produces one event', () => {
    const parsed = parseDemoArgs(['--duration', '0.005', '--rate', '200']);

    expect(parsed.help ? undefined : parsed.options.duration).toBe(0.005);
  });

  it('reads a burst and a scaled scaling clock, and counts the events they produce', () => {
    const parsed = parseDemoArgs([
      '--rate',
      '50',
      '--duration',
      '40',
      '--burst',
      '1000',
      '--burst-seconds',
      '5',
      '--burst-every',
      '20',
      '--scaling-interval',
      '2',
    ]);
    if (parsed.help) throw new Error('unexpected --help');

    expect(parsed.options.scalingInterval).toBe(2);
    expect(demoRateProfile(parsed.options)).toEqual({
      rate: 50,
      burst: { rate: 1000, seconds: 5, everySeconds: 20 },
    });
    // Two periods of 15 s at 50/s and 5 s at 1,000/s.
    expect(demoEvents(parsed.options)).toBe(2 * (750 + 5000));
  });

  it('defaults to AWS scaling cadence and no burst', () => {
    const parsed = parseDemoArgs([]);
    if (parsed.help) throw new Error('unexpected --help');

    expect(parsed.options.scalingInterval).toBe(60);
    expect(demoRateProfile(parsed.options).burst).toBeUndefined();
    expect(demoEvents(parsed.options)).toBe(12_000);
  });

  it.each([
    [['--burst-seconds', '5'], /need --burst/],
    [['--burst', '100', '--burst-seconds', '30', '--burst-every', '30'], /less than --burst-every/],
    [['--scaling-interval', '0'], /--scaling-interval must be > 0/],
  ])('rejects %j', (argv, message) => {
    expect(() => parseDemoArgs(argv)).toThrow(message);
  });
});
