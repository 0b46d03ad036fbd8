/**
 * The emulator's structured log: a fixed message plus fields. Powertools' `Logger`
 * satisfies it (the CLI passes one); tests pass {@link silentLog} or a recorder.
 */
export interface EsmLog {
  debug(message: string, fields: Record<string, unknown>): void;
  info(message: string, fields: Record<string, unknown>): void;
  warn(message: string, fields: Record<string, unknown>): void;
  error(message: string, fields: Record<string, unknown>): void;
}

/** Discards everything. */
export const silentLog: EsmLog = {
  debug: () => {},
  info: () => {},
  warn: () => {},
  error: () => {},
};
