import { AppError } from '../services/commons/errors.ts';

/** Base class of every deploy-script failure; `cause` is kept. */
export class DeployError extends AppError {
  readonly code: string = 'DEPLOY';
}

/**
 * Settings are missing or invalid. Raised before anything is created; `problems` names each
 * setting (its environment variable) and what is wrong with it.
 */
export class DeploySettingsError extends DeployError {
  override readonly code: string = 'DEPLOY_SETTINGS';
  readonly problems: readonly string[];

  constructor(problems: readonly string[]) {
    // The first line alone says what to fix (the settings by name); the others say how.
    const names = [...new Set(problems.map((problem) => problem.split(' ')[0]))].join(', ');
    super(
      `deploy settings are incomplete: ${names} (.env.example documents each)\n${problems.map((problem) => `  - ${problem}`).join('\n')}`,
    );
    this.problems = problems;
  }
}

/** The AWS SDK's credential chain found no credentials: nothing was created. */
export class AwsCredentialsError extends DeployError {
  override readonly code: string = 'AWS_CREDENTIALS';
}

/** The cluster could not be reached or refused the topics: nothing was deployed. */
export class TopicsError extends DeployError {
  override readonly code: string = 'TOPICS';
}

/** A command the deploy runs (serverless, the ksql migrations) exited with an error. */
export class CommandFailedError extends DeployError {
  override readonly code: string = 'COMMAND_FAILED';
  constructor(command: string, exitCode: number | null, options?: ErrorOptions) {
    super(`${command} failed (exit code ${exitCode ?? 'none: killed by a signal'})`, options);
  }
}
