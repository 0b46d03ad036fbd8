/** Severity of a log line. */
export type LogLevel = 'DEBUG' | 'INFO' | 'WARN' | 'ERROR';

/** A structured logger: a fixed message plus fields, one JSON object per line. */
export interface Logger {
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}

/**
 * Logs JSON lines to stderr, keeping stdout for the run's result (the `--json` summary),
 * so `npm run load -- --json | jq` works.
 */
export const stderrLogger = (
  write: (line: string) => void = (line) => process.stderr.write(line),
): Logger => {
  const log = (level: LogLevel, message: string, fields?: Record<string, unknown>) =>
    write(
      `${JSON.stringify({ level, timestamp: new Date().toISOString(), service: 'load-generator', message, ...fields })}\n`,
    );
  return {
    info: (message, fields) => log('INFO', message, fields),
    warn: (message, fields) => log('WARN', message, fields),
    error: (message, fields) => log('ERROR', message, fields),
  };
};
