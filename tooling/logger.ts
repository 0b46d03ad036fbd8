import { Console } from 'node:console';
import { Logger } from '@aws-lambda-powertools/logger';
import type { ConstructorOptions } from '@aws-lambda-powertools/logger/types';

/**
 * The tools' one logger (load generator, stack, demo, emulators, ksql runner, workshop tools,
 * benchmarks): Powertools for AWS Lambda's Logger, the same one the functions use, so a tool's
 * log line has the functions' keys (`level`, `message`, `timestamp`, `service`, fields).
 *
 * One difference: every line goes to stderr. A tool's stdout is its result (`--json | jq`,
 * a report), which log lines must not interleave with. Powertools writes INFO and DEBUG to
 * stdout through a private `console` it builds in its constructor; this subclass replaces it
 * (test/unit/tooling/logger.test.ts fails if a Powertools release changes that).
 */
class ToolLogger extends Logger {
  constructor(options: ConstructorOptions) {
    super(options);
    Reflect.set(this, 'console', STDERR_CONSOLE);
  }

  protected override createLogger(options?: ConstructorOptions): Logger {
    return new ToolLogger(options ?? {});
  }
}

const STDERR_CONSOLE = new Console({ stdout: process.stderr, stderr: process.stderr });

/** The structured log a tool writes; Powertools' Logger and {@link silentLogger} fit. */
export interface ToolLog {
  debug(message: string, ...fields: Record<string, unknown>[]): void;
  info(message: string, ...fields: Record<string, unknown>[]): void;
  warn(message: string, ...fields: Record<string, unknown>[]): void;
  error(message: string, ...fields: Record<string, unknown>[]): void;
}

/**
 * A logger for the tool `service`. The level is `options.logLevel`, else POWERTOOLS_LOG_LEVEL
 * (or LOG_LEVEL), INFO by default, as in the functions.
 */
export const createToolLogger = (
  service: string,
  options: Pick<ConstructorOptions, 'logLevel'> = {},
): Logger => new ToolLogger({ serviceName: service, ...options });

/** Discards everything (tests, and tools told to be quiet). */
export const silentLogger: ToolLog = {
  debug: () => {},
  info: () => {},
  warn: () => {},
  error: () => {},
};
