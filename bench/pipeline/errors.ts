import { AppError } from '../../services/commons/errors.ts';

/** Base class of the pipeline benchmark's errors. */
export class PipelineBenchError extends AppError {
  readonly code: string = 'PIPELINE_BENCH';
}

/** The command line or the environment is wrong; the message names the flag or variable. */
export class BenchUsageError extends PipelineBenchError {
  override readonly code: string = 'BENCH_USAGE';
}

/**
 * A scenario did not finish: its records were not all committed in time, or an invocation
 * failed. The figures of such a run would be wrong, so the benchmark stops.
 */
export class ScenarioError extends PipelineBenchError {
  override readonly code: string = 'SCENARIO';
  constructor(scenario: string, message: string, options?: ErrorOptions) {
    super(`${scenario}: ${message}`, options);
  }
}
