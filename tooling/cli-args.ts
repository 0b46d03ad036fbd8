import { type ParseArgsConfig, parseArgs } from 'node:util';
import { z } from 'zod';
import { AppError } from '../services/commons/errors.ts';

/** Invalid command-line flags: a CLI prints the message with its usage and exits 2. */
export class CliUsageError extends AppError {
  readonly code: string = 'CLI_USAGE';
  readonly exitCode = 2;
}

/** What a CLI declares: its flags (node:util parseArgs), how they map to its options, their schema. */
export interface CliSpec<Schema extends z.ZodType> {
  readonly options: NonNullable<ParseArgsConfig['options']> & {
    readonly help: { type: 'boolean'; short?: string; default?: boolean };
  };
  /** The parsed flag values (and positionals, when allowed) as the schema's input. */
  readonly toInput: (
    values: Record<string, string | boolean | undefined>,
    positionals: readonly string[],
  ) => unknown;
  /** Whether the CLI takes positional arguments (a command, files); refused by default. */
  readonly allowPositionals?: boolean;
  readonly schema: Schema;
  /** The CLI's own usage error; {@link CliUsageError} by default. */
  readonly makeError?: (message: string, options: ErrorOptions) => Error;
}

/**
 * The tools' one flag parser: node:util's parseArgs (strict; positionals only where the spec
 * allows them), then a zod schema naming every bad flag in one message.
 *
 * @throws the spec's usage error (a {@link CliUsageError} by default).
 */
export const parseCliArgs = <Schema extends z.ZodType>(
  argv: readonly string[],
  spec: CliSpec<Schema>,
): { help: true } | { help: false; options: z.infer<Schema> } => {
  const fail =
    spec.makeError ?? ((message: string, options: ErrorOptions) => new CliUsageError(message, options));
  let values: Record<string, string | boolean | undefined>;
  let positionals: string[];
  try {
    ({ values, positionals } = parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: spec.allowPositionals === true,
      options: spec.options,
    }) as {
      values: Record<string, string | boolean | undefined>;
      positionals: string[];
    });
  } catch (error) {
    throw fail((error as Error).message, { cause: error });
  }
  if (values.help === true) return { help: true };
  const parsed = spec.schema.safeParse(spec.toInput(values, positionals));
  if (!parsed.success) {
    // A message names its flag (`--rate must be > 0`); a shared schema's bare `must …` (as the
    // environment's brokerList writes it) is prefixed with the option it belongs to.
    const describe = (issue: z.core.$ZodIssue): string =>
      issue.message.startsWith('must ') && issue.path.length > 0
        ? `${String(issue.path[0])} ${issue.message}`
        : issue.message;
    throw fail(parsed.error.issues.map(describe).join('; '), { cause: parsed.error });
  }
  return { help: false, options: parsed.data };
};

/** A numeric flag: `--name must be a number` when it is not one. */
export const numberFlag = (flag: string) => z.coerce.number({ error: `${flag} must be a number` });

/** A whole-number flag. */
export const wholeFlag = (flag: string) => numberFlag(flag).int(`${flag} must be a whole number`);

/** A TCP port flag, 0 (any free port) to 65535. */
export const portFlag = (flag: string) =>
  wholeFlag(flag)
    .min(0, `${flag} must be a port number (0–65535)`)
    .max(65_535, `${flag} must be a port number (0–65535)`);

/** A repeatable `NAME=value` flag (`--var`, `--env`), as a record; a later NAME wins. */
export const assignmentsFlag = (flag: string) =>
  z
    .array(
      z
        .string()
        .regex(/^[^=]+=/, `${flag} expects NAME=value`)
        .transform((pair): [string, string] => {
          const at = pair.indexOf('=');
          return [pair.slice(0, at), pair.slice(at + 1)];
        }),
    )
    .default([])
    .transform((pairs): Record<string, string> => Object.fromEntries(pairs));
