/** Base class of every deploy-script failure; `cause` is kept. */
export class DeployError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'DeployError';
  }
}

/**
 * Settings are missing or invalid. Raised before anything is created; `problems` names each
 * setting (its environment variable) and what is wrong with it.
 */
export class DeploySettingsError extends DeployError {
  readonly problems: readonly string[];

  constructor(problems: readonly string[]) {
    super(`deploy settings are incomplete:\n${problems.map((problem) => `  - ${problem}`).join('\n')}`);
    this.name = 'DeploySettingsError';
    this.problems = problems;
  }
}

/** A command the deploy runs (serverless, the ksql migrations) exited with an error. */
export class CommandFailedError extends DeployError {
  constructor(command: string, exitCode: number | null, options?: ErrorOptions) {
    super(`${command} failed (exit code ${exitCode ?? 'none: killed by a signal'})`, options);
    this.name = 'CommandFailedError';
  }
}

/** The resolved serverless configuration could not be read (or `serverless print` failed). */
export class ServerlessConfigError extends DeployError {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'ServerlessConfigError';
  }
}
