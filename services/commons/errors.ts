/**
 * A setting is missing or wrong. Raised once, at start-up, naming every bad setting: fix the
 * configuration, a retry cannot help (`retriable` is false).
 */
export class ConfigError extends Error {
  readonly retriable = false;

  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'ConfigError';
  }
}
