/** The standard error options, and whether a retry can help (for a class that decides per throw). */
export interface AppErrorOptions extends ErrorOptions {
  readonly retriable?: boolean;
}

/**
 * The root of every error the project raises (platformatic/kafka's src/errors.ts is the model):
 * a stable `code` that logs, metrics and callers branch on, and `retriable`, whether trying the
 * same operation again can succeed (a store, a broker, the network: true; a poison record, a
 * bad setting, a bug: false). `name` is the class's own and `cause` is kept. Each module
 * subclasses it once (its base, e.g. `EsmError`) and names its failures below that.
 */
export abstract class AppError extends Error {
  /** Stable and machine-readable (SCREAMING_SNAKE_CASE); unlike the message, it never changes. */
  abstract readonly code: string;
  /** Whether a retry can fix it; false unless the subclass or the thrower says otherwise. */
  readonly retriable: boolean;

  constructor(message: string, options?: AppErrorOptions) {
    super(message, options);
    this.retriable = options?.retriable ?? false;
    // The class's own name; bundles keep it (esbuild `keepNames`, serverless.yml custom.esbuild).
    this.name = new.target.name;
  }
}

/**
 * A setting is missing or wrong. Raised once, at start-up, naming every bad setting: fix the
 * configuration, a retry cannot help (`retriable` is false).
 */
export class ConfigError extends AppError {
  readonly code: string = 'CONFIG';
}

/**
 * Whether a retry can fix `error`: the project's errors say so in their typed `retriable` field
 * (infrastructure: a store, a broker, a network), poison and configuration errors say false.
 * An error that says nothing is not retriable: a bug that fails one record deterministically
 * must not fail its batch forever, so the caller dead-letters that record
 * (reason `PROCESSING_FAILED`) instead.
 */
export const isRetriable = (error: unknown): boolean => error instanceof AppError && error.retriable;

/** The dead-letter reason of a record whose processing failed in an unexpected, not retriable way. */
export const PROCESSING_FAILED = 'PROCESSING_FAILED';
