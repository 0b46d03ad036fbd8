import { type ParseArgsConfig, parseArgs } from 'node:util';
import type { z } from 'zod';

/** Invalid command-line flags: a CLI prints the message with its usage and exits 2. */
export class CliUsageError extends Error {
  readonly exitCode = 2;

  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'CliUsageError';
  }
}

/** What a CLI declares: its flags (node:util parseArgs), how they map to its options, their schema. */
export interface CliSpec<Schema extends z.ZodType> {
  readonly options: NonNullable<ParseArgsConfig['options']> & {
    readonly help: { type: 'boolean'; short?: string; default?: boolean };
  };
  /** The parsed flag values as the schema's input (renames, negations). */
  readonly toInput: (values: Record<string, string | boolean | undefined>) => unknown;
  readonly schema: Schema;
  /** The CLI's own usage error; {@link CliUsageError} by default. */
  readonly makeError?: (message: string, options: ErrorOptions) => Error;
}

/**
 * The tools' one flag parser: node:util's parseArgs (strict, no positionals), then a zod schema
 * naming every bad flag in one message.
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
  try {
    ({ values } = parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: false,
      options: spec.options,
    }) as {
      values: Record<string, string | boolean | undefined>;
    });
  } catch (error) {
    throw fail((error as Error).message, { cause: error });
  }
  if (values.help === true) return { help: true };
  const parsed = spec.schema.safeParse(spec.toInput(values));
  if (!parsed.success) {
    throw fail(parsed.error.issues.map((issue) => issue.message).join('; '), { cause: parsed.error });
  }
  return { help: false, options: parsed.data };
};
