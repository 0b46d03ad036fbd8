import { z } from 'zod';
import { ConfigError } from './errors.ts';

/**
 * Reads environment variables through a schema, once, and returns them frozen.
 *
 * @throws {ConfigError} naming every missing or invalid variable.
 */
export const readEnv = <Schema extends z.ZodType>(
  schema: Schema,
  env: Readonly<Record<string, string | undefined>> = process.env,
): Readonly<z.infer<Schema>> => {
  const parsed = schema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => {
      const variable = issue.path.length > 0 ? issue.path.join('.') : '(environment)';
      return `${variable} ${issue.message}`;
    });
    throw new ConfigError(`invalid environment: ${problems.join('; ')}`, { cause: parsed.error });
  }
  return Object.freeze(parsed.data);
};

/** A variable that must be set to a non-empty string. */
export const requiredString = () =>
  z
    .string({
      error: (issue) => (issue.input === undefined ? 'is required but not set' : 'must be a string'),
    })
    .min(1, 'must not be empty');

/** An optional flag: `true`/`1` or `false`/`0` (case-insensitive); unset means `fallback`. */
export const flag = (fallback: boolean) =>
  z
    .string()
    .regex(/^(true|false|1|0)$/i, 'must be true, false, 1 or 0')
    .optional()
    .transform((value) => (value === undefined ? fallback : value === '1' || value.toLowerCase() === 'true'));

/** An optional positive integer; unset means `fallback`. */
export const positiveInt = (fallback: number) =>
  z
    .string()
    .regex(/^\d+$/, 'must be a positive integer')
    .optional()
    .transform((value) => (value === undefined ? fallback : Number(value)))
    .pipe(z.number().int().positive('must be a positive integer'));
