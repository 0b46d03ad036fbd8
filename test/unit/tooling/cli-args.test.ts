import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { CliUsageError, parseCliArgs } from '../../../tooling/cli-args.ts';

const spec = {
  options: { rate: { type: 'string' }, quiet: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
  toInput: (values: Record<string, string | boolean | undefined>) => ({
    rate: values.rate,
    quiet: values.quiet === true,
  }),
  schema: z.object({
    rate: z.coerce.number({ error: '--rate must be a number' }).positive('--rate must be > 0'),
    quiet: z.boolean(),
  }),
} as const;

describe('parseCliArgs', () => {
  it('maps flags through the schema', () => {
    expect(parseCliArgs(['--rate', '5', '--quiet'], spec)).toEqual({
      help: false,
      options: { rate: 5, quiet: true },
    });
  });

  it('answers help before validating anything', () => {
    expect(parseCliArgs(['-h', '--rate', 'x'], spec)).toEqual({ help: true });
  });

  it('refuses unknown flags and bad values with a usage error (exit code 2)', () => {
    expect(() => parseCliArgs(['--rat', '5'], spec)).toThrow(CliUsageError);
    expect(() => parseCliArgs(['--rate=0'], spec)).toThrow('--rate must be > 0');
    expect(new CliUsageError('x').exitCode).toBe(2);
  });

  it('refuses positionals unless the spec takes them, and hands them to the schema', () => {
    expect(() => parseCliArgs(['up'], spec)).toThrow(CliUsageError);
    const withCommand = {
      options: { help: { type: 'boolean' } },
      allowPositionals: true,
      toInput: (_values: Record<string, string | boolean | undefined>, positionals: readonly string[]) => ({
        command: positionals[0],
        rest: positionals.slice(1),
      }),
      schema: z.object({
        command: z.enum(['up', 'down'], { error: 'say up or down' }),
        rest: z.array(z.string()),
      }),
    } as const;
    expect(parseCliArgs(['up', 'a', 'b'], withCommand)).toEqual({
      help: false,
      options: { command: 'up', rest: ['a', 'b'] },
    });
    expect(() => parseCliArgs(['sideways'], withCommand)).toThrow('say up or down');
  });
});
