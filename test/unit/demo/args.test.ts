import { describe, expect, it } from 'vitest';
import { DemoUsageError, parseDemoArgs } from '../../../local/demo/args.ts';

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
});
