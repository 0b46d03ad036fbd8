import { AppError } from '../../services/commons/errors.ts';

/** Base class of the local Flink launcher's errors. */
export class LocalFlinkError extends AppError {
  readonly code: string = 'LOCAL_FLINK';
}

/** The local Flink job did not start (the runner exited, or did not submit in time). */
export class FlinkStartError extends LocalFlinkError {
  override readonly code: string = 'FLINK_START';
}
