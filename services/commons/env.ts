import { z } from 'zod';
import { ConfigError } from './errors.ts';

/**
 * The one environment reader of the project: functions, tools and tests read their settings
 * through a zod schema, once, and get them frozen.
 *
 * @param makeError builds the error thrown for bad settings (a tool passes its own subclass).
 * @throws {ConfigError} naming every missing or invalid variable, not only the first.
 */
export const readEnv = <Schema extends z.ZodType>(
  schema: Schema,
  env: Readonly<Record<string, string | undefined>> = process.env,
  makeError: (message: string, options: ErrorOptions) => Error = (message, options) =>
    new ConfigError(message, options),
): Readonly<z.infer<Schema>> => {
  const parsed = schema.safeParse(env);
  if (!parsed.success)
    throw makeError(`invalid environment: ${describeIssues(parsed.error)}`, { cause: parsed.error });
  return Object.freeze(parsed.data);
};

/**
 * `VARIABLE message; VARIABLE message` for every issue of a failed parse. The variable is the
 * first path element: an issue inside a parsed value (the second broker of a list) names the
 * variable that holds it.
 */
export const describeIssues = (error: z.ZodError): string =>
  error.issues
    .map((issue) => `${issue.path.length > 0 ? String(issue.path[0]) : '(environment)'} ${issue.message}`)
    .join('; ');

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

/** A comma-separated list of Kafka bootstrap servers, `host:port[,host:port…]`. */
export const brokerList = () =>
  z
    .string()
    .transform((text) =>
      text
        .split(',')
        .map((item) => item.trim())
        .filter((item) => item.length > 0),
    )
    .pipe(
      z
        .array(z.string().regex(/^[^\s:,]+:\d{1,5}$/, 'must be host:port[,host:port…]'))
        .min(1, 'must name at least one host:port'),
    );

/** An endpoint URL such as http://127.0.0.1:8000. */
export const endpointUrl = () => z.url({ message: 'must be a URL such as http://127.0.0.1:8000' });
