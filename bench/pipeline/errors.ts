/** Base class of the pipeline benchmark's errors. */
export class PipelineBenchError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'PipelineBenchError';
  }
}

/** The command line or the environment is wrong; the message names the flag or variable. */
export class BenchUsageError extends PipelineBenchError {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'BenchUsageError';
  }
}

/**
 * A scenario did not finish: its records were not all committed in time, or an invocation
 * failed. The figures of such a run would be wrong, so the benchmark stops.
 */
export class ScenarioError extends PipelineBenchError {
  constructor(scenario: string, message: string, options?: ErrorOptions) {
    super(`${scenario}: ${message}`, options);
    this.name = 'ScenarioError';
  }
}
